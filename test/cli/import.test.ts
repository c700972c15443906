import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { type ImportCommandEnvironment, runImportCommand } from '../../src/cli/import-command.js';
import { memoryRateLimiter } from '../../src/graphql/rate-limit.js';
import { createLogger } from '../../src/log/logger.js';
import { useDemoServer } from '../support/demo-server.js';
import { repoRoot } from '../support/run-process.js';
import { heavyTestTimeout } from '../support/timeouts.js';

/**
 * `npm run cli -- import`, run in this process against a real HTTP server (in this process too)
 * on a real database holding the demo. test/cli/import-process.test.ts runs the command as a
 * process.
 */
const directory = mkdtempSync(join(tmpdir(), 'notarium-import-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));
const demo = useDemoServer();

function file(name: string, text: string): string {
  const path = join(directory, name);
  writeFileSync(path, text);
  return path;
}

function example(name: string): string {
  const path = join(directory, name);
  copyFileSync(join(repoRoot, 'examples', 'import', name), path);
  return path;
}

interface Run {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

async function runImport(args: string[], overrides: Partial<ImportCommandEnvironment> = {}): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const status = await runImportCommand([...args, '--url', demo.graphqlUrl], {
    env: { NOTARIUM_API_KEY: demo.keys.notifier },
    fetch: (url, init) => fetch(url, init),
    sleep: async () => {},
    now: () => 0,
    stdout: (text) => {
      stdout += text;
    },
    stderr: {
      write: (text) => {
        stderr += text;
      },
      isTTY: false,
    },
    signal: new AbortController().signal,
    ...overrides,
  });
  return { status, stdout, stderr };
}

/** The three counts of a summary. */
function counts(run: Run) {
  const number = (label: string) =>
    Number((new RegExp(`^${label}:\\s+([\\d,]+)`, 'm').exec(run.stdout)?.[1] ?? 'NaN').replaceAll(',', ''));
  return { accepted: number('accepted'), duplicate: number('duplicate'), rejected: number('rejected') };
}

const notifications = (keys: string[]) =>
  demo.database.prisma.notification.count({ where: { idempotencyKey: { in: keys } } });

/**
 * The key derived for demo-user-2904's row of examples/import/notifications.csv: the SHA-256 of the
 * canonical text docs/import.md shows. It must never change, or a rerun would record rows twice.
 */
const canonicalExampleRow =
  '["notarium-import/1","notifications",{"channel":"IN_APP","jurisdiction":"DE","locale":"de","noticeKey":"privacy-policy","occurredAt":"2026-11-30T09:15:00.000Z","subjectRef":"demo-user-2904","versionNumber":4}]';
const derivedExampleKey = 'import:7153643d962cb73466ca4e54702ce9157d67fe47040fea249811bc3d3d8d09f0';

it('derives the documented key', () => {
  expect(derivedExampleKey).toBe(`import:${createHash('sha256').update(canonicalExampleRow).digest('hex')}`);
  expect(readFileSync(join(repoRoot, 'docs', 'import.md'), 'utf8')).toContain(canonicalExampleRow);
});

describe('import notifications', { timeout: heavyTestTimeout }, () => {
  it('imports a CSV file through the columnar bulk path; a rerun is all duplicates', async () => {
    const path = example('notifications.csv');
    const first = await runImport(['notifications', path]);
    expect(first.stderr).toBe('');
    expect(first.status).toBe(0);
    expect(first.stdout).toMatch(/^Imported notifications from .*notifications\.csv: 5 rows in [\d.]+ s\.\n/);
    expect(counts(first)).toEqual({ accepted: 5, duplicate: 0, rejected: 0 });
    expect(existsSync(`${path}.import-state.json`), 'the checkpoint is removed at the end').toBe(false);
    expect(existsSync(join(directory, 'notifications.rejects.csv'))).toBe(false);

    const recorded = await demo.database.prisma.notification.findMany({
      where: { idempotencyKey: { in: ['mailer:2901', 'mailer:2902', 'mailer:2903', derivedExampleKey] } },
      select: { idempotencyKey: true, channel: true, locale: true, senderMessageId: true, templateId: true },
      orderBy: { idempotencyKey: 'asc' },
    });
    expect(recorded.map((row) => row.idempotencyKey)).toEqual([
      derivedExampleKey,
      'mailer:2901',
      'mailer:2902',
      'mailer:2903',
    ]);
    expect(recorded[1]).toMatchObject({ channel: 'EMAIL', locale: 'de', senderMessageId: 'ses-2901' });
    expect(recorded[1]?.templateId).not.toBeNull();
    expect(recorded[0]).toMatchObject({ channel: 'IN_APP', senderMessageId: null, templateId: null });
    const derived = await demo.database.prisma.notification.count({
      where: { idempotencyKey: { startsWith: 'import:' } },
    });
    expect(derived).toBe(2);

    const again = await runImport(['notifications', path]);
    expect(again.status).toBe(0);
    expect(counts(again)).toEqual({ accepted: 0, duplicate: 5, rejected: 0 });
    expect(
      await demo.database.prisma.notification.count({ where: { idempotencyKey: { startsWith: 'import:' } } }),
    ).toBe(2);
  });

  it('derives the same keys from the same rows in NDJSON, whatever the order of fields and the spelling of instants', async () => {
    const path = file(
      'notifications.ndjson',
      [
        {
          channel: 'EMAIL',
          subjectRef: 'demo-user-2901',
          jurisdiction: 'DE',
          subjectLocale: 'de-DE',
          noticeKey: 'privacy-policy',
          versionNumber: 4,
          locale: 'de',
          occurredAt: '2026-11-30T08:00:00Z',
          senderMessageId: 'ses-2901',
          template: { key: 'notice-change', revision: 2 },
          idempotencyKey: 'mailer:2901',
        },
        {
          versionNumber: 4,
          noticeKey: 'privacy-policy',
          subjectRef: 'demo-user-2904',
          jurisdiction: 'DE',
          channel: 'IN_APP',
          locale: 'de',
          occurredAt: '2026-11-30T10:15:00.000+01:00',
          senderMessageId: null,
        },
        {
          subjectRef: 'demo-user-2905',
          noticeKey: 'privacy-policy',
          versionNumber: 4,
          channel: 'IN_APP',
          locale: 'en',
          occurredAt: '2026-11-30T09:20:00.000Z',
          idempotencyKey: '',
        },
      ]
        .map((row) => JSON.stringify(row))
        .join('\n'),
    );
    const run = await runImport(['notifications', path]);
    expect(run.status, run.stderr).toBe(0);
    expect(counts(run)).toEqual({ accepted: 0, duplicate: 3, rejected: 0 });
    expect(await notifications([derivedExampleKey])).toBe(1);
  });

  it('writes the rejected rows with line, code and message to a CSV file that imports again as it is', async () => {
    const header = 'subjectRef,noticeKey,versionNumber,channel,locale,occurredAt,senderMessageId';
    const path = file(
      'mixed.csv',
      [
        header,
        'demo-user-2920,privacy-policy,4,EMAIL,en,2026-11-30T10:00:00Z,',
        'demo-user-2921,privacy-policy,4,EMAIL,it,2026-11-30T10:00:00Z,',
        'demo-user-2922,privacy-policy,4,FAX,en,2026-11-30T10:00:00Z,',
        'demo-user-2923,privacy-policy,4,EMAIL',
        'demo-user-2924,privacy-policy,4,EMAIL,en,2026-11-30T10:00:00Z,"two lines,\nand ""quotes"""',
        'demo-user-2925,privacy-policy,99,EMAIL,en,2026-11-30T10:00:00Z,',
        'demo-user-2926,privacy-policy,4,EMAIL,en,2026-02-30T10:00:00Z,',
        'demo-user-2920,privacy-policy,4,EMAIL,en,2026-11-30T10:00:00Z,',
        '',
      ].join('\r\n'),
    );
    const run = await runImport(['notifications', path, '--batch-size', '3']);
    expect(run.status).toBe(1);
    expect(run.stderr).toBe('');
    const rejectsPath = join(directory, 'mixed.rejects.csv');
    expect(run.stdout).toContain(`rejected:  5 (the rows with their reasons: ${rejectsPath})`);
    expect(counts(run), 'line 10 repeats line 2').toEqual({ accepted: 2, duplicate: 1, rejected: 5 });
    const twoLines = await demo.database.prisma.notification.findFirstOrThrow({
      where: { senderMessageId: { startsWith: 'two lines' } },
      select: { senderMessageId: true },
    });
    expect(twoLines.senderMessageId).toBe('two lines,\nand "quotes"');

    const rejects = readFileSync(rejectsPath, 'utf8').split('\n');
    expect(rejects[0]).toBe(`rejected.line,rejected.code,rejected.message,${header}`);
    const documented = readFileSync(join(repoRoot, 'docs', 'import.md'), 'utf8');
    expect(documented, 'docs/import.md shows these lines').toContain(`${rejects[0]}\n${rejects[1]}\n`);
    expect(rejects.slice(1).map((line) => line.split(',').slice(0, 2).join(','))).toEqual([
      '3,LOCALE_NOT_IN_VERSION',
      '4,VALIDATION_FAILED',
      '5,IMPORT_MALFORMED_ROW',
      '8,NOTICE_VERSION_NOT_FOUND',
      '9,VALIDATION_FAILED',
      '',
    ]);
    expect(rejects[2]).toMatch(
      /^4,VALIDATION_FAILED,.*channel.*FAX.*,demo-user-2922,privacy-policy,4,FAX,en,/,
    );
    expect(rejects[3]).toBe(
      '5,IMPORT_MALFORMED_ROW,4 fields where the header has 7.,demo-user-2923,privacy-policy,4,EMAIL',
    );
    expect(rejects[5]).toMatch(/^9,VALIDATION_FAILED,.*2026-02-30T10:00:00Z is not a real instant/);

    // Its rejected.* columns are ignored: the same rows, refused for the same reasons.
    const again = await runImport(['notifications', rejectsPath]);
    expect(again.status).toBe(1);
    expect(counts(again)).toEqual({ accepted: 0, duplicate: 0, rejected: 5 });
    const second = readFileSync(join(directory, 'mixed.rejects.rejects.csv'), 'utf8').split('\n');
    expect(second[0]).toBe(rejects[0]);
    expect(second.slice(1).map((line) => line.split(',')[1] ?? '')).toEqual([
      'LOCALE_NOT_IN_VERSION',
      'VALIDATION_FAILED',
      'IMPORT_MALFORMED_ROW',
      'NOTICE_VERSION_NOT_FOUND',
      'VALIDATION_FAILED',
      '',
    ]);
  });

  it('refuses a header naming an unknown, repeated or missing field: a usage error, nothing sent', async () => {
    const unknown = await runImport([
      'notifications',
      file('unknown.csv', 'subjectRef,noticeKey,versionNumber,channel,locale,occurredAt,colour\n'),
    ]);
    expect(unknown.status).toBe(2);
    expect(unknown.stdout).toBe('');
    expect(unknown.stderr.trimEnd().split('\n')).toEqual([
      expect.stringMatching(
        /^IMPORT_UNKNOWN_FIELD: The header names "colour", which is not a field of notifications/,
      ),
    ]);
    const missing = await runImport([
      'notifications',
      file('missing.csv', 'subjectRef,noticeKey,versionNumber,channel,template.key\n'),
    ]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toBe(
      'IMPORT_MISSING_FIELD: The header lacks the required fields locale, occurredAt, template.revision of notifications.\n',
    );
    const twice = await runImport(['events', file('twice.csv', 'type,occurredAt,type\n')]);
    expect(twice.stderr).toBe('IMPORT_DUPLICATE_FIELD: The header names "type" twice.\n');
    expect(twice.status).toBe(2);
  });
});

/** How many notifications each person has at `occurredAt`: one entry per person notified then. */
async function perPerson(occurredAt: string): Promise<number[]> {
  const rows = (await demo.database.sql(
    'SELECT count(*)::int AS n FROM "Notification" WHERE "occurredAt" = $1::timestamptz GROUP BY "subjectId"',
    [occurredAt],
  )) as { n: number }[];
  return rows.map((row) => row.n);
}

/** A CSV of `count` in-app notifications of version 4, one person each from `from` on, all at `occurredAt`. */
const peopleFile = (from: number, count: number, occurredAt: string) =>
  [
    'subjectRef,noticeKey,versionNumber,channel,locale,occurredAt',
    ...Array.from(
      { length: count },
      (_, index) => `demo-user-${from + index},privacy-policy,4,IN_APP,en,${occurredAt}`,
    ),
    '',
  ].join('\n');

describe('resuming an interrupted import', { timeout: heavyTestTimeout }, () => {
  const options = ['--batch-size', '5', '--concurrency', '1'];

  it('after the connection is lost with a batch in flight: the rerun sends the rest, the lost batch comes back as duplicates, every row is recorded once', async () => {
    const at = '2026-11-30T11:00:00Z';
    const path = file('lost.csv', peopleFile(2930, 23, at));
    let requests = 0;
    const first = await runImport(['notifications', path, ...options], {
      fetch: async (url, init) => {
        requests++;
        const response = await fetch(url, init);
        if (requests < 3) return response;
        await response.text(); // the server recorded the batch; its answer is lost
        throw new TypeError('fetch failed', { cause: { code: 'ECONNRESET' } });
      },
    });
    expect(first.status).toBe(1);
    expect(first.stderr).toBe(`IMPORT_SERVER_UNREACHABLE: Cannot reach ${demo.graphqlUrl} (ECONNRESET).\n`);
    expect(first.stdout).toContain(
      'rows answered up to line 11. Run the same command again to resume (checkpoint: ',
    );
    expect(counts(first)).toEqual({ accepted: 10, duplicate: 0, rejected: 0 });
    expect(JSON.parse(readFileSync(`${path}.import-state.json`, 'utf8'))).toMatchObject({
      kind: 'notifications',
      line: 11,
      accepted: 10,
    });
    expect(await perPerson(at)).toHaveLength(15);

    const second = await runImport(['notifications', path, ...options]);
    expect(second.status, second.stderr).toBe(0);
    expect(second.stdout).toMatch(/: 23 rows \(resumed after line 11\) in/);
    expect(counts(second)).toEqual({ accepted: 18, duplicate: 5, rejected: 0 });
    expect(await perPerson(at)).toEqual(Array(23).fill(1));
    expect(existsSync(`${path}.import-state.json`)).toBe(false);

    const third = await runImport(['notifications', path, ...options]);
    expect(counts(third)).toEqual({ accepted: 0, duplicate: 23, rejected: 0 });
    expect(await perPerson(at)).toEqual(Array(23).fill(1));
  });

  it('after Ctrl-C: the batch in flight is answered and counted, exit 130; the rerun sends the rest', async () => {
    const at = '2026-11-30T11:30:00Z';
    const path = file('interrupted.csv', peopleFile(2960, 12, at));
    const controller = new AbortController();
    let requests = 0;
    const first = await runImport(['notifications', path, ...options], {
      signal: controller.signal,
      fetch: async (url, init) => {
        if (++requests === 2) controller.abort();
        return fetch(url, init);
      },
    });
    expect(first.status).toBe(130);
    expect(first.stderr).toBe('');
    expect(first.stdout).toContain('rows answered up to line 11.');
    expect(counts(first)).toEqual({ accepted: 10, duplicate: 0, rejected: 0 });
    expect(requests).toBe(2);

    const second = await runImport(['notifications', path, ...options]);
    expect(second.status, second.stderr).toBe(0);
    expect(counts(second)).toEqual({ accepted: 12, duplicate: 0, rejected: 0 });
    expect(await perPerson(at)).toEqual(Array(12).fill(1));
  });

  it('refuses to resume on a file that changed since its checkpoint', async () => {
    const at = '2026-11-30T11:45:00Z';
    const path = file('changed.csv', peopleFile(2980, 8, at));
    const controller = new AbortController();
    const first = await runImport(['notifications', path, ...options], {
      signal: controller.signal,
      fetch: async (url, init) => {
        controller.abort();
        return fetch(url, init);
      },
    });
    expect(first.status).toBe(130);
    writeFileSync(path, peopleFile(2981, 8, at));
    const second = await runImport(['notifications', path, ...options]);
    expect(second.status).toBe(1);
    expect(second.stderr).toMatch(
      /^IMPORT_STATE_MISMATCH: .*changed\.csv is not the file .* was written for/,
    );
    expect(second.stderr.trimEnd().split('\n')).toHaveLength(1);
  });
});

describe('import events and responses', { timeout: heavyTestTimeout }, () => {
  const eventKeys = ['mailer:2901', 'mailer:2902', 'mailer:2903', 'events-doc:1'];
  const events = () =>
    demo.database.prisma.notificationEvent.count({ where: { notificationKey: { in: eventKeys } } });

  it('imports delivery events from CSV and NDJSON: the same events again are duplicates', async () => {
    const csv = await runImport(['events', example('events.csv')]);
    expect(csv.status, csv.stderr).toBe(0);
    expect(counts(csv)).toEqual({ accepted: 4, duplicate: 0, rejected: 0 });
    expect(await events()).toBe(4);
    const bounce = await demo.database.prisma.notificationEvent.findFirstOrThrow({
      where: { notificationKey: 'mailer:2903' },
      select: { type: true, detail: true },
    });
    expect(bounce).toEqual({ type: 'BOUNCED', detail: '550 5.1.1 mailbox unavailable, address unknown' });

    const ndjson = file(
      'events.ndjson',
      [
        '{"notificationIdempotencyKey":"mailer:2901","type":"DELIVERED","occurredAt":"2026-11-30T08:00:05Z"}',
        '{"type":"OPENED","occurredAt":"2026-11-30T13:41:00+01:00","notificationIdempotencyKey":"mailer:2901"}',
        '{"notificationIdempotencyKey":"events-doc:1","type":"DISPLAYED","occurredAt":"2026-11-30T14:00:00Z"}',
        '',
      ].join('\n'),
    );
    const again = await runImport(['events', ndjson]);
    expect(again.status, again.stderr).toBe(0);
    expect(counts(again)).toEqual({ accepted: 1, duplicate: 2, rejected: 0 });
    expect(await events()).toBe(5);
  });

  it('imports responses from NDJSON and CSV, nested fields as dotted columns; derived keys make the CSV rows duplicates', async () => {
    const responses = () =>
      demo.database.prisma.response.count({
        where: {
          OR: [{ idempotencyKey: { startsWith: 'import:' } }, { idempotencyKey: 'app:2905:newsletter' }],
        },
      });
    const before = await responses();
    const ndjson = await runImport(['responses', example('responses.ndjson')]);
    expect(ndjson.status, ndjson.stderr).toBe(0);
    expect(counts(ndjson)).toEqual({ accepted: 3, duplicate: 0, rejected: 0 });
    expect((await responses()) - before).toBe(3);
    const objection = await demo.database.prisma.objectionCase.count();
    expect(objection).toBeGreaterThan(0);

    const csv = file(
      'responses.csv',
      [
        'subjectRef,purposeKey,kind,channel,noticeKey,versionNumber,locale,occurredAt,actor,collectionMethod,objection.grounds,objection.directMarketing,idempotencyKey',
        'demo-user-2901,newsletter,CONSENT_GIVEN,EMAIL,privacy-policy,4,de,2026-11-30T12:45:00Z,SUBJECT,EMAIL_LINK,,,',
        'demo-user-2904,ai-training,OBJECTED,IN_APP,,,,2026-11-30T09:30:00Z,,,I do not want my posts used to train models.,,',
        'demo-user-2905,newsletter,CONSENT_REFUSED,IN_APP,privacy-policy,4,en,2026-11-30T09:21:00Z,,,,,app:2905:newsletter',
        'demo-user-2906,ai-training,OBJECTED,EMAIL,,,,2026-11-30T09:40:00Z,,,,TRUE,',
        '',
      ].join('\n'),
    );
    const again = await runImport(['responses', csv]);
    expect(again.status, again.stderr).toBe(0);
    expect(counts(again)).toEqual({ accepted: 1, duplicate: 3, rejected: 0 });
    expect((await responses()) - before).toBe(4);
  });

  it('writes rejected NDJSON rows to an NDJSON file, with a `rejected` object in front', async () => {
    const lines = [
      '{"subjectRef":"demo-user-2910","purposeKey":"newsletter","kind":"CONSENT_WITHDRAWN","channel":"EMAIL","occurredAt":"2026-11-30T13:00:00Z"}',
      '{"subjectRef": ',
      '[1, 2]',
      '{"subjectRef":"demo-user-2910","purposeKey":"newsletter","kind":"CONSENT_GIVEN","channel":"EMAIL","occurredAt":"2026-11-30T13:01:00Z"}',
      '',
      '{"subjectRef":"demo-user-2910","purposeKey":"newsletter","kind":"MAYBE","channel":"EMAIL","occurredAt":"2026-11-30T13:02:00Z","colour":"red"}',
      '{"rejected":{"line":1},"subjectRef":"demo-user-2911","purposeKey":"no-such-purpose","kind":"OBJECTED","channel":"EMAIL","occurredAt":"2026-11-30T13:03:00Z"}',
    ];
    const path = join(directory, 'answers.ndjson');
    writeFileSync(
      path,
      Buffer.concat([Buffer.from(`${lines.join('\n')}\n`), Buffer.from([0x7b, 0xff, 0x7d, 0x0a])]),
    );
    const run = await runImport(['responses', path]);
    expect(run.status).toBe(1);
    expect(counts(run)).toEqual({ accepted: 1, duplicate: 0, rejected: 6 });
    const rejects = readFileSync(join(directory, 'answers.rejects.ndjson'), 'utf8')
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(rejects.map((row) => [row.rejected.line, row.rejected.code])).toEqual([
      [2, 'IMPORT_MALFORMED_ROW'],
      [3, 'IMPORT_MALFORMED_ROW'],
      [4, 'CONSENT_NOTICE_REQUIRED'],
      [6, 'VALIDATION_FAILED'],
      [7, 'PURPOSE_NOT_FOUND'],
      [8, 'IMPORT_MALFORMED_ROW'],
    ]);
    expect(rejects[0]).toEqual({
      rejected: {
        line: 2,
        code: 'IMPORT_MALFORMED_ROW',
        message: expect.stringMatching(/^Not JSON: /),
        text: '{"subjectRef": ',
      },
    });
    expect(rejects[1].rejected.message).toBe('A line must be one JSON object.');
    expect(rejects[2]).toMatchObject({ subjectRef: 'demo-user-2910', kind: 'CONSENT_GIVEN' });
    expect(readFileSync(join(repoRoot, 'docs', 'import.md'), 'utf8'), 'docs/import.md shows it').toContain(
      JSON.stringify(rejects[2]),
    );
    expect(rejects[3].rejected.message).toMatch(/kind.*MAYBE/);
    expect(rejects[3].rejected.message).toMatch(/colour/);
    expect(rejects[4]).toMatchObject({
      rejected: { line: 7, code: 'PURPOSE_NOT_FOUND' },
      purposeKey: 'no-such-purpose',
    });
    expect(rejects[5].rejected).toEqual({
      line: 8,
      code: 'IMPORT_MALFORMED_ROW',
      message: 'The line is not UTF-8.',
      text: null,
    });
  });
});

describe('the server and the terminal', { timeout: heavyTestTimeout }, () => {
  it('stops at a refused key or role with one coded line', async () => {
    const path = example('events.csv');
    const invalid = await runImport(['events', path], { env: { NOTARIUM_API_KEY: 'ntr_nothing_here' } });
    expect(invalid.status).toBe(1);
    expect(invalid.stderr).toBe('API_KEY_INVALID: The API key is not valid. Check NOTARIUM_API_KEY.\n');
    expect(counts(invalid)).toEqual({ accepted: 0, duplicate: 0, rejected: 0 });
    const reader = await runImport(['events', path], { env: { NOTARIUM_API_KEY: demo.keys.reader } });
    expect(reader.status).toBe(1);
    expect(reader.stderr).toMatch(/^FORBIDDEN: .* Importing needs a NOTIFIER or ADMIN key\.\n$/);
    const missing = await runImport(['events', path], { env: {} });
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(
      /^IMPORT_API_KEY_MISSING: Set NOTARIUM_API_KEY to a NOTIFIER or ADMIN key/,
    );
  });

  it('waits as long as a 429 asks and sends again', async () => {
    let clock = Date.UTC(2027, 0, 1, 12, 0, 30);
    const app = createApp({
      config: { environment: 'test' },
      database: demo.database,
      logger: createLogger('silent'),
      limits: { rateLimiter: memoryRateLimiter(1, () => clock) },
    });
    const waits: number[] = [];
    const path = file(
      'limited.csv',
      'notificationIdempotencyKey,type,occurredAt\nlimited:1,SENT,2026-11-30T15:00:00Z\nlimited:2,SENT,2026-11-30T15:00:00Z\nlimited:3,SENT,2026-11-30T15:00:00Z\n',
    );
    const run = await runImport(['events', path, '--batch-size', '1', '--concurrency', '1'], {
      fetch: (url, init) => app.fetch(new Request(url, init)),
      sleep: async (ms) => {
        waits.push(ms);
        clock += ms;
      },
    });
    expect(run.status, run.stderr).toBe(0);
    expect(counts(run)).toEqual({ accepted: 3, duplicate: 0, rejected: 0 });
    expect(waits).toEqual([30_000, 60_000]);
  });

  it('shows rows, rows/s, the share of the file and the time left on a terminal only', async () => {
    let clock = 0;
    const path = file('progress.csv', peopleFile(2990, 6, '2026-11-30T16:00:00Z'));
    let stderr = '';
    const run = await runImport(['notifications', path, '--batch-size', '2', '--concurrency', '1'], {
      now: () => {
        clock += 1000;
        return clock;
      },
      stderr: {
        write: (text) => {
          stderr += text;
        },
        isTTY: true,
      },
    });
    expect(run.status).toBe(0);
    const drawn = stderr.split('\r\x1b[2K').filter((text) => text !== '');
    expect(drawn).toHaveLength(3);
    expect(drawn[0]).toMatch(/^2 rows {2}\d+ rows\/s {2}\d+ % {2}ETA 0:0\d$/);
    expect(drawn[2]).toMatch(/^6 rows {2}\S+ rows\/s {2}100 % {2}ETA 0:00$/);
    expect(stderr.endsWith('\r\x1b[2K'), 'the line is cleared before the summary').toBe(true);
  });
});
