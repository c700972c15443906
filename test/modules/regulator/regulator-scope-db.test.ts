import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { parse } from 'graphql';
import { beforeAll, describe, expect, it } from 'vitest';
import { developmentSubjectRefSecret } from '../../../src/config/env.js';
import { allOf } from '../../../src/db/raw-sql.js';
import { resolveScope, ScopeSql } from '../../../src/modules/evidence/bundle-scope.js';
import {
  type RequestScope,
  recordInScope,
  recordWhere,
  type ScopedRecord,
  versionInScope,
  versionWhere,
} from '../../../src/modules/regulator/regulator.scope.js';
import { SubjectRefHasher } from '../../../src/modules/subject/subject-ref.js';
import type { NotificationEventInput, NotificationInput, ResponseInput } from '../../graphql/graphql.js';
import { execute, expectData, rawId } from '../../support/client.js';
import { makeTenant } from '../../support/factories.js';
import { createDraft, inDays, publish, publishedNotice } from '../../support/notice-fixtures.js';
import { scopeOf } from '../../support/regulator-fixtures.js';
import { useTestApp } from '../../support/test-app.js';

// The scope rule has three forms: the pure predicates (the rule), the Prisma where-builders (the
// GraphQL fields of a request) and ScopeSql (the evidence bundle). Over the same records, each
// form must pick exactly the records the predicates pick.

const RecordNotifications = parse(`
  mutation ScopeRecordNotifications($input: RecordNotificationsInput!) {
    recordNotifications(input: $input) { ... on RecordNotificationsPayload { accepted } }
  }
`) as TypedDocumentNode<
  { recordNotifications: { accepted?: number } },
  { input: { items: NotificationInput[] } }
>;
const RecordEvents = parse(`
  mutation ScopeRecordEvents($input: RecordNotificationEventsInput!) {
    recordNotificationEvents(input: $input) { ... on RecordNotificationEventsPayload { accepted } }
  }
`) as TypedDocumentNode<
  { recordNotificationEvents: { accepted?: number } },
  { input: { items: NotificationEventInput[] } }
>;
const RecordResponses = parse(`
  mutation ScopeRecordResponses($input: RecordResponsesInput!) {
    recordResponses(input: $input) { ... on RecordResponsesPayload { accepted } }
  }
`) as TypedDocumentNode<{ recordResponses: { accepted?: number } }, { input: { items: ResponseInput[] } }>;
const Retire = parse(`
  mutation ScopeRetire($input: NoticeVersionIdInput!) {
    retireNoticeVersion(input: $input) { __typename }
  }
`) as TypedDocumentNode<{ retireNoticeVersion: { __typename: string } }, { input: { id: string } }>;

const start = new Date(Date.now() - 60 * 60_000);
const minute = (m: number) => new Date(start.getTime() + m * 60_000);
const hasher = new SubjectRefHasher(developmentSubjectRefSecret);

interface Row extends ScopedRecord {
  readonly id: string;
}

