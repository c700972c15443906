import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, createApp } from '../../../src/app.js';
import { createLogger } from '../../../src/log/logger.js';
import { retryDelayMs } from '../../../src/modules/webhook/webhook-retry.policy.js';
import { WebhookWorker } from '../../../src/modules/webhook/webhook-worker.js';
import { graphql } from '../../graphql/index.js';
import { execute, expectData } from '../../support/client.js';
import { makeTenant } from '../../support/factories.js';
import { publishedNotice, revisePurpose } from '../../support/notice-fixtures.js';
import { openTestDatabase, type TestDatabase } from '../../support/test-database.js';
import { Receiver } from './receiver.js';

const CreateEndpoint = graphql(`
  mutation CreateWebhookEndpoint($input: CreateWebhookEndpointInput!) {
    createWebhookEndpoint(input: $input) {
      __typename
      ... on CreateWebhookEndpointPayload {
        secret
        endpoint {
          id
          url
          eventTypes
          disabledAt
        }
      }
      ... on Error {
        code
        message
      }
      ... on InputValidationError {
        issues {
          path
          message
        }
      }
    }
  }
`);

const Deliveries = graphql(`
  query WebhookDeliveries($status: WebhookDeliveryStatus, $endpointId: ID) {
    webhookDeliveries(first: 50, status: $status, endpointId: $endpointId) {
      edges {
        node {
          id
          status
          attempts
          nextAttemptAt
          lastResponseStatus
          lastError
          deliveredAt
          event {
            id
            sequence
            type
          }
          endpoint {
            id
          }
        }
      }
    }
  }
`);

const Redeliver = graphql(`
  mutation RedeliverWebhook($input: RedeliverWebhookInput!) {
    redeliverWebhook(input: $input) {
      __typename
      ... on WebhookDeliveryPayload {
        delivery {
          status
          attempts
        }
      }
      ... on Error {
        code
      }
    }
  }
`);

const Disable = graphql(`
  mutation DisableWebhookEndpoint($input: DisableWebhookEndpointInput!) {
    disableWebhookEndpoint(input: $input) {
      __typename
      ... on WebhookEndpointPayload {
        endpoint {
          disabledAt
        }
      }
      ... on Error {
        code
      }
    }
  }
`);

const Endpoints = graphql(`
  query WebhookEndpoints {
    webhookEndpoints(first: 20) {
      edges {
        node {
          id
          url
          disabledAt
        }
      }
    }
  }
`);

const RetireForWebhook = graphql(`
  mutation RetireForWebhook($input: NoticeVersionIdInput!) {
    retireNoticeVersion(input: $input) {
      __typename
    }
  }
`);

const hour = 3_600_000;
/** The receiver answers (500 or 2xx) in these phases: a timeout that never decides them. */
const workerOptions = { timeoutMs: 5 * 60_000, allowPrivateNetworks: true } as const;
/** The receiver never answers in this phase: any timeout fires, however fast the machine. */
const impatient = { timeoutMs: 100, allowPrivateNetworks: true } as const;

