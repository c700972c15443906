import { beforeAll, describe, expect, it } from 'vitest';
import { graphql } from '../graphql/index.js';
import { execute, expectData } from '../support/client.js';
import { makeTenant } from '../support/factories.js';
import {
  createDraft,
  createNotice,
  createPurpose,
  inDays,
  publish,
  revisePurpose,
} from '../support/notice-fixtures.js';
import { useTestApp } from '../support/test-app.js';

/** The frontend's notice-history read, as bench/notice-read.ts sends it. */
const NoticeHistory = graphql(`
  query NoticeHistoryShape($key: String!, $locale: Locale!, $first: Int!) {
    notice(key: $key) {
      currentVersion(locale: $locale) {
        number
        text {
          locale
          match
          title
          body
        }
        purposes {
          purposeKey
          name
          legalBasis
        }
      }
      versions(first: $first) {
        edges {
          node {
            number
            effectiveFrom
            purposes {
              purposeKey
              name
              legalBasis
            }
          }
        }
      }
    }
  }
`);

const HistoryWithText = graphql(`
  query NoticeHistoryWithText($key: String!, $first: Int!) {
    notice(key: $key) {
      versions(first: $first) {
        edges {
          node {
            number
            text(locale: "de-AT") {
              locale
              match
              body
            }
          }
        }
      }
    }
  }
`);

const CanonicalForms = graphql(`
  query NoticeCanonicalForms($key: String!) {
    notice(key: $key) {
      versions(first: 2) {
        edges {
          node {
            number
            canonicalForm
          }
        }
      }
    }
  }
`);

const AliasedVersions = graphql(`
  query AliasedVersionFields($key: String!, $at: DateTime!) {
    notice(key: $key) {
      a: version(number: 1, locale: "de") {
        text {
          locale
        }
      }
      b: version(number: 1, locale: "en") {
        text {
          locale
        }
      }
      c: currentVersion(locale: "de") {
        number
        text {
          locale
          requestedLocale
        }
      }
      d: currentVersion(locale: "fr-CA") {
        number
        text {
          locale
          match
          requestedLocale
        }
      }
      e: versionAt(at: $at, locale: "de-AT") {
        text {
          locale
          match
        }
      }
      f: versionAt(at: $at, locale: "en") {
        text {
          locale
        }
      }
      g: upcomingVersion(locale: "fr") {
        number
        text {
          locale
        }
      }
      h: upcomingVersion(locale: "de") {
        number
        text {
          locale
        }
      }
      i: currentVersion(locale: "de") {
        asked: text {
          locale
        }
        en: text(locale: "en") {
          locale
        }
        fr: text(locale: "FR") {
          locale
          match
        }
        none: text(locale: "es") {
          locale
          match
        }
      }
    }
  }
`);

const PurposesOfVersions = graphql(`
  query PurposesOfVersions($key: String!) {
    notice(key: $key) {
      version(number: 1) {
        status
        purposes {
          purposeKey
          number
          name
        }
      }
      drafts(first: 5) {
        edges {
          node {
            status
            purposes {
              purposeKey
              number
              name
            }
          }
        }
      }
    }
  }
`);

const NoticeList = graphql(`
  query NoticeListCurrentVersions($first: Int!) {
    notices(first: $first) {
      edges {
        node {
          key
          currentVersion(locale: "de") {
            number
            text {
              locale
            }
            purposes {
              purposeKey
            }
          }
          upcomingVersion {
            number
          }
        }
      }
    }
  }
`);

const threeLocales = (text: string) => [
  { locale: 'en', title: `EN ${text}`, body: `English ${text}` },
  { locale: 'de', title: `DE ${text}`, body: `Deutsch ${text}` },
  { locale: 'fr', title: `FR ${text}`, body: `Français ${text}` },
];