describe('the scope rule in its three forms', () => {
  const t = useTestApp();
  let controllerId: string;
  const hash = (ref: string) => hasher.hash(controllerId, ref);
  const rows = {} as { notifications: Row[]; events: Row[]; responses: Row[] };

  beforeAll(async () => {
    const mine = await makeTenant(t.database.prisma);
    const theirs = await makeTenant(t.database.prisma);
    controllerId = mine.controller.id;
    for (const tenant of [mine, theirs]) {
      await publishedNotice(t.app, tenant.keys.EDITOR, 'privacy-policy', 'core');
      await publishedNotice(t.app, tenant.keys.EDITOR, 'cookies', 'cookie-purpose');
    }
    // Records dated up to an hour back, for versions published a moment ago.
    await t.database.prisma.controller.updateMany({
      where: { id: { in: [mine.controller.id, theirs.controller.id] } },
      data: { clockSkewToleranceSeconds: 86_400 },
    });
    const notification = (subjectRef: string, noticeKey: string, m: number): NotificationInput => ({
      subjectRef,
      noticeKey,
      versionNumber: 1,
      channel: 'EMAIL',
      locale: 'en',
      occurredAt: minute(m).toISOString(),
      idempotencyKey: `${subjectRef}-${noticeKey}-${m}`,
    });
    const notifications = [
      notification('alice', 'privacy-policy', 10),
      notification('alice', 'cookies', 20),
      notification('bob', 'privacy-policy', 30),
      notification('carol', 'cookies', 40),
    ];
    const response = (subjectRef: string, m: number, noticeKey?: string): ResponseInput => ({
      subjectRef,
      purposeKey: noticeKey === 'cookies' ? 'cookie-purpose' : 'core',
      kind: 'OBJECTED',
      occurredAt: minute(m).toISOString(),
      channel: 'EMAIL',
      ...(noticeKey ? { noticeKey, versionNumber: 1 } : {}),
      idempotencyKey: `r-${subjectRef}-${m}`,
    });
    for (const tenant of [mine, theirs]) {
      const key = tenant.keys.NOTIFIER;
      const recorded = expectData(
        await execute(t.app, RecordNotifications, { key, variables: { input: { items: notifications } } }),
      );
      expect(recorded.recordNotifications.accepted).toBe(notifications.length);
      const events: NotificationEventInput[] = notifications.map((item, index) => ({
        notificationIdempotencyKey: item.idempotencyKey,
        type: 'DELIVERED',
        occurredAt: minute(11 + index * 10).toISOString(),
      }));
      expectData(await execute(t.app, RecordEvents, { key, variables: { input: { items: events } } }));
      const responses = [
        response('alice', 15, 'privacy-policy'),
        response('bob', 30),
        response('carol', 40, 'cookies'),
      ];
      const answered = expectData(
        await execute(t.app, RecordResponses, { key, variables: { input: { items: responses } } }),
      );
      expect(answered.recordResponses.accepted).toBe(responses.length);
    }

    const prisma = t.database.prisma;
    const subject = { select: { refHash: true } };
    const noticeOf = { select: { notice: { select: { key: true } } } };
    const select = { id: true, occurredAt: true, subject, version: noticeOf } as const;
    const loaded = await prisma.notification.findMany({
      where: { controllerId },
      select: { ...select, idempotencyKey: true },
    });
    rows.notifications = loaded.map((row) => ({
      id: row.id,
      subjectRefHash: row.subject.refHash,
      noticeKey: row.version.notice.key,
      occurredAt: row.occurredAt,
    }));
    rows.responses = (await prisma.response.findMany({ where: { controllerId }, select })).map((row) => ({
      id: row.id,
      subjectRefHash: row.subject.refHash,
      noticeKey: row.version?.notice.key ?? null,
      occurredAt: row.occurredAt,
    }));
    // An event is judged by its notification's subject and notice, and its own time.
    const byKey = new Map(rows.notifications.map((row, index) => [loaded[index]!.idempotencyKey, row]));
    rows.events = (await prisma.notificationEvent.findMany({ where: { controllerId } })).map((event) => ({
      ...byKey.get(event.notificationKey)!,
      id: event.id,
      occurredAt: event.occurredAt,
    }));
  });

  const scopes: [string, () => Partial<RequestScope>][] = [
    ['no criterion narrows but the tenant', () => ({})],
    ['one subject', () => ({ subjectRefHashes: [hash('alice')] })],
    ['a subject and an unknown one', () => ({ subjectRefHashes: [hash('bob'), hash('nobody')] })],
    ['only unknown subjects', () => ({ subjectRefHashes: [hash('nobody')] })],
    ['one notice', () => ({ noticeKeys: ['privacy-policy'] })],
    ['an unknown notice', () => ({ noticeKeys: ['no-such-notice'] })],
    ['a period with records exactly at both ends', () => ({ from: minute(20), to: minute(30) })],
    ['a period starting a millisecond after a record', () => ({ from: new Date(minute(20).getTime() + 1) })],
    ['a period ending a millisecond before a record', () => ({ to: new Date(minute(30).getTime() - 1) })],
    ['subject and notice', () => ({ subjectRefHashes: [hash('alice')], noticeKeys: ['cookies'] })],
    [
      'subject, notice and period',
      () => ({
        subjectRefHashes: [hash('alice')],
        noticeKeys: ['privacy-policy'],
        from: minute(10),
        to: minute(15),
      }),
    ],
  ];

  it.each(scopes)('%s: Prisma and SQL pick what the rule picks', async (_name, criteria) => {
    const scope = scopeOf(criteria());
    const prisma = t.database.prisma;
    const resolved = await resolveScope(prisma, controllerId, scope);
    const sql = new ScopeSql(controllerId, resolved);
    const expected = (kind: keyof typeof rows) =>
      rows[kind]
        .filter((row) => recordInScope(scope, row))
        .map((row) => row.id)
        .sort();
    const ids = (found: { id: string }[]) => found.map((row) => row.id).sort();

    expect(ids(await prisma.notification.findMany({ where: recordWhere(controllerId, resolved) }))).toEqual(
      expected('notifications'),
    );
    expect(ids(await prisma.response.findMany({ where: recordWhere(controllerId, resolved) }))).toEqual(
      expected('responses'),
    );
    expect(
      ids(
        await prisma.$queryRaw<{ id: string }[]>`
          SELECT n."id"::text AS "id" FROM "Notification" n
          JOIN "NoticeVersion" v ON v."id" = n."versionId"
          WHERE ${allOf(sql.notification())}`,
      ),
    ).toEqual(expected('notifications'));
    expect(
      ids(
        await prisma.$queryRaw<{ id: string }[]>`
          SELECT e."id"::text AS "id" FROM "NotificationEvent" e
          JOIN "Notification" n ON n."controllerId" = e."controllerId" AND n."idempotencyKey" = e."notificationKey"
          JOIN "NoticeVersion" v ON v."id" = n."versionId"
          WHERE ${allOf(sql.event())}`,
      ),
    ).toEqual(expected('events'));
    expect(
      ids(
        await prisma.$queryRaw<{ id: string }[]>`
          SELECT r."id"::text AS "id" FROM "Response" r
          LEFT JOIN "NoticeVersion" v ON v."id" = r."versionId"
          WHERE ${allOf(sql.response())}`,
      ),
    ).toEqual(expected('responses'));
  });

  it('the fixture reaches both sides of every criterion', () => {
    const count = (criteria: Partial<RequestScope>) =>
      rows.notifications.filter((row) => recordInScope(scopeOf(criteria), row)).length;
    expect(rows.notifications).toHaveLength(4);
    expect(count({ subjectRefHashes: [hash('alice')] })).toBe(2);
    expect(count({ noticeKeys: ['privacy-policy'] })).toBe(2);
    expect(count({ from: minute(20), to: minute(30) })).toBe(2);
    expect(count({ from: new Date(minute(20).getTime() + 1) })).toBe(2);
    expect(rows.responses.filter((row) => row.noticeKey === null)).toHaveLength(1);
    expect(rows.events).toHaveLength(4);
  });

  it('Prisma picks the notice versions the rule picks, at the edges of the period', async () => {
    const prisma = t.database.prisma;
    const { keys } = await makeTenant(prisma);
    const first = await publishedNotice(t.app, keys.EDITOR, 'terms', 'terms-purpose');
    const second = await publish(
      t.app,
      keys.EDITOR,
      await createDraft(t.app, keys.EDITOR, {
        noticeKey: 'terms',
        purposeKeys: ['terms-purpose'],
        effectiveFrom: inDays(1),
      }),
      'editorial',
    );
    await createDraft(t.app, keys.EDITOR, { noticeKey: 'terms', purposeKeys: ['terms-purpose'] });
    expect(
      expectData(await execute(t.app, Retire, { key: keys.EDITOR, variables: { input: { id: first.id } } }))
        .retireNoticeVersion.__typename,
    ).toBe('NoticeVersionPayload');
    const owner = (await prisma.noticeVersion.findUniqueOrThrow({ where: { id: rawId(first.id) } }))
      .controllerId;
    const versions = (
      await prisma.noticeVersion.findMany({ where: { controllerId: owner }, include: { notice: true } })
    ).map((version) => ({ ...version, noticeKey: version.notice.key }));
    expect(versions).toHaveLength(3);
    const retired = versions.find((version) => version.id === rawId(first.id))!.retiredAt!;
    const effective = versions.find((version) => version.id === rawId(second.id))!.effectiveFrom;
    const ms = (date: Date, delta: number) => new Date(date.getTime() + delta);
    const periods: [Date | null, Date | null, number][] = [
      [null, null, 2],
      [retired, null, 2],
      [ms(retired, 1), null, 1],
      [null, effective, 2],
      [null, ms(effective, -1), 1],
    ];
    for (const [from, to, count] of periods) {
      const scope = scopeOf({ noticeKeys: ['terms'], from, to });
      const resolved = await resolveScope(prisma, owner, scope);
      const found = await prisma.noticeVersion.findMany({ where: versionWhere(owner, resolved) });
      const expected = versions.filter((version) => versionInScope(scope, version));
      expect(found.map((version) => version.id).sort()).toEqual(expected.map((version) => version.id).sort());
      expect(found).toHaveLength(count);
    }
  });
});
