import { readFileSync } from 'node:fs';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { parse } from 'graphql';
import { beforeAll, describe, expect, it } from 'vitest';
import { Prisma } from '../../../src/generated/prisma/client.js';
import { inForceOrder, inForceWhere } from '../../../src/modules/notice/in-force.policy.js';
import {
  firstVersionsQuery,
  noticeByKeyQuery,
  readRecords,
  useNoticeReadStatements,
} from '../../../src/modules/notice/notice-read.sql.js';
import { execute, expectData } from '../../support/client.js';
import { makeTenant } from '../../support/factories.js';
import {
  createDraft,
  createNotice,
  createPurpose,
  inDays,
  publish,
  revisePurpose,
} from '../../support/notice-fixtures.js';
import { useTestApp } from '../../support/test-app.js';

const Retire = parse(`
  mutation FactsRetire($input: NoticeVersionIdInput!) {
    retireNoticeVersion(input: $input) { __typename }
  }
`) as TypedDocumentNode<{ retireNoticeVersion: { __typename: string } }, { input: { id: string } }>;

const all = <T extends string>(fields: Record<string, T>) =>
  Object.fromEntries(Object.values(fields).map((field) => [field, true]));

/** What plugin-prisma asks for the benchmark's notice history (bench/notice-read.ts). */
const revisionSelect = {
  select: { purpose: { select: { key: true } }, id: true, controllerId: true, name: true, legalBasis: true },
};
const historySelection = {
  include: {
    versions: {
      where: { number: { not: null } },
      orderBy: { number: 'desc' },
      take: 21,
      skip: 0,
      select: {
        purposes: { orderBy: { position: 'asc' }, select: { revision: revisionSelect, purposeId: true } },
        id: true,
        controllerId: true,
        status: true,
        number: true,
        effectiveFrom: true,
      },
    },
  },
};
const everyVersionColumn = {
  select: {
    ...all(Prisma.NoticeVersionScalarFieldEnum),
    notice: { select: { key: true, createdAt: true } },
    purposes: {
      orderBy: { position: 'asc' },
      include: { revision: { include: { purpose: true } }, purpose: true },
    },
  },
};

/** Notice selections the statement must answer exactly as Prisma does. */
const noticeSelections: Record<string, object> = {
  'every notice column': {},
  'the benchmark history': historySelection,
  'every column of every version, purpose, revision': {
    include: {
      versions: { where: { number: { not: null } }, orderBy: { number: 'desc' }, ...everyVersionColumn },
    },
  },
  'a later page': {
    select: {
      key: true,
      versions: {
        where: { number: { not: null } },
        orderBy: { number: 'desc' },
        take: 2,
        skip: 2,
        select: { id: true, number: true },
      },
    },
  },
  drafts: {
    include: {
      versions: {
        where: { status: 'DRAFT' },
        orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
        take: 6,
        skip: 0,
        select: {
          id: true,
          status: true,
          purposes: { orderBy: { position: 'asc' }, select: { purposeId: true, revision: revisionSelect } },
        },
      },
    },
  },
};

const trusted = (name: string) =>
  readFileSync(new URL(`../../../src/graphql/trusted-documents/${name}.graphql`, import.meta.url), 'utf8');

const versionFields = `id number status noticeKey changeSummary effectiveFrom publishedAt publishedBy changeMessage
  contentHash canonicalForm classification classificationReasons { __typename } leadTimeOverrideReason
  wordingSignOff { signedBy } retiredAt locales`;
const purposeFields = `id number createdAt purposeKey name description legalBasis legitimateInterest dataCategories
  specialCategories { category } dataSubjectCategories dataSources publiclyAccessibleSources recipients
  retentionPeriodDays retentionCriteria transfers { destination }`;

