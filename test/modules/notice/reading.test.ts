import { describe, expect, it } from 'vitest';
import { graphql } from '../../graphql/index.js';
import { execute, expectData } from '../../support/client.js';
import { makeTenant } from '../../support/factories.js';
import {
  createDraft,
  createNotice,
  createPurpose,
  inDays,
  publish,
  publishedNotice,
  translations,
} from '../../support/notice-fixtures.js';
import { useTestApp } from '../../support/test-app.js';

const FrontendNotice = graphql(`
  query FrontendNotice($key: String!, $locale: Locale!, $first: Int!, $after: String) {
    notice(key: $key) {
      key
      currentVersion(locale: $locale) {
        number
        text {
          requestedLocale
          locale
          match
          title
        }
        purposes {
          purposeKey
          legalBasis
        }
      }
      versions(first: $first, after: $after) {
        edges {
          node {
            number
            purposes {
              purposeKey
              number
            }
          }
        }
        pageInfo {
          hasNextPage
          endCursor
        }
      }
    }
  }
`);

const NoticeAt = graphql(`
  query NoticeAt($key: String!, $at: DateTime!) {
    notice(key: $key) {
      versionAt(at: $at, locale: "de") {
        number
        text {
          locale
        }
      }
      upcomingVersion {
        number
      }
      version(number: 1) {
        number
        status
        text(locale: "en-GB") {
          locale
          match
        }
      }
    }
  }
`);

const Diff = graphql(`
  query Diff($key: String!, $from: Int!, $to: Int!) {
    notice(key: $key) {
      diff(from: $from, to: $to) {
        __typename
        ... on NoticeVersionDiff {
          classification
          purposesAdded
          purposesRemoved
          purposesChanged {
            key
            changes {
              field
              before
              after
            }
          }
          textChanges {
            locale
            status
            lines {
              kind
              line
              text
            }
          }
          reasons {
            code
          }
        }
        ... on NotFoundError {
          code
        }
      }
    }
  }
`);

const Notices = graphql(`
  query Notices($purposeKey: String, $search: String, $status: NoticeStatusFilter) {
    notices(first: 50, purposeKey: $purposeKey, search: $search, status: $status) {
      edges {
        node {
          key
        }
      }
    }
  }
`);

const Coverage = graphql(`
  query Coverage($key: String!) {
    purpose(key: $key) {
      coverage(first: 10) {
        edges {
          node {
            version {
              noticeKey
              number
            }
            revision {
              number
              legalBasis
            }
          }
        }
      }
    }
  }
`);

