import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { purgeSummary } from '../../src/cli/retention-command.js';
import { cliHangLimitMs, runCli } from '../support/run-process.js';
import { openTestDatabase, type TestDatabase } from '../support/test-database.js';

const processes = (count: number) => ({ timeout: count * cliHangLimitMs });

function expectOneLineFailure(result: ReturnType<typeof runCli>, message: RegExp) {
  expect(result.stderr).not.toMatch(/^\s+at /m);
  expect(result.stderr.trimEnd().split('\n')).toEqual([expect.stringMatching(message)]);
  expect(result.status).toBe(1);
}

const controller = (slug: string, ...extra: string[]) => [
  'controller',
  'create',
  '--slug',
  slug,
  '--name',
  slug,
  '--legal-name',
  `${slug} SE`,
  '--contact-email',
  `privacy@${slug}.example`,
  ...extra,
];

describe('CLI: retention purge', () => {
  const directory = mkdtempSync(join(tmpdir(), 'notarium-cli-retention-'));
  let database: TestDatabase | null = null;
  let env: Record<string, string>;

  beforeAll(async () => {
    if (process.env.TEST_DATABASE_URL) {
      database = await openTestDatabase();
      env = { DATABASE_URL: database.url ?? '' };
    } else {
      env = { DATA_DIR: join(directory, 'data') };
    }
  }, cliHangLimitMs);
  afterAll(async () => {
    await database?.close();
    rmSync(directory, { recursive: true, force: true });
  });

  it(
    'sets the schedule at creation, then purges per controller, counting only with --dry-run',
    processes(6),
    () => {
      expect(runCli(['migrate', 'deploy'], env).status).toBe(0);
      expect(runCli(controller('forever'), env).status).toBe(0);
      const created = runCli(controller('six-years', '--proof-retention-months', '72'), env);
      expect([created.status, created.stderr]).toEqual([0, '']);

      const dry = runCli(['retention', 'purge', '--dry-run', '--now', '2040-01-01T00:00:00+01:00'], env);
      expect([dry.status, dry.stderr]).toEqual([0, '']);
      expect(dry.stdout.trimEnd().split('\n')).toEqual([
        'forever: no retention schedule (proofRetentionMonths not set); records are kept for ever',
        'six-years: would purge 0 people (0 notifications, 0 events, 0 responses, 0 objection cases); ' +
          'last processing before 2033-12-31T23:00:00.000Z (72 months); held: 0 on legal hold, 0 with an open objection',
      ]);

      const real = runCli(['retention', 'purge', '--controller', 'six-years'], env);
      expect([real.status, real.stderr]).toEqual([0, '']);
      expect(real.stdout).toMatch(/^six-years: purged 0 people \(.*\(72 months\); held: 0 on legal hold/);
      expect(real.stdout.trimEnd().split('\n')).toHaveLength(1);

      expectOneLineFailure(
        runCli(controller('never', '--proof-retention-months', '0'), env),
        /^VALIDATION_FAILED: proofRetentionMonths: must be 1 or more/,
      );
    },
  );

  it(
    'fails in one line for an unknown controller or instant, and with the usage for a bad command',
    processes(5),
    () => {
      expectOneLineFailure(
        runCli(['retention', 'purge', '--controller', 'no-such-controller'], env),
        /^NOT_FOUND: Controller no-such-controller does not exist\.$/,
      );
      expectOneLineFailure(
        runCli(['retention', 'purge', '--now', 'yesterday'], env),
        /^VALIDATION_FAILED: --now: must be an ISO 8601 date and time/,
      );
      expectOneLineFailure(
        runCli(['retention', 'purge', '--now', '2999-01-01T00:00:00Z'], env),
        /^VALIDATION_FAILED: --now: may be in the future only with --dry-run/,
      );
      expectOneLineFailure(
        runCli(['retention', 'purge', '--older-than', '6y'], env),
        /Unknown option '--older-than'/,
      );
      const usage = runCli(['retention', 'sweep'], env);
      expect(usage.status).toBe(2);
      expect(usage.stderr).toMatch(/^Usage: retention purge \[--controller <slug>\] \[--dry-run\]/);
    },
  );

  it('prints the sample line of docs/retention.md from its figures', () => {
    const docs = readFileSync(new URL('../../docs/retention.md', import.meta.url), 'utf8');
    const sample = docs.split('\n').find((line) => line.startsWith('acme: purged'))!;
    expect(
      purgeSummary('acme', {
        controllerId: 'acme-id',
        dryRun: false,
        retentionMonths: 72,
        cutoff: new Date('2020-12-04T02:00:00.000Z'),
        subjects: 1204,
        notifications: 3310,
        events: 7845,
        responses: 210,
        objectionCases: 12,
        heldForLegalHold: 3,
        heldForOpenObjection: 1,
      }),
    ).toBe(sample);
  });
});
