import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { NotificationInput } from '../../graphql/graphql.js';
import { graphql } from '../../graphql/index.js';
import { execute, expectData, rawId } from '../../support/client.js';
import { makeTenant } from '../../support/factories.js';
import { publishedNoticeAsOf } from '../../support/notice-fixtures.js';
import { useTestApp } from '../../support/test-app.js';
import { payloadOf, writeCounts } from '../notification/bulk-write.js';
import { publishTemplate } from './template-fixtures.js';

const Record = graphql(`
  mutation RecordTemplatedNotifications($input: RecordNotificationsInput!) {
    recordNotifications(input: $input) {
      __typename
      ...BulkOutcome
      ... on RecordNotificationsPayload {
        items {
          error {
            message
          }
        }
      }
    }
  }
`);

const RecordColumns = graphql(`
  mutation RecordTemplatedColumns($input: RecordNotificationColumnsInput!) {
    recordNotificationColumns(input: $input) {
      __typename
      ...BulkOutcome
      ... on InputValidationError {
        issues {
          path
          message
        }
      }
    }
  }
`);

const Messages = graphql(`
  query NotificationMessages($ref: String!, $first: Int!) {
    subject(ref: $ref) {
      notifications(first: $first) {
        edges {
          node {
            idempotencyKey
            contentHash
            message {
              id
              key
              revision
              channel
              locale
              subject
              body
              linkTarget
              contentHash
            }
          }
        }
      }
    }
  }
`);

const ProofMessages = graphql(`
  query ProofMessages($ref: String!) {
    subject(ref: $ref) {
      notificationProof(noticeKey: "privacy-policy", version: 1) {
        ... on NotificationProof {
          notifications {
            notification {
              idempotencyKey
              message {
                revision
                contentHash
              }
            }
          }
        }
      }
    }
  }
`);

const dayMs = 24 * 60 * 60 * 1000;

/** A tenant with notice version 1 (en, de) published two days ago and templates published now. */
async function tenantWithTemplates(t: ReturnType<typeof useTestApp>) {
  const tenant = await makeTenant(t.database.prisma);
  const { keys } = tenant;
  await publishedNoticeAsOf(
    t.app,
    t.database,
    keys.EDITOR,
    'privacy-policy',
    new Date(Date.now() - 2 * dayMs),
    'core',
  );
  const emailEn1 = await publishTemplate(t.app, keys.EDITOR, { body: 'First wording' });
  const emailEn2 = await publishTemplate(t.app, keys.EDITOR, { body: 'Second wording' });
  const emailDe1 = await publishTemplate(t.app, keys.EDITOR, {
    locale: 'de',
    subject: 'Wir haben unseren Datenschutzhinweis geändert',
    body: 'Erste Fassung',
  });
  const smsEn1 = await publishTemplate(t.app, keys.EDITOR, {
    channel: 'SMS',
    subject: null,
    body: 'Privacy notice changed: {{link}}',
    linkTarget: '/privacy',
  });
  const templates = { emailEn1, emailEn2, emailDe1, smsEn1 };
  return {
    ...tenant,
    templates: Object.fromEntries(Object.entries(templates).map(([k, v]) => [k, v.messageTemplate])) as {
      [K in keyof typeof templates]: (typeof templates)[K]['messageTemplate'];
    },
  };
}

/** Sent after every template of the tenant was published. */
const justNow = () => new Date().toISOString();

function item(overrides: Partial<NotificationInput>): NotificationInput {
  return {
    subjectRef: 'alice',
    noticeKey: 'privacy-policy',
    versionNumber: 1,
    channel: 'EMAIL',
    locale: 'en',
    occurredAt: justNow(),
    idempotencyKey: `k-${Math.random().toString(36).slice(2)}`,
    ...overrides,
  };
}

async function record(t: ReturnType<typeof useTestApp>, key: string, items: NotificationInput[]) {
  const result = expectData(
    await execute(t.app, Record, { key, variables: { input: { items } } }),
  ).recordNotifications;
  return payloadOf(result, 'RecordNotificationsPayload');
}

const outcomes = (result: { items: { status: string; error?: { code: string } | null }[] }) =>
  result.items.map((entry) => entry.error?.code ?? entry.status);

