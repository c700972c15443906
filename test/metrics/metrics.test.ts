import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { createLogger } from '../../src/log/logger.js';
import { OperationLabels } from '../../src/metrics/operation-name.js';
import { makeKey, makeTenant } from '../support/factories.js';
import { publishedNotice } from '../support/notice-fixtures.js';
import { useTestApp } from '../support/test-app.js';

type Fetcher = { fetch(request: Request): Promise<Response> };

async function post(app: Fetcher, key: string, body: object): Promise<Record<string, unknown>> {
  const response = await app.fetch(
    new Request('http://notarium.test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify(body),
    }),
  );
  return (await response.json()) as Record<string, unknown>;
}

async function scrape(app: Fetcher, headers: Record<string, string> = {}): Promise<string> {
  const response = await app.fetch(new Request('http://notarium.test/metrics', { headers }));
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toContain('text/plain');
  return response.text();
}

/** The value of one series (0 when absent): `name{label="value",…}` with exactly these labels. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  const wanted = Object.entries(labels)
    .map(([key, value]) => `${key}="${value}"`)
    .sort()
    .join(',');
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const have = (match[2] ?? '')
      .split(/,(?=[a-zA-Z_]+=")/)
      .filter(Boolean)
      .sort()
      .join(',');
    if (have === wanted) return Number(match[3]);
  }
  return 0;
}

const recordMutation = `mutation Record($input: RecordNotificationsInput!) {
  recordNotifications(input: $input) { ... on RecordNotificationsPayload { accepted rejected } }
}`;

function notificationItem(subjectRef: string, versionNumber = 1) {
  return {
    subjectRef,
    noticeKey: 'privacy-policy',
    versionNumber,
    channel: 'EMAIL',
    locale: 'en',
    occurredAt: new Date(Date.now() - 60_000).toISOString(),
    idempotencyKey: `k-${Math.random().toString(36).slice(2)}`,
  };
}

describe('/metrics', () => {
  const t = useTestApp();

  it('counts operations by name, errors by code, records accepted and items rejected by code', async () => {
    const { keys } = await makeTenant(t.database.prisma);
    await publishedNotice(t.app, keys.EDITOR, 'privacy-policy', 'core');
    const subjectRef = 'metrics-subject-4711@example.org';
    const before = await scrape(t.app);

    const answer = await post(t.app, keys.NOTIFIER, {
      query: recordMutation,
      operationName: 'Record',
      variables: {
        input: {
          items: [
            notificationItem(subjectRef),
            notificationItem(subjectRef),
            notificationItem(subjectRef, 9),
          ],
        },
      },
    });
    expect(answer).toEqual({ data: { recordNotifications: { accepted: 2, rejected: 1 } } });
    // A READER may not record: one FORBIDDEN error in an executed operation.
    await post(t.app, keys.READER, {
      query: recordMutation,
      operationName: 'Record',
      variables: { input: { items: [notificationItem(subjectRef)] } },
    });
    await post(t.app, keys.READER, { query: '{ viewer { role } }' });
    // Documents that never execute are counted by the code the client sees.
    await post(t.app, keys.READER, { query: 'query Broken { noSuchField }' });
    await post(t.app, keys.READER, { query: '{ viewer {' });

    const after = await scrape(t.app);
    const delta = (name: string, labels: Record<string, string> = {}) =>
      sample(after, name, labels) - sample(before, name, labels);
    const record = { operationName: 'Record', operationType: 'mutation' };
    expect(delta('graphql_envelop_request', record)).toBe(2);
    expect(delta('graphql_envelop_request', { operationName: 'anonymous', operationType: 'query' })).toBe(1);
    expect(delta('graphql_envelop_request_duration_count', record)).toBe(2);
    expect(delta('graphql_envelop_error_result', { ...record, phase: 'execute', code: 'FORBIDDEN' })).toBe(1);
    expect(delta('graphql_yoga_http_duration_count', { ...record, method: 'POST', statusCode: '200' })).toBe(
      2,
    );
    expect(delta('notarium_records_accepted_total', { kind: 'notification' })).toBe(2);
    const rejectedCode = /notarium_batch_items_rejected_total\{kind="notification",code="([A-Z_]+)"\}/.exec(
      after,
    )?.[1];
    expect(rejectedCode).toBeDefined();
    expect(
      delta('notarium_batch_items_rejected_total', { kind: 'notification', code: rejectedCode as string }),
    ).toBe(1);
    const phaseCount = (phase: string, code: string) =>
      [
        ...after.matchAll(
          new RegExp(`^graphql_envelop_error_result\\{[^}]*phase="${phase}",code="${code}"\\} (\\d+)$`, 'gm'),
        ),
      ]
        .map((match) => Number(match[1]))
        .reduce((sum, value) => sum + value, 0);
    expect(phaseCount('validate', 'GRAPHQL_VALIDATION_FAILED')).toBeGreaterThanOrEqual(1);
    expect(phaseCount('parse', 'GRAPHQL_PARSE_FAILED')).toBeGreaterThanOrEqual(1);
    expect(after).not.toMatch(/^graphql_envelop_error_result\{[^}]*code="NONE"\} [1-9]/m);
    expect(after).not.toContain(subjectRef);
  });

  it('counts eligibility decisions by verdict and regulator queries', async () => {
    const { controller, keys } = await makeTenant(t.database.prisma);
    await publishedNotice(t.app, keys.EDITOR, 'privacy-policy', 'core');
    await post(t.app, keys.NOTIFIER, {
      query: recordMutation,
      variables: { input: { items: [notificationItem('eligible-a'), notificationItem('eligible-b')] } },
    });
    const before = await scrape(t.app);
    const eligibility = await post(t.app, keys.AUDITOR, {
      query: `query Eligibility { a: subject(ref: "eligible-a") { eligibility(purposeKey: "core") { ... on EligibilityResult { decision } } }
        b: subject(ref: "eligible-b") { eligibility(purposeKey: "core") { ... on EligibilityResult { decision } } } }`,
    });
    const regulator = await makeKey(t.database.prisma, controller.id, 'REGULATOR');
    await post(t.app, regulator.secret, { query: '{ viewer { role } }' });
    await post(t.app, regulator.secret, { query: '{ viewer { role } }' });
    const after = await scrape(t.app);

    const data = eligibility.data as Record<string, { eligibility: { decision: string } }>;
    const verdicts = [data.a?.eligibility.decision, data.b?.eligibility.decision];
    expect(
      verdicts.every((verdict) => verdict === 'ALLOWED' || verdict === 'DENIED'),
      JSON.stringify(eligibility),
    ).toBe(true);
    for (const verdict of ['ALLOWED', 'DENIED']) {
      expect(
        sample(after, 'notarium_eligibility_decisions_total', { verdict }) -
          sample(before, 'notarium_eligibility_decisions_total', { verdict }),
      ).toBe(verdicts.filter((decision) => decision === verdict).length);
    }
    expect(
      sample(after, 'notarium_regulator_queries_total') - sample(before, 'notarium_regulator_queries_total'),
    ).toBe(2);
  });

  it('reports the database connections', async () => {
    const text = await scrape(t.app);
    if (t.database.kind === 'postgres') {
      expect(text).toMatch(/^notarium_db_pool_connections \d+$/m);
      expect(text).toMatch(/^notarium_db_pool_idle_connections \d+$/m);
      expect(text).toMatch(/^notarium_db_pool_waiting_requests 0$/m);
    } else {
      expect(text).toMatch(/^notarium_db_statements_in_flight 0$/m);
    }
    expect(text).toContain('process_resident_memory_bytes');
  });

  it('never turns a client-chosen operation name into a label of its own', async () => {
    const { keys } = await makeTenant(t.database.prisma);
    const hostile = 'user:4711@example.org';
    await post(t.app, keys.READER, { query: 'query Q { viewer { role } }', operationName: hostile });
    const text = await scrape(t.app);
    expect(text).not.toContain(hostile);
    const labels = new OperationLabels(2);
    expect(
      ['A', 'B', 'C', 'A', hostile, undefined, 'x'.repeat(65)].map((name) => labels.label(name)),
    ).toEqual(['A', 'B', 'other', 'A', 'invalid', 'anonymous', 'invalid']);
  });
});

describe('/metrics access', () => {
  const t = useTestApp();

  it('asks for METRICS_TOKEN when one is set, and is not served in production without one', async () => {
    const logger = createLogger('silent');
    const token = 'metrics-token-0123456789';
    const guarded = createApp({
      config: { environment: 'production', metricsToken: token },
      database: t.database,
      logger,
    });
    const refused = await guarded.fetch(new Request('http://notarium.test/metrics'));
    expect(refused.status).toBe(401);
    const wrong = await guarded.fetch(
      new Request('http://notarium.test/metrics', { headers: { authorization: `Bearer ${token}x` } }),
    );
    expect(wrong.status).toBe(401);
    expect(await scrape(guarded, { authorization: `Bearer ${token}` })).toContain('graphql_envelop_request');

    const closed = createApp({ config: { environment: 'production' }, database: t.database, logger });
    expect((await closed.fetch(new Request('http://notarium.test/metrics'))).status).toBe(404);
  });
});