/** GraphQL reads whose answers must not depend on which path read them. */
const readings: [string, string, Record<string, unknown>][] = [
  [
    'the benchmark read',
    `query($locale: Locale!) { notice(key: "facts") {
      currentVersion(locale: $locale) { number text { locale title body } purposes { purposeKey name legalBasis } }
      versions(first: 20) { edges { node { number effectiveFrom purposes { purposeKey name legalBasis } } } } } }`,
    { locale: 'de-AT' },
  ],
  ['the current notice', trusted('current-notice'), { noticeKey: 'facts', locale: 'fr-CA' }],
  ['a page of history', trusted('notice-history'), { noticeKey: 'facts', first: 2 }],
  ['a version by number', trusted('notice-version'), { noticeKey: 'facts', number: 4, locale: 'en' }],
  [
    'aliased picks and every field',
    `query($at: DateTime!) { notice(key: "facts") { id key title defaultLocale requiredLocales status createdAt archivedAt
      a: currentVersion(locale: "de") { ${versionFields} text { locale match requestedLocale } purposes { ${purposeFields} } }
      b: currentVersion(locale: "xx") { number text { locale match } }
      c: versionAt(at: $at, locale: "de-AT") { number text { locale match } }
      d: upcomingVersion(locale: "en") { ${versionFields} }
      e: version(number: 1, locale: "de") { number text { locale } purposes { purposeKey number name } }
      f: version(number: 4) { number status retiredAt }
      g: currentVersion(locale: "de") { number text(locale: "en") { locale match requestedLocale } }
      h: versionAt(at: $at) { number text { locale match requestedLocale } }
      versions(first: 3) { edges { cursor node { ${versionFields} purposes { ${purposeFields} } } } pageInfo { hasNextPage endCursor } }
      drafts(first: 3) { edges { node { status number purposes { purposeKey number name } } } } } }`,
    { at: new Date(Date.now() - 60_000).toISOString() },
  ],
  [
    'a list of notices',
    `{ notices(first: 5) { edges { node { key currentVersion(locale: "de") { number text { locale } purposes { purposeKey } }
      upcomingVersion { number } version(number: 1) { number } } } } }`,
    {},
  ],
];

