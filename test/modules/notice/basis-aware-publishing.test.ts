import { describe, expect, it } from 'vitest';
import { wordingRule } from '../../../src/modules/notice/version-diff.js';
import { graphql } from '../../graphql/index.js';
import { execute, expectData, rawId } from '../../support/client.js';
import { makeTenant } from '../../support/factories.js';
import {
  createDraft,
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

const SignedOff = graphql(`
  query SignedOffVersion($key: String!, $number: Int!, $from: Int!) {
    notice(key: $key) {
      version(number: $number) {
        publishedBy
        publishedAt
        classification
        wordingSignOff {
          signedBy
          reason
          apiKeyId
          signedAt
        }
      }
      diff(from: $from, to: $number) {
        __typename
        ... on NoticeVersionDiff {
          classification
          reasons {
            classification
            code
            message
          }
          wordingSignOff {
            signedBy
            reason
          }
        }
      }
    }
  }
`);

const Reasons = graphql(`
  query BasisAwareReasons($key: String!, $from: Int!, $to: Int!) {
    notice(key: $key) {
      diff(from: $from, to: $to) {
        __typename
        ... on NoticeVersionDiff {
          classification
          reasons {
            classification
            code
            purposeKey
            message
          }
        }
      }
    }
  }
`);

const PublishWithIssues = graphql(`
  mutation PublishWithIssues($input: PublishNoticeVersionInput!) {
    publishNoticeVersion(input: $input) {
      __typename
      ... on InputValidationError {
        code
        issues {
          path
          message
        }
      }
      ... on NoticeLeadTimeError {
        code
        classification
        onlyWording
      }
    }
  }
`);

describe('wording changes and their sign-off', () => {
  const t = useTestApp();

  it('refuses reworded text inside the notice period unless signed off, then stores, shows, audits and diffs the sign-off', async () => {
    const { controller, keys } = await makeTenant(t.database.prisma);
    await publishedNotice(t.app, keys.EDITOR, 'privacy-policy', 'analytics');
    const reworded = await createDraft(t.app, keys.EDITOR, {
      noticeKey: 'privacy-policy',
      purposeKeys: ['analytics'],
      translations: translations('We use your data to improve our services, including training AI models.'),
      effectiveFrom: inDays(0),
    });
    const attempt = (input: Record<string, unknown>) =>
      execute(t.app, PublishWithIssues, {
        key: keys.EDITOR,
        variables: { input: { id: reworded, changeMessage: 'reworded', ...input } },
      }).then((result) => expectData(result).publishNoticeVersion);

    expect(await attempt({})).toEqual({
      __typename: 'NoticeLeadTimeError',
      code: 'NOTICE_LEAD_TIME_TOO_SHORT',
      classification: 'RENOTIFY',
      onlyWording: true,
    });
    const blank = await attempt({ notMaterial: { signedBy: ' ', reason: 'Same processing.' } });
    expect(blank).toMatchObject({
      __typename: 'InputValidationError',
      issues: [{ path: ['input', 'notMaterial', 'signedBy'], message: 'must not be empty' }],
    });
    const notice = () =>
      t.database.prisma.notice.findFirstOrThrow({
        where: { controllerId: controller.id, key: 'privacy-policy' },
      });
    expect((await notice()).publishedCount).toBe(1);

    const signOff = { signedBy: ' Dana Ortiz, DPO ', reason: 'Clearer words; the processing is the same.' };
    const published = await publish(t.app, keys.EDITOR, reworded, undefined, signOff);
    expect(published).toMatchObject({ number: 2, classification: 'EDITORIAL' });
    expect(published.classificationReasons).toEqual([
      { code: 'TEXT_CHANGED', classification: 'EDITORIAL', purposeKey: null },
      { code: 'WORDING_SIGNED_OFF', classification: 'EDITORIAL', purposeKey: null },
    ]);

    const read = expectData(
      await execute(t.app, SignedOff, {
        key: keys.READER,
        variables: { key: 'privacy-policy', number: 2, from: 1 },
      }),
    ).notice!;
    const stored = {
      signedBy: 'Dana Ortiz, DPO',
      reason: 'Clearer words; the processing is the same.',
      apiKeyId: read.version!.publishedBy,
      signedAt: read.version!.publishedAt,
    };
    expect(read.version!.wordingSignOff).toEqual(stored);
    expect(read.diff).toEqual({
      __typename: 'NoticeVersionDiff',
      classification: 'EDITORIAL',
      reasons: [
        {
          classification: 'EDITORIAL',
          code: 'TEXT_CHANGED',
          message: 'The notice text changed (de, en); signed off as not material by "Dana Ortiz, DPO"',
        },
        {
          classification: 'EDITORIAL',
          code: 'WORDING_SIGNED_OFF',
          message:
            'Wording changes signed off as not material by "Dana Ortiz, DPO": "Clearer words; the processing is the same."',
        },
      ],
      wordingSignOff: { signedBy: stored.signedBy, reason: stored.reason },
    });

    const row = await t.database.prisma.noticeVersion.findUniqueOrThrow({ where: { id: rawId(reworded) } });
    expect(row.wordingSignOff).toEqual({ ...stored, signedAt: row.publishedAt!.toISOString() });
    const audit = await t.database.prisma.auditEntry.findFirstOrThrow({
      where: { controllerId: controller.id, action: 'noticeVersion:publish', targetId: rawId(reworded) },
    });
    expect(audit.details).toMatchObject({ classification: 'EDITORIAL', wordingSignOff: row.wordingSignOff });
    const first = await t.database.prisma.auditEntry.findFirstOrThrow({
      where: {
        controllerId: controller.id,
        action: 'noticeVersion:publish',
        NOT: { targetId: rawId(reworded) },
      },
    });
    expect(first.details).toMatchObject({ wordingSignOff: null });
  });

  it('refuses a sign-off where nothing was reworded, writing nothing', async () => {
    const { controller, keys } = await makeTenant(t.database.prisma);
    await publishedNotice(t.app, keys.EDITOR, 'cookies', 'measurement');
    await revisePurpose(t.app, 'measurement', keys.EDITOR, {
      recipients: ['internal AI team', 'Ad network'],
    });
    const draft = await createDraft(t.app, keys.EDITOR, {
      noticeKey: 'cookies',
      purposeKeys: ['measurement'],
      effectiveFrom: inDays(29),
    });
    const refused = expectData(
      await execute(t.app, PublishWithIssues, {
        key: keys.EDITOR,
        variables: { input: { id: draft, changeMessage: 'new recipient', notMaterial } },
      }),
    ).publishNoticeVersion;
    expect(refused).toEqual({
      __typename: 'InputValidationError',
      code: 'VALIDATION_FAILED',
      issues: [
        {
          path: ['input', 'notMaterial'],
          message:
            'nothing to sign off: the version changes no purpose name or description and no notice text',
        },
      ],
    });
    const row = await t.database.prisma.noticeVersion.findUniqueOrThrow({ where: { id: rawId(draft) } });
    expect(row).toMatchObject({ status: 'DRAFT', number: null, wordingSignOff: null });
    const notice = await t.database.prisma.notice.findFirstOrThrow({
      where: { controllerId: controller.id, key: 'cookies' },
    });
    expect(notice.publishedCount).toBe(1);
    expect(await publish(t.app, keys.EDITOR, draft)).toMatchObject({ number: 2, classification: 'RENOTIFY' });
  });

  it('re-notifies an unsigned rename, and applies a sign-off only to the step it was given for', async () => {
    const { keys } = await makeTenant(t.database.prisma);
    await publishedNotice(t.app, keys.EDITOR, 'members', 'feed');
    await revisePurpose(t.app, 'feed', keys.EDITOR, { name: 'Feed ranking and AI training' });
    const renamed = await createDraft(t.app, keys.EDITOR, {
      noticeKey: 'members',
      purposeKeys: ['feed'],
      effectiveFrom: inDays(29),
    });
    expect(await publish(t.app, keys.EDITOR, renamed)).toMatchObject({
      number: 2,
      classification: 'RENOTIFY',
      classificationReasons: [{ code: 'NAME_CHANGED', classification: 'RENOTIFY', purposeKey: 'feed' }],
    });

    await revisePurpose(t.app, 'feed', keys.EDITOR, { name: 'Feed ranking and model training' });
    const signed = await createDraft(t.app, keys.EDITOR, {
      noticeKey: 'members',
      purposeKeys: ['feed'],
      effectiveFrom: inDays(0),
    });
    expect(await publish(t.app, keys.EDITOR, signed, undefined, notMaterial)).toMatchObject({
      number: 3,
      classification: 'EDITORIAL',
    });

    const across = expectData(
      await execute(t.app, SignedOff, {
        key: keys.READER,
        variables: { key: 'members', number: 3, from: 1 },
      }),
    ).notice!;
    expect(across.version!.wordingSignOff).toMatchObject({ signedBy: notMaterial.signedBy });
    expect(across.diff).toEqual({
      __typename: 'NoticeVersionDiff',
      classification: 'RENOTIFY',
      reasons: [
        {
          classification: 'RENOTIFY',
          code: 'NAME_CHANGED',
          message: `Purpose "feed": renamed from "AI model training" to "Feed ranking and model training"; ${wordingRule}`,
        },
      ],
      wordingSignOff: null,
    });
  });
});

describe('publishing basis-aware purpose changes', () => {
  const t = useTestApp();

  it('quotes the justification of a switch away from consent in the stored reasons and the diff', async () => {
    const { keys } = await makeTenant(t.database.prisma);
    const consent = { legalBasis: 'CONSENT', legitimateInterest: null, consentValidityDays: 365 } as const;
    await createPurpose(t.app, 'newsletter', keys.EDITOR, consent);
    await publishedNotice(t.app, keys.EDITOR, 'marketing', 'other');
    const first = await createDraft(t.app, keys.EDITOR, {
      noticeKey: 'marketing',
      purposeKeys: ['other', 'newsletter'],
      effectiveFrom: inDays(29),
    });
    await publish(t.app, keys.EDITOR, first);

    const justification = 'The newsletter is part of the paid membership contract.';
    await revisePurpose(
      t.app,
      'newsletter',
      keys.EDITOR,
      { legalBasis: 'CONTRACT', legitimateInterest: null },
      justification,
    );
    const second = await createDraft(t.app, keys.EDITOR, {
      noticeKey: 'marketing',
      purposeKeys: ['other', 'newsletter'],
      effectiveFrom: inDays(29),
    });
    expect(await publish(t.app, keys.EDITOR, second)).toMatchObject({
      number: 3,
      classification: 'RENOTIFY',
      classificationReasons: [
        { code: 'LEGAL_BASIS_CHANGED', classification: 'RENOTIFY', purposeKey: 'newsletter' },
      ],
    });
    const diff = expectData(
      await execute(t.app, Reasons, { key: keys.READER, variables: { key: 'marketing', from: 2, to: 3 } }),
    ).notice?.diff;
    expect(diff).toEqual({
      __typename: 'NoticeVersionDiff',
      classification: 'RENOTIFY',
      reasons: [
        {
          classification: 'RENOTIFY',
          code: 'LEGAL_BASIS_CHANGED',
          purposeKey: 'newsletter',
          message: `Purpose "newsletter": legal basis changed from consent to contract; justification: "${justification}"`,
        },
      ],
    });
  });

  it('asks for explicit consent when a purpose comes to rely on it, citing the article', async () => {
    const { keys } = await makeTenant(t.database.prisma);
    await publishedNotice(t.app, keys.EDITOR, 'health', 'screening');
    await revisePurpose(t.app, 'screening', keys.EDITOR, {
      legalBasis: 'CONSENT',
      legitimateInterest: null,
      explicitConsent: true,
      specialCategories: [
        { category: 'health data', condition: 'explicit consent (Art. 9(2)(a))', explicitConsent: true },
      ],
    });
    const draft = await createDraft(t.app, keys.EDITOR, {
      noticeKey: 'health',
      purposeKeys: ['screening'],
      effectiveFrom: inDays(29),
    });
    const published = expectData(
      await execute(t.app, Publish, {
        key: keys.EDITOR,
        variables: { input: { id: draft, changeMessage: 'explicit consent' } },
      }),
    ).publishNoticeVersion;
    expect(published).toMatchObject({
      __typename: 'NoticeVersionPayload',
      version: {
        classification: 'RECONSENT',
        classificationReasons: [
          { code: 'LEGAL_BASIS_CHANGED_TO_CONSENT', classification: 'RECONSENT', purposeKey: 'screening' },
          { code: 'EXPLICIT_CONSENT_REQUIRED', classification: 'RECONSENT', purposeKey: 'screening' },
        ],
      },
    });
    const diff = expectData(
      await execute(t.app, Reasons, { key: keys.READER, variables: { key: 'health', from: 1, to: 2 } }),
    ).notice?.diff;
    if (diff?.__typename !== 'NoticeVersionDiff') throw new Error(diff?.__typename);
    expect(diff.reasons.find((reason) => reason.code === 'EXPLICIT_CONSENT_REQUIRED')?.message).toContain(
      'now relies on explicit consent (GDPR Art. 9(2)(a)): the purpose; special category "health data"',
    );
  });
});