describe('reading notices', () => {
  const t = useTestApp();

  it('serves the current version in the best locale: exact, then language, then default', async () => {
    const { keys } = await makeTenant(t.database.prisma);
    await publishedNotice(t.app, keys.EDITOR, 'privacy-policy', 'core');
    const read = async (locale: string) =>
      expectData(
        await execute(t.app, FrontendNotice, {
          key: keys.READER,
          variables: { key: 'privacy-policy', locale, first: 5 },
        }),
      ).notice?.currentVersion?.text;
    expect(await read('de')).toEqual({
      requestedLocale: 'de',
      locale: 'de',
      match: 'EXACT',
      title: 'Datenschutzhinweis',
    });
    expect(await read('de-AT')).toMatchObject({ requestedLocale: 'de-AT', locale: 'de', match: 'LANGUAGE' });
    expect(await read('fr-FR')).toMatchObject({ locale: 'en', match: 'DEFAULT' });
  });

  it('answers which version was in force at an instant, and which one is coming', async () => {
    const { keys } = await makeTenant(t.database.prisma);
    const first = await publishedNotice(t.app, keys.EDITOR, 'history', 'h-purpose');
    await createPurpose(t.app, 'h-new', keys.EDITOR);
    const future = await createDraft(t.app, keys.EDITOR, {
      noticeKey: 'history',
      purposeKeys: ['h-purpose', 'h-new'],
      effectiveFrom: inDays(30),
    });
    await publish(t.app, keys.EDITOR, future);
    const now = expectData(
      await execute(t.app, NoticeAt, {
        key: keys.READER,
        variables: { key: 'history', at: new Date().toISOString() },
      }),
    );
    expect(now.notice).toEqual({
      versionAt: { number: 1, text: { locale: 'de' } },
      upcomingVersion: { number: 2 },
      version: { number: 1, status: 'PUBLISHED', text: { locale: 'en', match: 'LANGUAGE' } },
    });
    const later = expectData(
      await execute(t.app, NoticeAt, { key: keys.READER, variables: { key: 'history', at: inDays(31) } }),
    );
    expect(later.notice?.versionAt?.number).toBe(2);
    const before = expectData(
      await execute(t.app, NoticeAt, {
        key: keys.READER,
        variables: { key: 'history', at: '2001-01-01T00:00:00Z' },
      }),
    );
    expect(before.notice?.versionAt).toBeNull();
    expect(first.number).toBe(1);
  });

  it('pages through history newest first, in a constant number of SQL statements', async () => {
    const { keys } = await makeTenant(t.database.prisma);
    await publishedNotice(t.app, keys.EDITOR, 'long', 'l1');
    await createPurpose(t.app, 'l2', keys.EDITOR);
    for (let index = 0; index < 11; index++) {
      const draft = await createDraft(t.app, keys.EDITOR, {
        noticeKey: 'long',
        purposeKeys: ['l1', 'l2'],
        translations: translations(`Edit ${index}`),
        effectiveFrom: inDays(0),
      });
      await publish(t.app, keys.EDITOR, draft, 'test');
    }
    const page = (first: number, after?: string | null) =>
      t.database.counter.measure(async () =>
        expectData(
          await execute(t.app, FrontendNotice, {
            key: keys.READER,
            variables: { key: 'long', locale: 'en', first, after },
          }),
        ),
      );
    await page(1);
    const small = await page(2);
    const large = await page(12);
    expect(large.count).toBe(small.count);
    const numbers = large.result.notice?.versions.edges.map((edge) => edge.node.number);
    expect(numbers).toEqual([12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1]);
    expect(large.result.notice?.versions.edges[0]?.node.purposes.map((p) => p.purposeKey)).toEqual([
      'l1',
      'l2',
    ]);

    const firstPage = small.result.notice?.versions;
    const next = await page(3, firstPage?.pageInfo.endCursor);
    expect(next.result.notice?.versions.edges.map((edge) => edge.node.number)).toEqual([10, 9, 8]);
  });

  it('compares two versions: purposes, fields, text lines, classification', async () => {
    const { keys } = await makeTenant(t.database.prisma);
    await publishedNotice(t.app, keys.EDITOR, 'cmp', 'cmp-a');
    await createPurpose(t.app, 'cmp-b', keys.EDITOR, {
      legalBasis: 'CONSENT',
      legitimateInterest: null,
      consentValidityDays: 365,
    });
    const draft = await createDraft(t.app, keys.EDITOR, {
      noticeKey: 'cmp',
      purposeKeys: ['cmp-a', 'cmp-b'],
      translations: translations('We now also train models.'),
      effectiveFrom: inDays(29),
    });
    await publish(t.app, keys.EDITOR, draft);
    const diff = expectData(
      await execute(t.app, Diff, { key: keys.READER, variables: { key: 'cmp', from: 1, to: 2 } }),
    ).notice?.diff;
    expect(diff).toMatchObject({
      __typename: 'NoticeVersionDiff',
      classification: 'RECONSENT',
      purposesAdded: ['cmp-b'],
      purposesRemoved: [],
      reasons: expect.arrayContaining([{ code: 'PURPOSE_ADDED_CONSENT' }]),
    });
    if (diff?.__typename !== 'NoticeVersionDiff') return;
    const en = diff.textChanges.find((change) => change.locale === 'en');
    expect(en?.lines).toEqual([
      { kind: 'REMOVED', line: 3, text: 'We process your data.' },
      { kind: 'ADDED', line: 3, text: 'We now also train models.' },
    ]);
    const missing = expectData(
      await execute(t.app, Diff, { key: keys.READER, variables: { key: 'cmp', from: 1, to: 9 } }),
    );
    expect(missing.notice?.diff).toEqual({ __typename: 'NotFoundError', code: 'NOT_FOUND' });
  });

  it('lists notices by purpose and title, and shows which versions cover a purpose under which basis', async () => {
    const { keys } = await makeTenant(t.database.prisma);
    await publishedNotice(t.app, keys.EDITOR, 'alpha', 'shared');
    await createNotice(t.app, 'beta', keys.EDITOR);
    const byPurpose = expectData(
      await execute(t.app, Notices, { key: keys.READER, variables: { purposeKey: 'shared' } }),
    );
    expect(byPurpose.notices.edges.map((edge) => edge.node.key)).toEqual(['alpha']);
    const bySearch = expectData(
      await execute(t.app, Notices, { key: keys.READER, variables: { search: 'BETA' } }),
    );
    expect(bySearch.notices.edges.map((edge) => edge.node.key)).toEqual(['beta']);
    const coverage = expectData(
      await execute(t.app, Coverage, { key: keys.READER, variables: { key: 'shared' } }),
    );
    expect(coverage.purpose?.coverage.edges.map((edge) => edge.node)).toEqual([
      {
        version: { noticeKey: 'alpha', number: 1 },
        revision: { number: 1, legalBasis: 'LEGITIMATE_INTERESTS' },
      },
    ]);
  });

  it("never shows another controller's notices or versions", async () => {
    const mine = await makeTenant(t.database.prisma);
    const theirs = await makeTenant(t.database.prisma);
    await publishedNotice(t.app, theirs.keys.EDITOR, 'their-notice', 'their-purpose');
    for (const role of ['ADMIN', 'EDITOR', 'READER', 'AUDITOR', 'NOTIFIER'] as const) {
      const single = expectData(
        await execute(t.app, FrontendNotice, {
          key: mine.keys[role],
          variables: { key: 'their-notice', locale: 'en', first: 5 },
        }),
      );
      expect(single.notice).toBeNull();
      const list = expectData(await execute(t.app, Notices, { key: mine.keys[role], variables: {} }));
      expect(list.notices.edges).toEqual([]);
    }
  });
});