describe('notice history read shape', () => {
  const t = useTestApp();
  let keys: Awaited<ReturnType<typeof makeTenant>>['keys'];

  beforeAll(async () => {
    keys = (await makeTenant(t.database.prisma)).keys;
    await createPurpose(t.app, 'shape-a', keys.EDITOR);
    await createPurpose(t.app, 'shape-b', keys.EDITOR);
    await createNotice(t.app, 'shape', keys.EDITOR, ['en', 'de', 'fr']);
    for (let number = 1; number <= 5; number++) {
      const draft = await createDraft(t.app, keys.EDITOR, {
        noticeKey: 'shape',
        purposeKeys: ['shape-a', 'shape-b'],
        translations: threeLocales(`v${number}`),
        effectiveFrom: inDays(number === 5 ? 40 : 0),
      });
      await publish(t.app, keys.EDITOR, draft, 'test');
    }
  });

  /** The statements a request ran for its query: the API-key lookup is counted apart. */
  const measure = async <T>(work: () => Promise<T>) => {
    const measured = await t.database.counter.measure(work);
    const query = measured.statements
      .map((sql, index) => ({ sql, rows: measured.rows[index] }))
      .filter((statement) => !statement.sql.includes('"ApiKey"'));
    return { result: measured.result, query };
  };

  it('runs the history read in 2 statements (the notice with its history; the version in force with its text), whatever the page size, without canonical forms', async () => {
    const read = (first: number) =>
      measure(async () =>
        expectData(
          await execute(t.app, NoticeHistory, {
            key: keys.READER,
            variables: { key: 'shape', locale: 'de-AT', first },
          }),
        ),
      );
    await read(1);
    const small = await read(1);
    const large = await read(5);
    expect(large.query.length).toBe(2);
    expect(large.query.length).toBe(small.query.length);
    for (const { sql } of large.query) expect(sql).not.toContain('canonicalForm');
    const notice = large.result.notice!;
    expect(notice.versions.edges.map((edge) => edge.node.number)).toEqual([5, 4, 3, 2, 1]);
    expect(notice.currentVersion?.number).toBe(4);
    expect(notice.currentVersion?.text).toEqual({
      locale: 'de',
      match: 'LANGUAGE',
      title: 'DE v4',
      body: 'Deutsch v4',
    });
    expect(notice.currentVersion?.purposes.map((purpose) => purpose.purposeKey)).toEqual([
      'shape-a',
      'shape-b',
    ]);
  });

  it('reads canonical forms only when they are asked for', async () => {
    const { result, query } = await measure(async () =>
      expectData(await execute(t.app, CanonicalForms, { key: keys.READER, variables: { key: 'shape' } })),
    );
    expect(query.some(({ sql }) => sql.includes('canonicalForm'))).toBe(true);
    expect(result.notice?.versions.edges[0]?.node.canonicalForm).toContain('Deutsch v5');
  });

  it('reads one translation row per version that shows text, chosen in SQL', async () => {
    const { result, query } = await measure(async () =>
      expectData(
        await execute(t.app, HistoryWithText, { key: keys.READER, variables: { key: 'shape', first: 4 } }),
      ),
    );
    const texts = query.filter(({ sql }) => sql.includes('"NoticeTranslation"'));
    expect(texts).toHaveLength(1);
    expect(texts[0]?.rows).toBe(4);
    expect(result.notice?.versions.edges.map((edge) => edge.node.text)).toEqual(
      [5, 4, 3, 2].map((number) => ({ locale: 'de', match: 'LANGUAGE', body: `Deutsch v${number}` })),
    );
  });

  it('serves each aliased field its own locale, even when they load the same version', async () => {
    const data = expectData(
      await execute(t.app, AliasedVersions, {
        key: keys.READER,
        variables: { key: 'shape', at: new Date().toISOString() },
      }),
    ).notice!;
    expect(data.a?.text?.locale).toBe('de');
    expect(data.b?.text?.locale).toBe('en');
    expect(data.c).toEqual({ number: 4, text: { locale: 'de', requestedLocale: 'de' } });
    expect(data.d).toEqual({
      number: 4,
      text: { locale: 'fr', match: 'LANGUAGE', requestedLocale: 'fr-CA' },
    });
    expect(data.e?.text).toEqual({ locale: 'de', match: 'LANGUAGE' });
    expect(data.f?.text?.locale).toBe('en');
    expect(data.g).toEqual({ number: 5, text: { locale: 'fr' } });
    expect(data.h).toEqual({ number: 5, text: { locale: 'de' } });
    expect(data.i).toEqual({
      asked: { locale: 'de' },
      en: { locale: 'en' },
      fr: { locale: 'fr', match: 'EXACT' },
      none: { locale: 'en', match: 'DEFAULT' },
    });
  });

  it('shows published versions their pinned revisions and drafts the current ones', async () => {
    const tenant = (await makeTenant(t.database.prisma)).keys;
    await createPurpose(t.app, 'pinned', tenant.EDITOR, { name: 'First name' });
    await createNotice(t.app, 'pins', tenant.EDITOR);
    await publish(
      t.app,
      tenant.EDITOR,
      await createDraft(t.app, tenant.EDITOR, {
        noticeKey: 'pins',
        purposeKeys: ['pinned'],
        effectiveFrom: inDays(0),
      }),
      'test',
    );
    await revisePurpose(t.app, 'pinned', tenant.EDITOR, { name: 'Second name' });
    await createDraft(t.app, tenant.EDITOR, { noticeKey: 'pins', purposeKeys: ['pinned'] });
    const { result, query } = await measure(async () =>
      expectData(await execute(t.app, PurposesOfVersions, { key: tenant.ADMIN, variables: { key: 'pins' } })),
    );
    expect(result.notice?.version?.purposes).toEqual([
      { purposeKey: 'pinned', number: 1, name: 'First name' },
    ]);
    expect(result.notice?.drafts.edges.map((edge) => edge.node.purposes)).toEqual([
      [{ purposeKey: 'pinned', number: 2, name: 'Second name' }],
    ]);
    // The draft's current revision is one more statement; the published version needs none.
    expect(query.length).toBeLessThanOrEqual(4);
  });

  it("lists notices with each one's current version in a number of statements that does not grow with the page", async () => {
    const tenant = (await makeTenant(t.database.prisma)).keys;
    await createPurpose(t.app, 'listed', tenant.EDITOR);
    for (const [index, key] of ['list-a', 'list-b', 'list-c', 'list-d'].entries()) {
      await createNotice(t.app, key, tenant.EDITOR, ['en', 'de']);
      for (let number = 1; number <= index + 1; number++) {
        const draft = await createDraft(t.app, tenant.EDITOR, {
          noticeKey: key,
          purposeKeys: ['listed'],
          translations: [
            { locale: 'en', title: `EN ${key} v${number}`, body: 'English' },
            { locale: 'de', title: `DE ${key} v${number}`, body: 'Deutsch' },
          ],
          effectiveFrom: inDays(0),
        });
        await publish(t.app, tenant.EDITOR, draft, 'test');
      }
    }
    const list = (first: number) =>
      measure(async () =>
        expectData(await execute(t.app, NoticeList, { key: tenant.READER, variables: { first } })),
      );
    await list(1);
    const one = await list(1);
    const four = await list(4);
    expect(four.query.length).toBe(one.query.length);
    expect(
      four.result.notices.edges.map(({ node }) => [
        node.key,
        node.currentVersion?.number,
        node.upcomingVersion,
      ]),
    ).toEqual([
      ['list-a', 1, null],
      ['list-b', 2, null],
      ['list-c', 3, null],
      ['list-d', 4, null],
    ]);
    for (const { node } of four.result.notices.edges) {
      expect(node.currentVersion?.text).toEqual({ locale: 'de' });
      expect(node.currentVersion?.purposes).toEqual([{ purposeKey: 'listed' }]);
    }
  });
});
