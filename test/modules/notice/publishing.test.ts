import { describe, expect, it } from 'vitest';
import { graphql } from '../../graphql/index.js';
import { execute, expectData, rawId } from '../../support/client.js';
import { makeTenant } from '../../support/factories.js';
import {
  CreateDraft,
  createDraft,
  createNotice,
  createPurpose,
  inDays,
  notMaterial,
  Publish,
  publish,
  publishedNotice,
  revisePurpose,
  translations,
} from '../../support/notice-fixtures.js';
import { useTestApp } from '../../support/test-app.js';

const VersionCount = graphql(`
  query VersionCount($key: String!) {
    notice(key: $key) {
      versions(first: 100) {
        edges {
          node {
            number
          }
        }
      }
      drafts(first: 100) {
        edges {
          node {
            id
          }
        }
      }
    }
  }
`);

const UpdateDraft = graphql(`
  mutation UpdateDraftDuringPublish($input: UpdateNoticeDraftInput!) {
    updateNoticeDraft(input: $input) {
      __typename
      ... on Error {
        code
      }
    }
  }
`);

describe('publishing notice versions', () => {
  const t = useTestApp();

  it('numbers, pins, hashes and classifies; a retry returns the same version', async () => {
    const { keys } = await makeTenant(t.database.prisma);
    const first = await publishedNotice(t.app, keys.EDITOR, 'privacy-policy', 'analytics');
    expect(first).toMatchObject({ number: 1, status: 'PUBLISHED', classification: 'RENOTIFY' });
    expect(first.contentHash).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(first.leadTimeOverrideReason).toBe('first version of a new notice');
    expect(await publish(t.app, keys.EDITOR, first.id)).toEqual(first);

    const editorial = await createDraft(t.app, keys.EDITOR, {
      noticeKey: 'privacy-policy',
      purposeKeys: ['analytics'],
      translations: translations('We process your data carefully.'),
      effectiveFrom: inDays(0),
    });
    const second = await publish(t.app, keys.EDITOR, editorial, undefined, notMaterial);
    expect(second).toMatchObject({ number: 2, classification: 'EDITORIAL' });
    expect(second.classificationReasons.map((reason) => reason.code)).toEqual([
      'TEXT_CHANGED',
      'WORDING_SIGNED_OFF',
    ]);
  });

  it('refuses a RENOTIFY version effective before the notice period, unless overridden, writing nothing', async () => {
    const { controller, keys } = await makeTenant(t.database.prisma);
    await publishedNotice(t.app, keys.EDITOR, 'ai-notice', 'feed');
    await createPurpose(t.app, 'ai-training', keys.EDITOR);
    const draft = await createDraft(t.app, keys.EDITOR, {
      noticeKey: 'ai-notice',
      purposeKeys: ['feed', 'ai-training'],
      effectiveFrom: inDays(10),
    });
    const refused = expectData(
      await execute(t.app, Publish, {
        key: keys.EDITOR,
        variables: { input: { id: draft, changeMessage: 'AI' } },
      }),
    ).publishNoticeVersion;
    expect(refused).toMatchObject({
      __typename: 'NoticeLeadTimeError',
      code: 'NOTICE_LEAD_TIME_TOO_SHORT',
      minimumNoticeDays: 28,
    });
    const notice = await t.database.prisma.notice.findFirstOrThrow({
      where: { controllerId: controller.id, key: 'ai-notice' },
    });
    expect(notice.publishedCount).toBe(1);
    expect(
      (await t.database.prisma.noticeVersion.findUniqueOrThrow({ where: { id: rawId(draft) } })).status,
    ).toBe('DRAFT');

    const overridden = await publish(t.app, keys.EDITOR, draft, 'regulator-agreed urgent change');
    expect(overridden).toMatchObject({
      number: 2,
      classification: 'RENOTIFY',
      leadTimeOverrideReason: 'regulator-agreed urgent change',
    });
    expect(overridden.classificationReasons).toContainEqual({
      code: 'PURPOSE_ADDED',
      classification: 'RENOTIFY',
      purposeKey: 'ai-training',
    });

    const onTime = await createDraft(t.app, keys.EDITOR, {
      noticeKey: 'ai-notice',
      purposeKeys: ['feed'],
      effectiveFrom: inDays(29),
    });
    await revisePurpose(t.app, 'feed', keys.EDITOR, { legalBasis: 'CONSENT', legitimateInterest: null });
    expect(await publish(t.app, keys.EDITOR, onTime)).toMatchObject({
      number: 3,
      classification: 'RECONSENT',
    });
  });

  it('names missing and empty locales, and rejects bad drafts with coded errors and no writes', async () => {
    const { controller, keys } = await makeTenant(t.database.prisma);
    await createPurpose(t.app, 'billing', keys.EDITOR, { legalBasis: 'CONTRACT', legitimateInterest: null });
    await createNotice(t.app, 'terms', keys.EDITOR, ['en', 'de', 'fr']);
    const draft = await createDraft(t.app, keys.EDITOR, { noticeKey: 'terms', purposeKeys: ['billing'] });
    const incomplete = expectData(
      await execute(t.app, Publish, {
        key: keys.EDITOR,
        variables: { input: { id: draft, changeMessage: 'x' } },
      }),
    ).publishNoticeVersion;
    expect(incomplete).toMatchObject({
      __typename: 'NoticeVersionIncompleteError',
      missingLocales: ['fr'],
      emptyLocales: [],
    });

    const before = await t.database.prisma.noticeVersion.count({ where: { controllerId: controller.id } });
    const attempt = (input: Record<string, unknown>) =>
      execute(t.app, CreateDraft, {
        key: keys.EDITOR,
        variables: {
          input: {
            noticeKey: 'terms',
            purposeKeys: ['billing'],
            translations: translations(),
            changeSummary: 'x',
            effectiveFrom: inDays(40),
            ...input,
          } as never,
        },
      });
    const unknown = expectData(
      await attempt({ purposeKeys: ['billing', 'nope', 'ghost'] }),
    ).createNoticeDraft;
    expect(unknown).toMatchObject({
      __typename: 'UnknownPurposesError',
      code: 'UNKNOWN_PURPOSES',
      purposeKeys: ['nope', 'ghost'],
    });

    const invalid = expectData(
      await attempt({
        translations: [
          { locale: 'en', title: 'T', body: '   ' },
          { locale: 'en', title: 'T', body: 'text' },
        ],
      }),
    ).createNoticeDraft;
    expect(invalid.__typename).toBe('InputValidationError');
    if (invalid.__typename !== 'InputValidationError') return;
    expect(invalid.issues.map((issue) => issue.path.join('.')).sort()).toEqual([
      'input.translations.0.body',
      'input.translations.1.locale',
    ]);
    expect(await t.database.prisma.noticeVersion.count({ where: { controllerId: controller.id } })).toBe(
      before,
    );
  });

  it('gives two concurrent publishes on one notice the numbers n and n+1', async () => {
    const { keys } = await makeTenant(t.database.prisma);
    await publishedNotice(t.app, keys.EDITOR, 'race', 'race-purpose');
    const drafts = await Promise.all(
      [1, 2, 3].map(() =>
        createDraft(t.app, keys.EDITOR, {
          noticeKey: 'race',
          purposeKeys: ['race-purpose'],
          effectiveFrom: inDays(0),
        }),
      ),
    );
    const versions = await Promise.all(drafts.map((id) => publish(t.app, keys.EDITOR, id)));
    expect(versions.map((version) => version.number).sort()).toEqual([2, 3, 4]);
    const listed = expectData(
      await execute(t.app, VersionCount, { key: keys.EDITOR, variables: { key: 'race' } }),
    );
    expect(listed.notice?.versions.edges.map((edge) => edge.node.number)).toEqual([4, 3, 2, 1]);
  });

  it('answers two concurrent publishes of one draft with one version, never an internal error', async () => {
    const { controller, keys } = await makeTenant(t.database.prisma);
    await publishedNotice(t.app, keys.EDITOR, 'twice', 'twice-purpose');
    for (const round of [1, 2, 3, 4, 5]) {
      const draft = await createDraft(t.app, keys.EDITOR, {
        noticeKey: 'twice',
        purposeKeys: ['twice-purpose'],
        effectiveFrom: inDays(0),
      });
      const variables = { input: { id: draft, changeMessage: `round ${round}` } };
      const answers = await Promise.all([
        execute(t.app, Publish, { key: keys.EDITOR, variables }),
        execute(t.app, Publish, { key: keys.ADMIN, variables }),
      ]);
      const results = answers.map((answer) => expectData(answer).publishNoticeVersion);
      const versions = results.flatMap((result) =>
        result.__typename === 'NoticeVersionPayload' ? [result.version] : [],
      );
      const others = results.filter((result) => result.__typename !== 'NoticeVersionPayload');
      expect(versions.length, JSON.stringify(others)).toBeGreaterThan(0);
      expect(others.every((other) => 'code' in other && other.code === 'CONFLICT')).toBe(true);
      expect(new Set(versions.map((version) => `${version.id}#${version.number}`))).toEqual(
        new Set([`${draft}#${round + 1}`]),
      );
      const notice = await t.database.prisma.notice.findFirstOrThrow({
        where: { controllerId: controller.id, key: 'twice' },
      });
      expect(notice.publishedCount).toBe(round + 1);
      expect(
        await t.database.prisma.auditEntry.count({
          where: { controllerId: controller.id, action: 'noticeVersion:publish', targetId: rawId(draft) },
        }),
      ).toBe(1);
    }
  });

  it('lets an edit racing a publish of the same draft either land first or be refused as not a draft', async () => {
    const { keys } = await makeTenant(t.database.prisma);
    await publishedNotice(t.app, keys.EDITOR, 'edit-race', 'edit-race-purpose');
    for (const round of [1, 2, 3]) {
      const draft = await createDraft(t.app, keys.EDITOR, {
        noticeKey: 'edit-race',
        purposeKeys: ['edit-race-purpose'],
        effectiveFrom: inDays(0),
      });
      const [published, edited] = await Promise.all([
        execute(t.app, Publish, {
          key: keys.EDITOR,
          variables: { input: { id: draft, changeMessage: `round ${round}` } },
        }),
        execute(t.app, UpdateDraft, {
          key: keys.EDITOR,
          variables: { input: { id: draft, changeSummary: `edited in round ${round}` } },
        }),
      ]);
      expect(expectData(published).publishNoticeVersion.__typename).toBe('NoticeVersionPayload');
      const edit = expectData(edited).updateNoticeDraft;
      const stored = await t.database.prisma.noticeVersion.findUniqueOrThrow({ where: { id: rawId(draft) } });
      if (edit.__typename === 'NoticeVersionPayload') {
        expect(stored.changeSummary).toBe(`edited in round ${round}`);
      } else {
        expect(edit).toMatchObject({ code: 'NOTICE_VERSION_NOT_DRAFT' });
        expect(stored.changeSummary).toBe('Initial version');
      }
    }
  });

  it('lets the database refuse any change to a published version, even by direct SQL', async () => {
    const { keys } = await makeTenant(t.database.prisma);
    const version = await publishedNotice(t.app, keys.EDITOR, 'immutable', 'imm-purpose');
    const attempts = [
      ['UPDATE "NoticeVersion" SET "changeSummary" = $2 WHERE id = $1', [rawId(version.id), 'tampered']],
      [
        'UPDATE "NoticeVersion" SET "status" = \'RETIRED\', "contentHash" = $2 WHERE id = $1',
        [rawId(version.id), 'sha256:0'],
      ],
      ['DELETE FROM "NoticeVersion" WHERE id = $1', [rawId(version.id)]],
      ['UPDATE "NoticeTranslation" SET body = $2 WHERE "versionId" = $1', [rawId(version.id), 'tampered']],
      ['DELETE FROM "NoticeVersionPurpose" WHERE "versionId" = $1', [rawId(version.id)]],
      [
        'UPDATE "PurposeRevision" SET name = $2 WHERE "purposeId" IN (SELECT "purposeId" FROM "NoticeVersionPurpose" WHERE "versionId" = $1)',
        [rawId(version.id), 'x'],
      ],
    ] as const;
    for (const [sql, params] of attempts) {
      await expect(t.database.sql(sql, [...params]), sql).rejects.toThrow(/immutable/);
    }
    const stored = await t.database.prisma.noticeVersion.findUniqueOrThrow({
      where: { id: rawId(version.id) },
    });
    expect(stored.contentHash).toBe(version.contentHash);
  });
});
