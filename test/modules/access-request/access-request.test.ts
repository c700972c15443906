import { describe, expect, it } from 'vitest';
import type { AccessReport } from '../../../src/modules/access-request/access-request.service.js';
import { graphql } from '../../graphql/index.js';
import { execute, expectData } from '../../support/client.js';
import { makeTenant } from '../../support/factories.js';
import { publishedNotice } from '../../support/notice-fixtures.js';
import { RecordSeed } from '../../support/record-seed.js';
import { useTestApp } from '../../support/test-app.js';

const Access = graphql(`
  query AccessReportOf($ref: String!) {
    accessRequest(subjectRef: $ref) {
      format
      subjectId
      notificationCount
      responseCount
      document
    }
  }
`);

describe('access requests (GDPR Art. 15)', () => {
  const t = useTestApp();

  /** Records `count` notifications, each with two events, and one response per notification. */
  async function seed(key: string, ref: string, count: number) {
    const at = (i: number) => new Date(Date.now() - (count - i) * 10_000).toISOString();
    const keys = Array.from({ length: count }, (_, i) => `${ref}:n${i}`);
    expectData(
      await execute(t.app, RecordSeed, {
        key,
        variables: {
          n: {
            items: keys.map((idempotencyKey, i) => ({
              subjectRef: ref,
              noticeKey: 'privacy-policy',
              versionNumber: 1,
              channel: 'EMAIL' as const,
              locale: 'en',
              occurredAt: at(i),
              idempotencyKey,
            })),
          },
          e: {
            items: keys.flatMap((notificationIdempotencyKey, i) => [
              { notificationIdempotencyKey, type: 'SENT' as const, occurredAt: at(i) },
              { notificationIdempotencyKey, type: 'DELIVERED' as const, occurredAt: at(i) },
            ]),
          },
          r: {
            items: keys.map((k, i) => ({
              subjectRef: ref,
              purposeKey: 'core',
              kind: i % 2 === 0 ? ('OBJECTED' as const) : ('OBJECTION_WITHDRAWN' as const),
              occurredAt: at(i),
              channel: 'EMAIL' as const,
              idempotencyKey: `r:${k}`,
            })),
          },
        },
      }),
    );
  }

  it('answers with every notification, its text and events, every response, states and verdicts, in a fixed number of statements', async () => {
    const { keys } = await makeTenant(t.database.prisma);
    await publishedNotice(t.app, keys.EDITOR, 'privacy-policy', 'core');
    await seed(keys.NOTIFIER, 'ann', 1);
    await seed(keys.NOTIFIER, 'bob', 6);

    const measure = (ref: string) =>
      t.database.counter.measure(() => execute(t.app, Access, { key: keys.AUDITOR, variables: { ref } }));
    await measure('ann'); // warms the key cache and the per-controller settings
    const one = await measure('ann');
    const six = await measure('bob');
    expect(six.count).toBe(one.count);

    const report = expectData(six.result).accessRequest!;
    expect(report).toMatchObject({
      format: 'notarium.access-report.v1',
      notificationCount: 6,
      responseCount: 6,
    });
    const document = report.document as AccessReport;
    expect(document.notifications).toHaveLength(6);
    expect(document.notifications[0]).toMatchObject({
      channel: 'EMAIL',
      notice: { key: 'privacy-policy', versionNumber: 1, text: { locale: 'en', body: expect.any(String) } },
      messageTemplate: null,
      events: [{ type: 'SENT' }, { type: 'DELIVERED' }],
    });
    // Events at the same instant come in lifecycle order, never in the order of their random IDs.
    expect(document.notifications.map((n) => n.events.map((e) => e.type))).toEqual(
      Array.from({ length: 6 }, () => ['SENT', 'DELIVERED']),
    );
    expect(document.responses.map((r) => r.kind)).toContain('OBJECTION_WITHDRAWN');
    expect(document.purposeStates).toEqual([
      expect.objectContaining({ purposeKey: 'core', objection: expect.any(String) }),
    ]);
    expect(document.eligibility).toEqual([
      expect.objectContaining({ purposeKey: 'core', decision: expect.any(String), rule: expect.any(String) }),
    ]);
    // Unknown people get null, not an error.
    expect(
      expectData(await execute(t.app, Access, { key: keys.AUDITOR, variables: { ref: 'nobody' } }))
        .accessRequest,
    ).toBeNull();
  });

  it('is ADMIN and AUDITOR only, and never shows another controller’s people', async () => {
    const a = await makeTenant(t.database.prisma);
    const b = await makeTenant(t.database.prisma);
    await publishedNotice(t.app, a.keys.EDITOR, 'privacy-policy', 'core');
    await seed(a.keys.NOTIFIER, 'shared-ref', 2);
    for (const role of ['EDITOR', 'NOTIFIER', 'READER'] as const) {
      const denied = await execute(t.app, Access, { key: a.keys[role], variables: { ref: 'shared-ref' } });
      expect(denied.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    }
    expect(
      expectData(await execute(t.app, Access, { key: a.keys.ADMIN, variables: { ref: 'shared-ref' } }))
        .accessRequest,
    ).toMatchObject({ notificationCount: 2 });
    expect(
      expectData(await execute(t.app, Access, { key: b.keys.ADMIN, variables: { ref: 'shared-ref' } }))
        .accessRequest,
    ).toBeNull();
    const download = (key: string, body: unknown) =>
      t.app.fetch(
        new Request('http://localhost/access-request', {
          method: 'POST',
          headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
          body: JSON.stringify(body),
        }),
      );
    expect((await download(b.keys.ADMIN, { subjectRef: 'shared-ref' })).status).toBe(404);
    expect((await download(a.keys.READER, { subjectRef: 'shared-ref' })).status).toBe(403);
    expect((await download(a.keys.ADMIN, { nothing: true })).status).toBe(400);
  });

  it('downloads the same document as a JSON file and records the disclosure without the reference', async () => {
    const { controller, keys } = await makeTenant(t.database.prisma);
    await publishedNotice(t.app, keys.EDITOR, 'privacy-policy', 'core');
    await seed(keys.NOTIFIER, 'carol@example.org', 2);
    const response = await t.app.fetch(
      new Request('http://localhost/access-request', {
        method: 'POST',
        headers: { authorization: `Bearer ${keys.ADMIN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ subjectRef: 'carol@example.org' }),
      }),
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('content-disposition')).toMatch(
      /^attachment; filename="access-report-[0-9a-f-]+\.json"$/,
    );
    const document = (await response.json()) as AccessReport;
    const viaGraphql = expectData(
      await execute(t.app, Access, { key: keys.ADMIN, variables: { ref: 'carol@example.org' } }),
    ).accessRequest!.document as AccessReport;
    expect({ ...document, generatedAt: null, eligibility: null }).toEqual({
      ...viaGraphql,
      generatedAt: null,
      eligibility: null,
    });
    const audits = await t.database.prisma.auditEntry.findMany({
      where: { controllerId: controller.id, action: 'subject:access' },
    });
    expect(audits).toHaveLength(2);
    expect(JSON.stringify(audits)).not.toContain('carol');
  });
});
