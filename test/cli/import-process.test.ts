import { type ChildProcess, spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readmeCommand } from '../readme/readme-commands.js';
import { useDemoServer } from '../support/demo-server.js';
import { childEnvironment, cliHangLimitMs, exitOf, repoRoot } from '../support/run-process.js';

/**
 * `import` as a process (its exit codes, standard error, Ctrl-C) against a real HTTP server in
 * this process: the children are started asynchronously, since a synchronous spawn would block
 * the server they talk to. test/cli/import.test.ts covers the rest in process.
 */
const directory = mkdtempSync(join(tmpdir(), 'notarium-import-process-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));
const demo = useDemoServer();

interface Child {
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
  readonly stdout: () => string;
  readonly stderr: () => string;
  /** Resolves once standard error contains `text`; rejects if the child exits first. */
  stderrContains(text: string): Promise<void>;
}

function start(command: string, args: string[], env: Record<string, string>): Child {
  const child = spawn(command, args, {
    cwd: repoRoot,
    env: childEnvironment(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = exitOf(child);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk) => {
    stdout += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    stderr += chunk;
  });
  return {
    child,
    exited,
    stdout: () => stdout,
    stderr: () => stderr,
    stderrContains: (text) =>
      new Promise((resolve, reject) => {
        const check = () => {
          if (!stderr.includes(text)) return;
          child.stderr?.off('data', check);
          resolve();
        };
        child.stderr?.on('data', check);
        check();
        void exited.then(() => reject(new Error(`exited before printing ${text}: ${stderr}`)));
      }),
  };
}

/** The CLI as `npm start` runs the server: Node with tsx's loader, so a signal reaches it directly. */
const cli = (args: string[], env: Record<string, string>) =>
  start(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], env);

async function finished(child: Child) {
  return { status: await child.exited, stdout: child.stdout(), stderr: child.stderr() };
}

function expectOneCodedLine(stderr: string, pattern: RegExp) {
  expect(stderr).not.toMatch(/^\s+at /m);
  expect(stderr.trimEnd().split('\n')).toEqual([expect.stringMatching(pattern)]);
}

describe('import as a process', { timeout: 6 * cliHangLimitMs }, () => {
  it('runs the README commands: exports the key, imports the example file, prints the summary', async () => {
    copyFileSync(
      join(repoRoot, 'examples', 'import', 'notifications.csv'),
      join(directory, 'notifications.csv'),
    );
    const script = [
      readmeCommand('export NOTARIUM_API_KEY=').script.replace('<key>', demo.keys.notifier),
      readmeCommand('npm run cli -- import notifications')
        .script.replace('http://127.0.0.1:4000', demo.server.url)
        .replace('examples/import/', `${directory}/`),
    ].join('\n');
    const run = await finished(start('bash', ['-c', script], {}));
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(
      /Imported notifications from .*notifications\.csv: 5 rows in [\d.]+ s\.\naccepted: {2}5\nduplicate: 0\nrejected: {2}0\n/,
    );
  });

  it('exits 2 with one coded line when NOTARIUM_API_KEY is not set, 1 when the server cannot be reached', async () => {
    const path = join(directory, 'events.csv');
    copyFileSync(join(repoRoot, 'examples', 'import', 'events.csv'), path);
    const closed: Server = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));

    const [noKey, unreachable] = await Promise.all([
      finished(cli(['import', 'events', path, '--url', demo.graphqlUrl], {})),
      finished(
        cli(['import', 'events', path, '--url', `http://127.0.0.1:${port}/graphql`], {
          NOTARIUM_API_KEY: demo.keys.notifier,
        }),
      ),
    ]);
    expect(noKey.status).toBe(2);
    expect(noKey.stdout).toBe('');
    expectOneCodedLine(noKey.stderr, /^IMPORT_API_KEY_MISSING: Set NOTARIUM_API_KEY/);
    expect(unreachable.status).toBe(1);
    expectOneCodedLine(
      unreachable.stderr,
      new RegExp(
        `^IMPORT_SERVER_UNREACHABLE: Cannot reach http://127.0.0.1:${port}/graphql \\(ECONNREFUSED\\)\\.$`,
      ),
    );
  });

  it('stops on Ctrl-C once the batch in flight is answered, exit 130; the same command resumes', async () => {
    const rows = Array.from(
      { length: 5 },
      (_, index) => `demo-user-${2940 + index},privacy-policy,4,EMAIL,en,2026-11-30T17:00:00Z`,
    );
    const path = join(directory, 'ctrl-c.csv');
    writeFileSync(
      path,
      ['subjectRef,noticeKey,versionNumber,channel,locale,occurredAt', ...rows, ''].join('\n'),
    );

    // Holds the first request until the child has taken its SIGINT, then forwards it.
    let arrived: () => void = () => {};
    const firstArrived = new Promise<void>((resolve) => {
      arrived = resolve;
    });
    let release: () => void = () => {};
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    let requests = 0;
    const proxy = createServer(async (request, response) => {
      const chunks: Buffer[] = [];
      for await (const chunk of request) chunks.push(chunk as Buffer);
      if (++requests === 1) {
        arrived();
        await released;
      }
      const answer = await fetch(demo.graphqlUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: request.headers.authorization ?? '' },
        body: Buffer.concat(chunks),
      });
      response.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? '' });
      response.end(await answer.text());
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}/graphql`;
    const env = { NOTARIUM_API_KEY: demo.keys.notifier };
    const options = ['--batch-size', '2', '--concurrency', '1'];
    try {
      const child = cli(['import', 'notifications', path, '--url', proxyUrl, ...options], env);
      await firstArrived;
      child.child.kill('SIGINT');
      await child.stderrContains('SIGINT: stopping after the batches in flight');
      release();
      const first = await finished(child);
      expect(first.status).toBe(130);
      expect(first.stdout).toContain('rows answered up to line 3. Run the same command again to resume');
      expect(first.stdout).toMatch(/^accepted: {2}2$/m);
      expect(requests).toBe(1);
      expect(JSON.parse(readFileSync(`${path}.import-state.json`, 'utf8'))).toMatchObject({ line: 3 });

      const second = await finished(
        cli(['import', 'notifications', path, '--url', proxyUrl, ...options], env),
      );
      expect(second.stderr).toBe('');
      expect(second.status).toBe(0);
      expect(second.stdout).toMatch(/: 5 rows \(resumed after line 3\)/);
      expect(second.stdout).toMatch(/^accepted: {2}5\nduplicate: 0\nrejected: {2}0$/m);
      expect(
        await demo.database.prisma.notification.count({
          where: { occurredAt: new Date('2026-11-30T17:00:00Z') },
        }),
      ).toBe(5);
    } finally {
      release();
      await new Promise((resolve) => proxy.close(resolve));
    }
  });
});