describe('webhooks', () => {
  let database: TestDatabase;
  const receiver = new Receiver();
  /** A server process: the app, on the shared database, allowing the local receiver. */
  const newApp = (allowPrivateNetworks = true): App =>
    createApp({
      config: { environment: 'test' },
      database,
      logger: createLogger('silent'),
      webhooks: { allowPrivateNetworks },
    });

  beforeAll(async () => {
    database = await openTestDatabase();
    await receiver.start();
  });
  afterAll(async () => {
    await receiver.stop();
    await database?.close();
  });

  async function createEndpoint(
    app: App,
    key: string,
    path: string,
    eventTypes?: ('PURPOSE_REVISED' | 'NOTICE_VERSION_PUBLISHED')[],
  ) {
    const created = expectData(
      await execute(app, CreateEndpoint, {
        key,
        variables: { input: { url: `${receiver.url}${path}`, description: `receiver ${path}`, eventTypes } },
      }),
    ).createWebhookEndpoint;
    if (created.__typename !== 'CreateWebhookEndpointPayload') throw new Error(JSON.stringify(created));
    receiver.set(path, 'FAIL', created.secret);
    return created;
  }

  async function deliveries(app: App, key: string, status?: 'PENDING' | 'SUCCEEDED' | 'DEAD') {
    return expectData(
      await execute(app, Deliveries, { key, variables: { status } }),
    ).webhookDeliveries.edges.map((edge) => edge.node);
  }

  it(
    'delivers every event at least once, signed, through a 500, a timeout and a restart; a receiver deduplicating by webhook-id processes each once',
    async () => {
      let app = newApp();
      const { keys } = await makeTenant(database.prisma);
      await createEndpoint(app, keys.ADMIN, '/main');
      const published = await publishedNotice(app, keys.EDITOR, 'hook-notice', 'hook-purpose');
      await revisePurpose(app, 'hook-purpose', keys.EDITOR, { retentionPeriodDays: 400 });
      // The worker's clock, an hour ahead of the wall clock so that everything queued by now is due.
      const t0 = new Date(Date.now() + hour);
      const at = (ms: number) => new Date(t0.getTime() + ms);
      const worker = new WebhookWorker(database, workerOptions);

      // 1. The receiver fails: both attempted, both retried 30 s later, not before.
      expect(await worker.runDue(t0)).toEqual({ attempted: 2, delivered: 0, failed: 2, dead: 0 });
      expect(await worker.runDue(at(29_000))).toMatchObject({ attempted: 0 });
      const failed = await deliveries(app, keys.ADMIN);
      expect(
        failed.map((d) => [d.status, d.attempts, d.lastResponseStatus, d.nextAttemptAt]),
        JSON.stringify(failed),
      ).toEqual([
        ['PENDING', 1, 500, at(30_000).toISOString()],
        ['PENDING', 1, 500, at(30_000).toISOString()],
      ]);

      // 2. The receiver hangs: the request timeout fires. While the attempt is in flight, another
      //    worker (another process) finds nothing to claim: the claim is a lease.
      receiver.set('/main', 'HANG');
      const hanging = new WebhookWorker(database, impatient).runDue(at(30_000));
      await receiver.arrived(4);
      expect(await new WebhookWorker(database, workerOptions).runDue(at(30_000))).toMatchObject({
        attempted: 0,
      });
      expect(await hanging).toEqual({ attempted: 2, delivered: 0, failed: 2, dead: 0 });
      const timedOut = await deliveries(app, keys.ADMIN);
      expect(timedOut.every((d) => d.attempts === 2 && d.lastResponseStatus === null)).toBe(true);
      expect(timedOut[0]!.lastError).toMatch(/no answer within 100 ms/);

      // 3. Restart: the worker and the app stop; a new process on the same database carries on,
      //    and a change made through it is queued too.
      await worker.stop();
      app = newApp();
      const restarted = new WebhookWorker(database, workerOptions);
      const retired = expectData(
        await execute(app, RetireForWebhook, {
          key: keys.EDITOR,
          variables: { input: { id: published.id } },
        }),
      ).retireNoticeVersion;
      expect(retired.__typename).toBe('NoticeVersionPayload');

      // 4. The receiver recovers: all three delivered.
      receiver.set('/main', 'OK');
      expect(await restarted.runDue(at(30_000 + 120_000))).toEqual({
        attempted: 3,
        delivered: 3,
        failed: 0,
        dead: 0,
      });
      const done = await deliveries(app, keys.ADMIN);
      expect(done.map((d) => d.status)).toEqual(['SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED']);
      const eventIds = done.map((d) => d.event.id).sort();

      const main = receiver.received.filter((r) => r.path === '/main');
      expect(main.every((r) => r.signatureValid)).toBe(true);
      expect([...new Set(main.map((r) => r.id))].sort()).toEqual(eventIds);
      // At least once: the first two events arrived three times each (500, timeout, 204)…
      expect(main.length).toBe(7);
      // …and the deduplicating receiver processed each event exactly once.
      expect([...receiver.processed].filter((p) => p.startsWith('/main ')).sort()).toEqual(
        eventIds.map((id) => `/main ${id}`),
      );

      // The body is Standard Webhooks' type/timestamp/data, the same on every attempt.
      const bodies = new Map<string, Set<string>>();
      for (const r of main) bodies.set(r.id, (bodies.get(r.id) ?? new Set()).add(r.body));
      expect([...bodies.values()].every((set) => set.size === 1)).toBe(true);
      const first = JSON.parse(main[0]!.body) as {
        type: string;
        timestamp: string;
        data: Record<string, unknown>;
      };
      expect(first.type).toBe('notice.version.published');
      expect(first.data).toMatchObject({
        id: main[0]!.id,
        sequence: 1,
        resourceId: published.id,
        noticeKey: 'hook-notice',
      });
      expect(main[0]!.timestamp).toBe(Math.floor(t0.getTime() / 1000));

      // 5. Redelivery of a delivered event: sent again with the same webhook-id; not processed twice.
      const again = expectData(
        await execute(app, Redeliver, { key: keys.ADMIN, variables: { input: { id: done[0]!.id } } }),
      ).redeliverWebhook;
      expect(again).toEqual({
        __typename: 'WebhookDeliveryPayload',
        delivery: { status: 'PENDING', attempts: 0 },
      });
      expect(await restarted.runDue(at(hour))).toMatchObject({ attempted: 1, delivered: 1 });
      expect(receiver.received.filter((r) => r.path === '/main').length).toBe(8);
      expect(receiver.processed.filter((p) => p.startsWith('/main ')).length).toBe(3);
      await restarted.stop();
    },
    5 * 60_000,
  );

  it(
    'retries on the documented schedule, then keeps the delivery as a dead letter until it is redelivered',
    async () => {
      const app = newApp();
      const { keys } = await makeTenant(database.prisma);
      const other = await makeTenant(database.prisma);
      const endpoint = await createEndpoint(app, keys.ADMIN, '/dead', ['PURPOSE_REVISED']);
      expect(endpoint.endpoint!.eventTypes).toEqual(['PURPOSE_REVISED']);
      await publishedNotice(app, keys.EDITOR, 'dead-notice', 'dead-purpose'); // not a type it wants
      await revisePurpose(app, 'dead-purpose', keys.EDITOR, { retentionPeriodDays: 500 });
      const worker = new WebhookWorker(database, workerOptions);
      let now = new Date(Date.now() + hour);
      for (let attempt = 1; attempt <= 8; attempt++) {
        const round = await worker.runDue(now);
        expect(round, `attempt ${attempt}`).toEqual({
          attempted: 1,
          delivered: 0,
          failed: 1,
          dead: attempt === 8 ? 1 : 0,
        });
        const delay = retryDelayMs(attempt);
        if (delay !== null) {
          expect(await worker.runDue(new Date(now.getTime() + delay - 1))).toMatchObject({ attempted: 0 });
          now = new Date(now.getTime() + delay);
        }
      }
      expect(await worker.runDue(new Date(now.getTime() + 30 * 24 * hour))).toMatchObject({ attempted: 0 });
      const [dead, ...more] = await deliveries(app, keys.ADMIN, 'DEAD');
      expect(more).toEqual([]);
      expect(dead).toMatchObject({
        status: 'DEAD',
        attempts: 8,
        nextAttemptAt: null,
        lastResponseStatus: 500,
        lastError: 'answered HTTP 500',
        event: { type: 'PURPOSE_REVISED' },
        endpoint: { id: endpoint.endpoint!.id },
      });

      // Another controller cannot see or redeliver it.
      expect(await deliveries(app, other.keys.ADMIN)).toEqual([]);
      const foreign = expectData(
        await execute(app, Redeliver, { key: other.keys.ADMIN, variables: { input: { id: dead!.id } } }),
      ).redeliverWebhook;
      expect(foreign).toEqual({ __typename: 'NotFoundError', code: 'NOT_FOUND' });
      // Only ADMIN keys manage webhooks.
      const refused = await execute(app, Redeliver, {
        key: keys.AUDITOR,
        variables: { input: { id: dead!.id } },
      });
      expect(refused.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');

      receiver.set('/dead', 'OK');
      expect(
        expectData(await execute(app, Redeliver, { key: keys.ADMIN, variables: { input: { id: dead!.id } } }))
          .redeliverWebhook,
      ).toMatchObject({ delivery: { status: 'PENDING', attempts: 0 } });
      expect(await worker.runDue(new Date(now.getTime() + hour))).toMatchObject({
        attempted: 1,
        delivered: 1,
      });
      expect((await deliveries(app, keys.ADMIN, 'SUCCEEDED')).map((d) => d.id)).toEqual([dead!.id]);

      // Disabled: new events queue nothing for it, and its deliveries cannot be redelivered.
      const disabled = expectData(
        await execute(app, Disable, { key: keys.ADMIN, variables: { input: { id: endpoint.endpoint!.id } } }),
      ).disableWebhookEndpoint;
      expect(disabled.__typename).toBe('WebhookEndpointPayload');
      await revisePurpose(app, 'dead-purpose', keys.EDITOR, { retentionPeriodDays: 600 });
      expect(await deliveries(app, keys.ADMIN)).toHaveLength(1);
      const blocked = expectData(
        await execute(app, Redeliver, { key: keys.ADMIN, variables: { input: { id: dead!.id } } }),
      ).redeliverWebhook;
      expect(blocked).toEqual({ __typename: 'ForbiddenStateError', code: 'FORBIDDEN_BY_STATE' });
      await worker.stop();
    },
    5 * 60_000,
  );

  it('shows the secret once, lists endpoints per controller, and refuses private and malformed URLs', async () => {
    const app = newApp(false);
    const { keys } = await makeTenant(database.prisma);
    const other = await makeTenant(database.prisma);
    const create = async (key: string, url: string) =>
      expectData(await execute(app, CreateEndpoint, { key, variables: { input: { url } } }))
        .createWebhookEndpoint;
    const created = await create(keys.ADMIN, 'https://hooks.example.com/notarium');
    if (created.__typename !== 'CreateWebhookEndpointPayload') throw new Error(JSON.stringify(created));
    expect(created.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(created.secret.slice(6), 'base64')).toHaveLength(32);
    const listed = expectData(
      await execute(app, Endpoints, { key: keys.ADMIN, variables: {} }),
    ).webhookEndpoints;
    expect(listed.edges.map((edge) => edge.node.url)).toEqual(['https://hooks.example.com/notarium']);
    expect(JSON.stringify(listed)).not.toContain(created.secret);
    expect(
      expectData(await execute(app, Endpoints, { key: other.keys.ADMIN, variables: {} })).webhookEndpoints
        .edges,
    ).toEqual([]);
    for (const url of [
      'http://127.0.0.1:8080/hook',
      'http://localhost/hook',
      'http://[::1]/hook',
      'http://169.254.169.254/latest/meta-data',
      'http://10.1.2.3/hook',
      'http://[::ffff:192.168.0.1]/hook',
      'ftp://hooks.example.com/x',
      'https://user:password@hooks.example.com/x',
      'not a url',
    ]) {
      const refused = await create(keys.ADMIN, url);
      expect(refused, url).toMatchObject({ __typename: 'InputValidationError', code: 'VALIDATION_FAILED' });
    }
    const editor = await execute(app, CreateEndpoint, {
      key: keys.EDITOR,
      variables: { input: { url: 'https://hooks.example.com/x' } },
    });
    expect(editor.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});
