import { beforeAll, describe, expect, it } from 'vitest';
import { versionFromJson } from '../../../src/db/json-records.js';
import {
  type SubjectFactsRow,
  subjectFactsQuery,
  versionRowFromJson,
} from '../../../src/modules/eligibility/subject-facts.js';
import {
  PublishedVersionRows,
  publishedVersionRows,
} from '../../../src/modules/notice/published-version-rows.js';
import { translationHash } from '../../../src/modules/notice/translation-hash.js';
import { type ProofFactsRow, proofFactsQuery } from '../../../src/modules/subject/proof-facts.sql.js';
import { graphql } from '../../graphql/index.js';
import { execute, expectData } from '../../support/client.js';
import { makeTenant } from '../../support/factories.js';
import { publishedNoticeAsOf } from '../../support/notice-fixtures.js';
import { recordWithEvents } from '../../support/record-with-events.js';
import { useTestApp } from '../../support/test-app.js';

/** An eligibility lookup that asks for columns only a version's whole row has, and those retiring changes. */
const RowsLookup = graphql(`
  query RowsLookup($ref: String!) {
    subject(ref: $ref) {
      eligibility(purposeKey: "rows-p") {
        ... on EligibilityResult {
          decision
          transparency {
            status
            version {
              id
              number
              noticeKey
              changeSummary
              changeMessage
              contentHash
              publishedAt
              publishedBy
              status
              retiredAt
            }
          }
        }
      }
    }
  }
`);

/** A proof lookup that asks for the hash of the text each notification was sent in. */
const TextHashLookup = graphql(`
  query TextHashLookup($ref: String!) {
    subject(ref: $ref) {
      notificationProof(noticeKey: "rows", version: 1) {
        ... on NotificationProof {
          notifications {
            textHash
          }
        }
      }
    }
  }
`);

const RetireRows = graphql(`
  mutation RetireRows($input: NoticeVersionIdInput!) {
    retireNoticeVersion(input: $input) {
      __typename
    }
  }
`);

const t = useTestApp();
const day = 24 * 60 * 60 * 1000;
const ago = (days: number) => new Date(Date.now() - days * day).toISOString();

const statementsOf = (work: () => Promise<unknown>) => t.database.counter.statementsBeyondKeyLookup(work);