describe('notifications that name their message template', () => {
  const t = useTestApp();

  it('records the items whose template fits and rejects each other one on its own', async () => {
    const { controller, keys, templates } = await tenantWithTemplates(t);
    const other = await makeTenant(t.database.prisma);
    await publishTemplate(t.app, other.keys.EDITOR, { key: 'their-template' });
    const beforeTemplates = new Date(new Date(templates.emailDe1.publishedAt).getTime() - 60 * 60_000);
    const withinTolerance = new Date(new Date(templates.emailDe1.publishedAt).getTime() - 60_000);
    const result = await record(t, keys.NOTIFIER, [
      item({ idempotencyKey: 'good', template: { key: 'notice-change', revision: 2 } }),
      item({ idempotencyKey: 'plain', subjectRef: 'bob' }),
      item({ idempotencyKey: 'unknown-key', template: { key: 'nope', revision: 1 } }),
      item({ idempotencyKey: 'unknown-revision', template: { key: 'notice-change', revision: 9 } }),
      item({
        idempotencyKey: 'wrong-channel',
        channel: 'PUSH',
        template: { key: 'notice-change', revision: 1 },
      }),
      item({ idempotencyKey: 'wrong-locale', locale: 'de', template: { key: 'notice-change', revision: 2 } }),
      item({
        idempotencyKey: 'before-template',
        occurredAt: beforeTemplates.toISOString(),
        template: { key: 'notice-change', revision: 1 },
      }),
      item({
        idempotencyKey: 'within-tolerance',
        subjectRef: 'carol',
        locale: 'de',
        occurredAt: withinTolerance.toISOString(),
        template: { key: 'notice-change', revision: 1 },
      }),
      item({ idempotencyKey: 'bad-ref', template: { key: 'Bad Key', revision: 0 } }),
      item({ idempotencyKey: 'their-template', template: { key: 'their-template', revision: 1 } }),
      item({ idempotencyKey: 'sms', channel: 'SMS', template: { key: 'notice-change', revision: 1 } }),
    ]);
    expect(outcomes(result)).toEqual([
      'ACCEPTED',
      'ACCEPTED',
      'TEMPLATE_NOT_FOUND',
      'TEMPLATE_NOT_FOUND',
      'TEMPLATE_MISMATCH',
      'TEMPLATE_MISMATCH',
      'SENT_BEFORE_TEMPLATE_PUBLICATION',
      'ACCEPTED',
      'VALIDATION_FAILED',
      'TEMPLATE_NOT_FOUND',
      'ACCEPTED',
    ]);
    expect(result).toMatchObject({ accepted: 4, rejected: 7, duplicates: 0 });
    expect(result.items[4]?.error?.message).toBe(
      "Template notice-change revision 1 exists for EMAIL/de, EMAIL/en, SMS/en, not for PUSH/en, the notification's channel and locale.",
    );
    expect(result.items[6]?.error?.message).toContain(`was published at ${templates.emailEn1.publishedAt}`);
    expect(result.items[8]?.error?.issues.map((issue) => issue.path.join('.')).sort()).toEqual([
      'template.key',
      'template.revision',
    ]);
    const stored = await t.database.prisma.notification.findMany({
      where: { controllerId: controller.id },
      select: { idempotencyKey: true, templateId: true },
      orderBy: { idempotencyKey: 'asc' },
    });
    expect(stored).toEqual([
      { idempotencyKey: 'good', templateId: rawId(templates.emailEn2.id) },
      { idempotencyKey: 'plain', templateId: null },
      { idempotencyKey: 'sms', templateId: rawId(templates.smsEn1.id) },
      { idempotencyKey: 'within-tolerance', templateId: rawId(templates.emailDe1.id) },
    ]);
  });

  it('writes nothing when every item names a template it may not use', async () => {
    const { controller, keys } = await tenantWithTemplates(t);
    const before = await writeCounts(t.database.prisma, controller.id);
    const result = await record(t, keys.NOTIFIER, [
      item({ template: { key: 'nope', revision: 1 } }),
      item({ channel: 'IN_APP', template: { key: 'notice-change', revision: 1 } }),
    ]);
    expect(outcomes(result)).toEqual(['TEMPLATE_NOT_FOUND', 'TEMPLATE_MISMATCH']);
    expect(result.batchId).toBeNull();
    expect(await writeCounts(t.database.prisma, controller.id)).toEqual(before);
  });

  it('looks every referenced template up in one statement, however many items name them', async () => {
    const { keys } = await tenantWithTemplates(t);
    const templatedItems = (count: number, prefix: string) =>
      Array.from({ length: count }, (_, index) =>
        item({
          subjectRef: `${prefix}-${index}`,
          idempotencyKey: `${prefix}-${index}`,
          locale: index % 2 ? 'de' : 'en',
          template: { key: 'notice-change', revision: 1 },
        }),
      );
    const lookups = async (items: NotificationInput[]) => {
      const { result, statements } = await t.database.counter.measure(() => record(t, keys.NOTIFIER, items));
      expect(result.accepted).toBe(items.length);
      return statements.filter((sql) => /"MessageTemplate"/.test(sql)).length;
    };
    expect(await lookups(templatedItems(2, 'few'))).toBe(1);
    expect(await lookups(templatedItems(40, 'many'))).toBe(1);
    expect(await lookups([item({ idempotencyKey: 'none' })])).toBe(0);
  });

  it('covers the template in the record hash: a retry naming another template is a conflict', async () => {
    const { keys, templates } = await tenantWithTemplates(t);
    const sent = justNow();
    const first = await record(t, keys.NOTIFIER, [
      item({ idempotencyKey: 'mail-1', occurredAt: sent, template: { key: 'notice-change', revision: 2 } }),
      item({ idempotencyKey: 'mail-2', occurredAt: sent }),
    ]);
    expect(first.accepted).toBe(2);
    const retry = await record(t, keys.NOTIFIER, [
      item({ idempotencyKey: 'mail-1', occurredAt: sent, template: { key: 'notice-change', revision: 2 } }),
      item({ idempotencyKey: 'mail-2', occurredAt: sent }),
    ]);
    expect(outcomes(retry)).toEqual(['DUPLICATE', 'DUPLICATE']);
    expect(retry.items.map((entry) => entry.recordId)).toEqual(first.items.map((entry) => entry.recordId));
    // Each retry on its own: within one call a repeated key is compared with its first occurrence.
    for (const changed of [
      item({ idempotencyKey: 'mail-1', occurredAt: sent, template: { key: 'notice-change', revision: 1 } }),
      item({ idempotencyKey: 'mail-1', occurredAt: sent }),
      item({ idempotencyKey: 'mail-2', occurredAt: sent, template: { key: 'notice-change', revision: 2 } }),
    ])
      expect(outcomes(await record(t, keys.NOTIFIER, [changed]))).toEqual(['IDEMPOTENCY_CONFLICT']);

    // The hash, recomputed by hand from docs/content-hash.md (record-hash format 2).
    const rows = await t.database.prisma.notification.findMany({
      where: {
        idempotencyKey: { in: ['mail-1', 'mail-2'] },
        id: { in: first.items.map((i) => rawId(i.recordId!)) },
      },
      orderBy: { idempotencyKey: 'asc' },
    });
    const [withTemplate, without] = rows;
    const expected = (row: NonNullable<typeof withTemplate>, template: string | null) => {
      const members =
        `{"campaign":null,"channel":"EMAIL","format":"notarium.notification.v2","locale":"en",` +
        `"occurredAt":${JSON.stringify(sent)},"subject":${JSON.stringify(row.subjectId)},` +
        `"template":${JSON.stringify(template)},"version":${JSON.stringify(row.versionId)}}`;
      return createHash('sha256').update(members, 'utf8').digest('hex');
    };
    expect(withTemplate!.hashFormat).toBe(2);
    expect(withTemplate!.contentHash).toBe(expected(withTemplate!, templates.emailEn2.contentHash));
    expect(without!.contentHash).toBe(expected(without!, null));
  });

  it('takes the template per row in the columnar form, with the same checks and hash', async () => {
    const { controller, keys, templates } = await tenantWithTemplates(t);
    const sent = justNow();
    const result = payloadOf(
      expectData(
        await execute(t.app, RecordColumns, {
          key: keys.NOTIFIER,
          variables: {
            input: {
              noticeKey: 'privacy-policy',
              versionNumber: 1,
              subjectRefs: ['c-0', 'c-1', 'c-2', 'c-3', 'c-4'],
              idempotencyKeys: ['col-0', 'col-1', 'col-2', 'col-3', 'col-4'],
              channels: ['EMAIL', 'EMAIL', 'EMAIL', 'SMS', 'EMAIL'],
              locales: ['de', 'en', 'en', 'en', 'en'],
              occurredAt: [sent, sent, sent, sent, sent],
              templateKeys: ['notice-change', null, 'notice-change', 'notice-change', null],
              templateRevisions: [1, null, null, 2, 1],
            },
          },
        }),
      ).recordNotificationColumns,
      'RecordNotificationsPayload',
    );
    expect(outcomes(result)).toEqual([
      'ACCEPTED',
      'ACCEPTED',
      'VALIDATION_FAILED',
      'TEMPLATE_MISMATCH',
      'VALIDATION_FAILED',
    ]);
    expect(result.items[2]?.error?.issues.map((issue) => issue.path.join('.'))).toEqual([
      'template.revision',
    ]);
    expect(result.items[4]?.error?.issues.map((issue) => issue.path.join('.'))).toEqual(['template.key']);
    const row = await t.database.prisma.notification.findFirstOrThrow({
      where: { controllerId: controller.id, idempotencyKey: 'col-0' },
    });
    expect(row.templateId).toBe(rawId(templates.emailDe1.id));
    // The same row as an item, with the same template, is the same record.
    const again = await record(t, keys.NOTIFIER, [
      item({
        subjectRef: 'c-0',
        idempotencyKey: 'col-0',
        locale: 'de',
        occurredAt: sent,
        template: { key: 'notice-change', revision: 1 },
      }),
    ]);
    expect(outcomes(again)).toEqual(['DUPLICATE']);

    const uneven = expectData(
      await execute(t.app, RecordColumns, {
        key: keys.NOTIFIER,
        variables: {
          input: {
            noticeKey: 'privacy-policy',
            versionNumber: 1,
            subjectRefs: ['u-0', 'u-1'],
            idempotencyKeys: ['u-0', 'u-1'],
            channels: ['EMAIL', 'EMAIL'],
            locales: ['en', 'en'],
            occurredAt: [sent, sent],
            templateKeys: ['notice-change'],
            templateRevisions: [1, 1],
          },
        },
      }),
    ).recordNotificationColumns;
    if (uneven.__typename !== 'InputValidationError') throw new Error(uneven.__typename);
    expect(uneven.issues.map((issue) => issue.path.join('.'))).toEqual(['input.templateKeys']);
  });

  it('shows the exact revision sent as Notification.message, in a constant number of statements', async () => {
    const { keys, templates } = await tenantWithTemplates(t);
    const revisions = [templates.emailEn1, templates.emailEn2, templates.emailDe1];
    const sent = Date.now();
    await record(
      t,
      keys.NOTIFIER,
      Array.from({ length: 12 }, (_, index) => {
        const template = revisions[index % 3]!;
        return item({
          subjectRef: 'many',
          idempotencyKey: `many-${index}`,
          occurredAt: new Date(sent - index * 1000).toISOString(),
          locale: String(template.locale),
          template: index === 11 ? null : { key: template.key, revision: template.revision },
        });
      }),
    );
    await record(t, keys.NOTIFIER, [
      item({ subjectRef: 'few', idempotencyKey: 'few-0', template: { key: 'notice-change', revision: 2 } }),
      item({ subjectRef: 'few', idempotencyKey: 'few-1', template: { key: 'notice-change', revision: 1 } }),
    ]);
    const read = (first: number) =>
      t.database.counter.measure(async () =>
        expectData(await execute(t.app, Messages, { key: keys.AUDITOR, variables: { ref: 'many', first } })),
      );
    await read(1); // the key's first use also records lastUsedAt
    const small = await read(2);
    const large = await read(12);
    expect(large.count).toBe(small.count);
    expect(large.statements.filter((sql) => /"MessageTemplate"/.test(sql))).toHaveLength(1);
    // The proof lists every notification of the subject: 2 or 12, the same statements.
    const proofOf = (ref: string) =>
      t.database.counter.measure(async () =>
        expectData(await execute(t.app, ProofMessages, { key: keys.AUDITOR, variables: { ref } })),
      );
    const fewProof = await proofOf('few');
    const manyProof = await proofOf('many');
    expect(manyProof.count).toBe(fewProof.count);
    expect(manyProof.statements.filter((sql) => /"MessageTemplate"/.test(sql))).toHaveLength(1);

    const nodes = large.result.subject!.notifications.edges.map((edge) => edge.node);
    expect(nodes).toHaveLength(12);
    expect(nodes[0]!.message).toEqual({
      id: templates.emailEn1.id,
      key: 'notice-change',
      revision: 1,
      channel: 'EMAIL',
      locale: 'en',
      subject: 'We changed our privacy notice',
      body: 'First wording',
      linkTarget: 'https://example.com/privacy',
      contentHash: templates.emailEn1.contentHash,
    });
    expect(nodes[1]!.message).toMatchObject({ revision: 2, body: 'Second wording' });
    expect(nodes[2]!.message).toMatchObject({
      locale: 'de',
      subject: 'Wir haben unseren Datenschutzhinweis geändert',
    });
    expect(nodes[11]!.message).toBeNull();
    const proof = manyProof.result.subject!.notificationProof;
    if (!proof || !('notifications' in proof)) throw new Error('no proof');
    // Oldest first: the oldest (index 11) named no template.
    expect(proof.notifications.map((entry) => entry.notification.message?.revision ?? null)).toEqual([
      null,
      2,
      1,
      1,
      2,
      1,
      1,
      2,
      1,
      1,
      2,
      1,
    ]);
  });
});