describe('notice read as JSON records (ADR 0025)', () => {
  const t = useTestApp();
  let controllerId: string;
  let keys: Awaited<ReturnType<typeof makeTenant>>['keys'];
  let otherNoticeId: string;

  beforeAll(async () => {
    const tenant = await makeTenant(t.database.prisma);
    controllerId = tenant.controller.id;
    keys = tenant.keys;
    const editor = tenant.keys.EDITOR;
    await createPurpose(t.app, 'facts-a', editor);
    await createPurpose(t.app, 'facts-b', editor, { specialCategories: [] });
    for (const key of ['facts', 'facts-two']) await createNotice(t.app, key, editor, ['en', 'de']);
    const ids: string[] = [];
    for (let number = 1; number <= 5; number++) {
      const id = await createDraft(t.app, editor, {
        noticeKey: 'facts',
        purposeKeys: number % 2 ? ['facts-a', 'facts-b'] : ['facts-b'],
        effectiveFrom: inDays(number === 5 ? 30 : 0),
      });
      await publish(t.app, editor, id, 'test');
      ids.push(id);
      if (number === 2) await revisePurpose(t.app, 'facts-a', editor, { name: 'Renamed' });
    }
    expectData(await execute(t.app, Retire, { key: editor, variables: { input: { id: ids[3]! } } }));
    await createDraft(t.app, editor, { noticeKey: 'facts', purposeKeys: ['facts-a'] });
    await publish(
      t.app,
      editor,
      await createDraft(t.app, editor, {
        noticeKey: 'facts-two',
        purposeKeys: ['facts-b'],
        effectiveFrom: inDays(0),
      }),
      'test',
    );
    const other = await makeTenant(t.database.prisma);
    await createPurpose(t.app, 'facts-a', other.keys.EDITOR);
    await createNotice(t.app, 'facts', other.keys.EDITOR);
    await publish(
      t.app,
      other.keys.EDITOR,
      await createDraft(t.app, other.keys.EDITOR, {
        noticeKey: 'facts',
        purposeKeys: ['facts-a'],
        effectiveFrom: inDays(0),
      }),
      'test',
    );
    otherNoticeId = (
      await t.database.prisma.notice.findFirstOrThrow({ where: { controllerId: other.controller.id } })
    ).id;
  });

  for (const [name, selection] of Object.entries(noticeSelections)) {
    it(`reads ${name} as Prisma does`, async () => {
      const prisma = t.database.prisma;
      const query = noticeByKeyQuery(controllerId, 'facts', selection);
      expect(query).not.toBeNull();
      const [record] = await readRecords(prisma, query!);
      const expected = await prisma.notice.findUnique({
        ...(selection as object),
        where: { controllerId_key: { controllerId, key: 'facts' } },
        relationLoadStrategy: 'join',
      } as never);
      expect(record).toEqual(expected);
      expect(expected).not.toBeNull();
    });
  }

  it("answers null for a key the viewer's controller does not have", async () => {
    const query = noticeByKeyQuery(controllerId, 'nothing-here', historySelection);
    expect(await readRecords(t.database.prisma, query!)).toEqual([null]);
  });

  it('picks the first version of each notice as Prisma does, and never another controller’s', async () => {
    const prisma = t.database.prisma;
    const notices = await prisma.notice.findMany({ where: { controllerId }, orderBy: { key: 'asc' } });
    const noticeIds = [...notices.map((notice) => notice.id), otherNoticeId];
    const now = new Date();
    const finds = [
      { where: inForceWhere(now), orderBy: inForceOrder },
      { where: inForceWhere(new Date(now.getTime() - 86_400_000)), orderBy: inForceOrder },
      { where: inForceWhere(new Date(now.getTime() + 40 * 86_400_000)), orderBy: inForceOrder },
      {
        where: { status: 'PUBLISHED', effectiveFrom: { gt: now } },
        orderBy: [{ effectiveFrom: 'asc' }, { number: 'asc' }],
      },
      { where: { number: 2 } },
      { where: { number: 99 } },
    ] as const;
    for (const find of finds) {
      for (const selection of [
        {},
        everyVersionColumn,
        { select: { id: true, number: true, retiredAt: true } },
      ]) {
        const query = firstVersionsQuery(controllerId, noticeIds, find, selection);
        expect(query).not.toBeNull();
        const records = await readRecords(prisma, query!);
        const expected = await Promise.all(
          noticeIds.map((noticeId) =>
            prisma.noticeVersion.findFirst({
              ...(selection as object),
              where: { ...find.where, noticeId, controllerId },
              orderBy: 'orderBy' in find ? [...find.orderBy] : undefined,
            } as never),
          ),
        );
        expect(records, JSON.stringify(find)).toEqual(expected);
        expect(records.at(-1)).toBeNull();
      }
    }
  });

  for (const [name, query, variables] of readings) {
    it(`answers ${name} as the Prisma path does, in no more statements`, async () => {
      const document = parse(query) as TypedDocumentNode<Record<string, unknown>, Record<string, unknown>>;
      const read = async (key: string) => {
        const measured = await t.database.counter.measure(
          async () => (await execute(t.app, document, { key, variables })).body,
        );
        return { data: measured.result, count: measured.count };
      };
      try {
        for (const key of [keys.READER, keys.ADMIN]) {
          useNoticeReadStatements(false);
          await read(key);
          const general = await read(key);
          useNoticeReadStatements(true);
          await read(key);
          const facts = await read(key);
          expect(facts.data).toEqual(general.data);
          expect(facts.data.data).toBeTruthy();
          expect(facts.count).toBeLessThanOrEqual(general.count);
        }
      } finally {
        useNoticeReadStatements(true);
      }
    });
  }

  it('reads a picked version and the text it serves in one statement, and a text in another locale apart', async () => {
    const count = async (selection: string) => {
      const document = parse(
        `query($locale: Locale!) { notice(key: "facts") { currentVersion(locale: $locale) { ${selection} } } }`,
      ) as TypedDocumentNode<Record<string, unknown>, Record<string, unknown>>;
      const run = () => execute(t.app, document, { key: keys.READER, variables: { locale: 'de-AT' } });
      await run();
      const measured = await t.database.counter.measure(async () => expectData(await run()));
      return { count: measured.count, data: measured.result };
    };
    const bare = await count('number');
    const withText = await count('number text { locale title body match requestedLocale }');
    const inFragment = await count('number ... on NoticeVersion { text { locale } }');
    const otherLocale = await count('number text(locale: "en") { locale }');
    expect(withText.count).toBe(bare.count);
    expect(inFragment.count).toBe(bare.count);
    expect(otherLocale.count).toBe(bare.count + 1);
    expect(withText.data).toMatchObject({
      notice: { currentVersion: { text: { locale: 'de', match: 'LANGUAGE', requestedLocale: 'de-AT' } } },
    });
    expect(otherLocale.data).toMatchObject({ notice: { currentVersion: { text: { locale: 'en' } } } });
  });

  it('leaves selections it does not know to Prisma', () => {
    const page = { where: { number: { not: null } }, orderBy: { number: 'desc' } };
    const unknown = [
      { include: { versions: { ...page, cursor: { id: '00000000-0000-0000-0000-000000000000' }, skip: 1 } } },
      { include: { versions: { ...page, take: -2 } } },
      { include: { versions: { where: { number: { not: null } } } } },
      { include: { versions: { ...page, select: { translations: true } } } },
      { include: { versions: { ...page, where: { changeSummary: 'x' } } } },
      { include: { versions: { ...page, where: { NOT: { number: 1 } } } } },
      { include: { controller: true } },
      { select: { key: true, _count: true } },
    ];
    for (const selection of unknown) expect(noticeByKeyQuery(controllerId, 'facts', selection)).toBeNull();
  });
});