describe('published version rows and text hashes remembered by the process', () => {
  let tenant: Awaited<ReturnType<typeof makeTenant>>;
  let other: Awaited<ReturnType<typeof makeTenant>>;
  let versionId: string;

  const lookup = async (ref = 'alice') => {
    let data: unknown;
    const statements = await statementsOf(async () => {
      data = expectData(await execute(t.app, RowsLookup, { key: tenant.keys.AUDITOR, variables: { ref } }));
    });
    return { data: data as { subject: { eligibility: { transparency: { version: unknown } } } }, statements };
  };

  beforeAll(async () => {
    tenant = await makeTenant(t.database.prisma);
    other = await makeTenant(t.database.prisma);
    const published = await publishedNoticeAsOf(
      t.app,
      t.database,
      tenant.keys.EDITOR,
      'rows',
      new Date(ago(90)),
    );
    versionId = published.id;
    await publishedNoticeAsOf(t.app, t.database, other.keys.EDITOR, 'rows', new Date(ago(90)));
    const notified = (ref: string) => ({
      idempotencyKey: `rows-${ref}`,
      subjectRef: ref,
      channel: 'EMAIL' as const,
      noticeKey: 'rows',
      versionNumber: 1,
      locale: 'en',
      occurredAt: ago(60),
    });
    const sent = (ref: string) => ({
      notificationIdempotencyKey: `rows-${ref}`,
      type: 'SENT' as const,
      occurredAt: ago(60),
    });
    await recordWithEvents(t.app, tenant.keys.NOTIFIER, [notified('alice')], [sent('alice')]);
    await recordWithEvents(t.app, other.keys.NOTIFIER, [notified('alice')], [sent('alice')]);
  });

  it('reads a version row once: later statements leave it out and the answer stays the same', async () => {
    const rows = publishedVersionRows(t.database);
    const controllerId = tenant.controller.id;
    expect(rows.known(controllerId)).toEqual([]);
    const first = await lookup();
    expect(first.statements).toHaveLength(1);
    expect(rows.known(controllerId)).toEqual([versionId]);

    // The statement as the lookup now sends it returns, for the remembered version, only what may
    // differ from the remembered row; without the remembered IDs it returns the version's row.
    const { id: subjectId } = await t.database.prisma.subject.findFirstOrThrow({
      where: { controllerId, refHash: { not: '' } },
    });
    const read = async (known: string[]) => {
      const [facts] = await t.database.prisma.$queryRaw<SubjectFactsRow[]>(
        subjectFactsQuery(controllerId, 'rows-p', new Date(), [subjectId], known),
      );
      return facts!.versions;
    };
    const [remembered] = await read(rows.known(controllerId));
    expect(remembered).toEqual({
      id: versionId,
      noticeKey: 'rows',
      revisionId: expect.any(String),
      status: 'PUBLISHED',
      retiredAt: null,
      retiredByKeyId: null,
      updatedAt: expect.any(String),
      remembered: true,
    });
    const [whole] = await read([]);
    expect(whole).toMatchObject({ id: versionId, number: 1, classification: expect.any(String) });
    expect(versionFromJson(whole!.row)).toMatchObject({
      id: versionId,
      status: 'PUBLISHED',
      retiredAt: null,
    });
    // Made whole from the remembered row, it is the version the statement reads without it.
    expect(versionRowFromJson(remembered!, rows.rowsOf(controllerId))).toEqual(
      versionRowFromJson(whole!, new Map()),
    );
    expect(() => versionRowFromJson(remembered!, new Map())).toThrow(/left out as remembered/);

    const second = await lookup();
    expect(second.statements).toHaveLength(1);
    expect(second.data).toEqual(first.data);
    expect(first.data.subject.eligibility.transparency.version).toMatchObject({
      id: expect.any(String),
      number: 1,
      noticeKey: 'rows',
      changeSummary: expect.any(String),
      status: 'PUBLISHED',
      retiredAt: null,
    });
  });

  it("hashes a version's text once: later proof statements leave the text out and the hash stays the same", async () => {
    const rows = publishedVersionRows(t.database);
    const controllerId = tenant.controller.id;
    expect(rows.knownTexts(controllerId)).toEqual([]);
    const text = await t.database.prisma.noticeTranslation.findFirstOrThrow({
      where: { versionId, locale: 'en' },
    });
    const expected = translationHash({ noticeKey: 'rows', number: 1 }, text);
    const proofLookup = async () => {
      let data: unknown;
      const statements = await statementsOf(async () => {
        data = expectData(
          await execute(t.app, TextHashLookup, { key: tenant.keys.AUDITOR, variables: { ref: 'alice' } }),
        );
      });
      expect(statements).toHaveLength(1);
      return data;
    };
    const first = await proofLookup();
    expect(first).toEqual({ subject: { notificationProof: { notifications: [{ textHash: expected }] } } });
    expect(rows.knownTexts(controllerId)).toEqual([`${versionId}:en`]);

    const { id: subjectId } = await t.database.prisma.subject.findFirstOrThrow({ where: { controllerId } });
    const texts = async (known: string[]) => {
      const [facts] = await t.database.prisma.$queryRaw<ProofFactsRow[]>(
        proofFactsQuery(controllerId, { id: subjectId }, 'rows', 1, known),
      );
      return facts!.translations.map((translation) => translation.locale);
    };
    expect(await texts(rows.knownTexts(controllerId))).toEqual([]);
    expect(await texts([])).toEqual(['en']);

    expect(await proofLookup()).toEqual(first);
    expect(rows.knownTexts(other.controller.id)).toEqual([]);
    expect(rows.textHash(other.controller.id, versionId, 'en')).toBeUndefined();
  });

  it('answers what retiring changed from the statement, not from the remembered row', async () => {
    const before = await lookup();
    const { id } = before.data.subject.eligibility.transparency.version as { id: string };
    const retired = expectData(
      await execute(t.app, RetireRows, { key: tenant.keys.EDITOR, variables: { input: { id } } }),
    ).retireNoticeVersion;
    expect(retired.__typename).toBe('NoticeVersionPayload');
    expect(publishedVersionRows(t.database).known(tenant.controller.id)).toEqual([versionId]);

    const after = await lookup();
    expect(after.statements).toHaveLength(1);
    const stored = await t.database.prisma.noticeVersion.findUniqueOrThrow({ where: { id: versionId } });
    expect(stored.retiredAt).not.toBeNull();
    const version = after.data.subject.eligibility.transparency.version as Record<string, unknown>;
    expect(version).toMatchObject({ status: 'RETIRED', retiredAt: stored.retiredAt!.toISOString() });
    const { status: _s, retiredAt: _r, ...unchanged } = version;
    const {
      status: _s0,
      retiredAt: _r0,
      ...earlier
    } = before.data.subject.eligibility.transparency.version as Record<string, unknown>;
    expect(unchanged).toEqual(earlier);
  });

  it("keeps each controller's rows apart: never another controller's row, never for another controller", async () => {
    const rows = publishedVersionRows(t.database);
    const mine = await t.database.prisma.noticeVersion.findUniqueOrThrow({ where: { id: versionId } });
    const { canonicalForm: _c, ...row } = mine;
    // Another controller's statement never names this version; were it handed the row, it would not keep it.
    rows.remember(other.controller.id, row);
    expect(rows.known(other.controller.id)).toEqual([]);
    const changing = {
      status: mine.status,
      retiredAt: mine.retiredAt,
      retiredByKeyId: null,
      updatedAt: mine.updatedAt,
    };
    expect(rows.row(other.controller.id, versionId, changing)).toBeUndefined();
    expect(rows.row(tenant.controller.id, versionId, changing)).toMatchObject({ id: versionId });

    // The other tenant's own lookup remembers its own version only.
    const data = expectData(
      await execute(t.app, RowsLookup, { key: other.keys.AUDITOR, variables: { ref: 'alice' } }),
    );
    const seen = (data.subject?.eligibility as { transparency: { version: { noticeKey: string } } })
      .transparency.version;
    expect(seen.noticeKey).toBe('rows');
    const theirs = await t.database.prisma.noticeVersion.findFirstOrThrow({
      where: { controllerId: other.controller.id },
    });
    expect(rows.known(other.controller.id)).toEqual([theirs.id]);
    expect(rows.known(tenant.controller.id)).toEqual([versionId]);
  });

  it('remembers at most so many rows per controller and in all, forgetting the controller remembered first', async () => {
    const stored = await t.database.prisma.noticeVersion.findUniqueOrThrow({ where: { id: versionId } });
    const { canonicalForm: _c, ...row } = stored;
    const rows = new PublishedVersionRows({ perController: 2, inAll: 3 });
    const version = (controllerId: string, id: string) => ({ ...row, controllerId, id });
    for (const id of ['a1', 'a2', 'a3']) rows.remember('a', version('a', id));
    expect(rows.known('a')).toEqual(['a1', 'a2']);
    rows.remember('a', version('a', 'a1'));
    rows.remember('b', version('b', 'b1'));
    expect([rows.known('a'), rows.known('b')]).toEqual([['a1', 'a2'], ['b1']]);
    rows.remember('c', version('c', 'c1'));
    expect([rows.known('a'), rows.known('b'), rows.known('c')]).toEqual([[], ['b1'], ['c1']]);
    rows.remember('c', version('c', 'c2'));
    rows.remember('d', version('d', 'd1'));
    expect([rows.known('b'), rows.known('c'), rows.known('d')]).toEqual([[], ['c1', 'c2'], ['d1']]);
    // A draft is never remembered.
    rows.remember('d', { ...version('d', 'd2'), number: null });
    expect(rows.known('d')).toEqual(['d1']);
  });
});
