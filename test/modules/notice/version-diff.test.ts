import { describe, expect, it } from 'vitest';
import { changeClassRank } from '../../../src/modules/notice/change-class.js';
import { diffVersions, type ReasonCode, wordingRule } from '../../../src/modules/notice/version-diff.js';
import type {
  PurposeSnapshot,
  TranslationSnapshot,
  VersionSnapshot,
} from '../../../src/modules/purpose/purpose.snapshot.js';

function purpose(overrides: Partial<PurposeSnapshot> = {}): PurposeSnapshot {
  return {
    key: 'ai-training',
    revision: 1,
    name: 'AI training',
    description: 'We train models on your posts.',
    legalBasis: 'LEGITIMATE_INTERESTS',
    legitimateInterest: 'Improving our service.',
    dataCategories: ['posts', 'profile'],
    specialCategories: [{ category: 'health data', condition: 'explicit consent (Art. 9(2)(a))' }],
    dataSubjectCategories: ['users'],
    dataSources: ['the data subject'],
    publiclyAccessibleSources: false,
    recipients: ['Hosting provider'],
    retentionPeriodDays: 365,
    retentionCriteria: null,
    transfers: [{ destination: 'US', safeguard: 'SCCs' }],
    automatedDecisionMaking: null,
    consentValidityDays: null,
    ...overrides,
  };
}

const en: TranslationSnapshot = { locale: 'en', title: 'Privacy', body: 'One.\nTwo.\nThree.\n' };

function version(purposes: PurposeSnapshot[], translations: TranslationSnapshot[] = [en]): VersionSnapshot {
  return {
    noticeKey: 'privacy-policy',
    number: 1,
    effectiveFrom: new Date('2025-01-01T00:00:00Z'),
    translations,
    purposes,
  };
}

/** Diffs one purpose before and after a change of some of its fields (as a new revision). */
function diffPurpose(before: Partial<PurposeSnapshot>, after: Partial<PurposeSnapshot>) {
  return diffVersions(version([purpose(before)]), version([purpose({ revision: 2, ...after })]));
}

const codes = (diff: { reasons: { code: ReasonCode }[] }) => diff.reasons.map((r) => r.code);

describe('diffVersions', () => {
  it('reports NO_CHANGE for identical versions, even with a new revision number or effective date', () => {
    const diff = diffVersions(version([purpose()]), {
      ...version([purpose({ revision: 2 })]),
      effectiveFrom: new Date('2025-02-01T00:00:00Z'),
    });
    expect(diff).toEqual({
      purposesAdded: [],
      purposesRemoved: [],
      purposesChanged: [],
      textChanges: [],
      effectiveFromChanged: true,
      classification: 'EDITORIAL',
      reasons: [
        {
          classification: 'EDITORIAL',
          code: 'NO_CHANGE',
          purposeKey: null,
          message: 'No change to the purposes or the notice text',
        },
      ],
      wordingSignOff: null,
    });
  });

  it('classifies a change of the text alone as RENOTIFY with TEXT_CHANGED', () => {
    const after = version([purpose()], [{ ...en, body: 'One.\nTwo, revised.\nThree.\n' }]);
    const diff = diffVersions(version([purpose()]), after);
    expect(diff.classification).toBe('RENOTIFY');
    expect(diff.effectiveFromChanged).toBe(false);
    expect(diff.reasons).toEqual([
      {
        classification: 'RENOTIFY',
        code: 'TEXT_CHANGED',
        purposeKey: null,
        message: `The notice text changed (en); ${wordingRule}`,
      },
    ]);
    expect(diff.textChanges).toEqual([
      {
        locale: 'en',
        status: 'CHANGED',
        titleChanged: false,
        lines: [
          { kind: 'REMOVED', line: 2, text: 'Two.' },
          { kind: 'ADDED', line: 2, text: 'Two, revised.' },
        ],
      },
    ]);
  });

  it('reports locales added, removed and retitled, sorted by locale', () => {
    const de = { locale: 'de', title: 'Datenschutz', body: 'Eins.\nZwei.' };
    const fr = { locale: 'fr', title: 'Confidentialité', body: 'Un.' };
    const diff = diffVersions(version([], [en, fr]), version([], [{ ...en, title: 'Privacy notice' }, de]));
    expect(diff.textChanges).toEqual([
      {
        locale: 'de',
        status: 'ADDED',
        titleChanged: true,
        lines: [
          { kind: 'ADDED', line: 1, text: 'Eins.' },
          { kind: 'ADDED', line: 2, text: 'Zwei.' },
        ],
      },
      { locale: 'en', status: 'CHANGED', titleChanged: true, lines: [] },
      {
        locale: 'fr',
        status: 'REMOVED',
        titleChanged: true,
        lines: [{ kind: 'REMOVED', line: 1, text: 'Un.' }],
      },
    ]);
    expect(codes(diff)).toEqual(['TEXT_CHANGED']);
  });

  it('sees no text change where only the Unicode normalisation differs', () => {
    const composed = { locale: 'en', title: 'Caf\u00e9', body: 'caf\u00e9' };
    const decomposed = { locale: 'en', title: 'Cafe\u0301', body: 'cafe\u0301' };
    expect(codes(diffVersions(version([], [composed]), version([], [decomposed])))).toEqual(['NO_CHANGE']);
  });

  describe('purposes added and removed', () => {
    it('asks to re-notify for a new purpose', () => {
      const diff = diffVersions(version([]), version([purpose()]));
      expect(diff.purposesAdded).toEqual(['ai-training']);
      expect(diff.classification).toBe('RENOTIFY');
      expect(diff.reasons).toEqual([
        {
          classification: 'RENOTIFY',
          code: 'PURPOSE_ADDED',
          purposeKey: 'ai-training',
          message: 'Purpose "ai-training" added (legal basis: legitimate interests)',
        },
      ]);
    });

    it('asks for consent for a new consent-based purpose', () => {
      const diff = diffVersions(version([]), version([purpose({ legalBasis: 'CONSENT' })]));
      expect(diff.classification).toBe('RECONSENT');
      expect(diff.reasons[0]).toMatchObject({ code: 'PURPOSE_ADDED_CONSENT', purposeKey: 'ai-training' });
    });

    it('records a removed purpose as EDITORIAL', () => {
      const diff = diffVersions(version([purpose(), purpose({ key: 'ads' })]), version([purpose()]));
      expect(diff.purposesRemoved).toEqual(['ads']);
      expect(diff.classification).toBe('EDITORIAL');
      expect(diff.reasons).toEqual([
        {
          classification: 'EDITORIAL',
          code: 'PURPOSE_REMOVED',
          purposeKey: 'ads',
          message: 'Purpose "ads" removed',
        },
      ]);
    });
  });

  describe('legal basis', () => {
    it('asks for consent when the basis becomes consent', () => {
      const diff = diffPurpose(
        {},
        { legalBasis: 'CONSENT', legitimateInterest: null, consentValidityDays: 365 },
      );
      expect(diff.classification).toBe('RECONSENT');
      expect(codes(diff)).toEqual(['LEGAL_BASIS_CHANGED_TO_CONSENT', 'CONSENT_VALIDITY_CHANGED']);
      expect(diff.reasons[0]!.message).toBe(
        'Purpose "ai-training": legal basis changed from legitimate interests to consent',
      );
      expect(diff.purposesChanged).toEqual([
        {
          key: 'ai-training',
          fromRevision: 1,
          toRevision: 2,
          changes: [
            { field: 'legalBasis', before: 'LEGITIMATE_INTERESTS', after: 'CONSENT' },
            { field: 'legitimateInterest', before: 'Improving our service.', after: null },
            { field: 'consentValidityDays', before: null, after: 365 },
          ],
        },
      ]);
    });

    it('asks to re-notify when the basis moves away from consent', () => {
      const diff = diffPurpose(
        { legalBasis: 'CONSENT', legitimateInterest: null, consentValidityDays: 365 },
        { legalBasis: 'CONTRACT', legitimateInterest: null, consentValidityDays: null },
      );
      expect(diff.classification).toBe('RENOTIFY');
      expect(codes(diff)).toEqual(['LEGAL_BASIS_CHANGED']);
    });

    it('asks to re-notify when the legitimate interest is restated', () => {
      const diff = diffPurpose({}, { legitimateInterest: 'Building new products.' });
      expect(diff.classification).toBe('RENOTIFY');
      expect(diff.reasons).toEqual([
        {
          classification: 'RENOTIFY',
          code: 'LEGITIMATE_INTEREST_CHANGED',
          purposeKey: 'ai-training',
          message: 'Purpose "ai-training": legitimate interest now "Building new products."',
        },
      ]);
    });

    it('reports both reasons when the basis becomes legitimate interests', () => {
      const diff = diffPurpose({ legalBasis: 'CONTRACT', legitimateInterest: null }, {});
      expect(codes(diff)).toEqual(['LEGAL_BASIS_CHANGED', 'LEGITIMATE_INTEREST_CHANGED']);
    });

    it('ignores spacing around the legitimate interest', () => {
      const diff = diffPurpose({}, { legitimateInterest: ' Improving our service. ' });
      expect(diff.classification).toBe('EDITORIAL');
      expect(codes(diff)).toEqual(['FIELD_EDITED']);
    });
  });

  describe.each<[keyof PurposeSnapshot & string, string, string]>([
    ['recipients', 'RECIPIENTS', 'recipients'],
    ['dataCategories', 'DATA_CATEGORIES', 'data categories'],
    ['dataSubjectCategories', 'DATA_SUBJECT_CATEGORIES', 'data-subject categories'],
    ['dataSources', 'DATA_SOURCES', 'data sources'],
  ])('%s', (field, prefix, label) => {
    it('asks to re-notify for new items, naming them', () => {
      const diff = diffPurpose({ [field]: ['A', 'B'] }, { [field]: ['B', 'Model vendor X', 'A', 'C'] });
      expect(diff.classification).toBe('RENOTIFY');
      expect(diff.reasons).toEqual([
        {
          classification: 'RENOTIFY',
          code: `${prefix}_ADDED`,
          purposeKey: 'ai-training',
          message: `Purpose "ai-training": new ${label}: "Model vendor X", "C"`,
        },
      ]);
      expect(diff.purposesChanged[0]!.changes).toEqual([
        { field, before: ['A', 'B'], after: ['B', 'Model vendor X', 'A', 'C'] },
      ]);
    });

    it('records removed items as EDITORIAL', () => {
      const diff = diffPurpose({ [field]: ['A', 'B'] }, { [field]: ['B'] });
      expect(diff.classification).toBe('EDITORIAL');
      expect(diff.reasons).toEqual([
        {
          classification: 'EDITORIAL',
          code: `${prefix}_REMOVED`,
          purposeKey: 'ai-training',
          message: `Purpose "ai-training": ${label} removed: "A"`,
        },
      ]);
    });

    it('compares items as trimmed, case-sensitive sets', () => {
      const reordered = diffPurpose({ [field]: ['A', 'B'] }, { [field]: [' B', 'A ', 'A'] });
      expect(reordered.classification).toBe('EDITORIAL');
      expect(codes(reordered)).toEqual(['FIELD_EDITED']);
      expect(codes(diffPurpose({ [field]: ['a'] }, { [field]: ['A'] }))).toEqual([
        `${prefix}_ADDED`,
        `${prefix}_REMOVED`,
      ]);
    });
  });

  describe('special categories', () => {
    const health = { category: 'health data', condition: 'explicit consent (Art. 9(2)(a))' };

    it('asks to re-notify for a new category', () => {
      const biometric = { category: 'biometric data', condition: 'explicit consent (Art. 9(2)(a))' };
      const diff = diffPurpose({ specialCategories: [health] }, { specialCategories: [health, biometric] });
      expect(diff.classification).toBe('RENOTIFY');
      expect(diff.reasons[0]!.message).toBe(
        'Purpose "ai-training": new special categories: "biometric data" under' +
          ' "explicit consent (Art. 9(2)(a))"',
      );
    });

    it('asks to re-notify for a new condition on an existing category', () => {
      const publicInterest = { category: 'health data', condition: 'public interest (Art. 9(2)(g))' };
      const diff = diffPurpose({ specialCategories: [health] }, { specialCategories: [publicInterest] });
      expect(codes(diff)).toEqual(['SPECIAL_CATEGORIES_ADDED']);
      expect(diff.reasons[0]!.message).toBe(
        'Purpose "ai-training": new special categories: "health data" under' +
          ' "public interest (Art. 9(2)(g))" (was "explicit consent (Art. 9(2)(a))")',
      );
    });

    it('records a removed category as EDITORIAL', () => {
      const diff = diffPurpose({ specialCategories: [health] }, { specialCategories: [] });
      expect(diff.classification).toBe('EDITORIAL');
      expect(diff.reasons[0]).toMatchObject({
        code: 'SPECIAL_CATEGORIES_REMOVED',
        message: 'Purpose "ai-training": special categories removed: "health data"',
      });
    });
  });

  describe('transfers', () => {
    const us = { destination: 'US', safeguard: 'SCCs' };

    it('asks to re-notify for a new destination', () => {
      const diff = diffPurpose(
        { transfers: [us] },
        { transfers: [us, { destination: 'IN', safeguard: 'BCRs' }] },
      );
      expect(diff.classification).toBe('RENOTIFY');
      expect(diff.reasons[0]).toMatchObject({
        code: 'TRANSFERS_ADDED',
        message: 'Purpose "ai-training": new transfers: "IN" with "BCRs"',
      });
    });

    it('asks to re-notify for a changed safeguard, without calling the destination removed', () => {
      const diff = diffPurpose({ transfers: [us] }, { transfers: [{ destination: 'US', safeguard: 'DPF' }] });
      expect(codes(diff)).toEqual(['TRANSFERS_ADDED']);
      expect(diff.reasons[0]!.message).toBe(
        'Purpose "ai-training": new transfers: "US" with "DPF" (was "SCCs")',
      );
    });

    it('does not call a safeguard earlier when it still applies', () => {
      const both = [us, { destination: 'US', safeguard: 'DPF' }];
      const diff = diffPurpose({ transfers: [us] }, { transfers: both });
      expect(diff.reasons[0]!.message).toBe('Purpose "ai-training": new transfers: "US" with "DPF"');
    });

    it('records a removed destination as EDITORIAL', () => {
      const diff = diffPurpose({ transfers: [us] }, { transfers: [] });
      expect(diff.classification).toBe('EDITORIAL');
      expect(codes(diff)).toEqual(['TRANSFERS_REMOVED']);
    });

    it('ignores the order of transfers for classification', () => {
      const eu = { destination: 'CH', safeguard: 'adequacy decision' };
      const diff = diffPurpose({ transfers: [us, eu] }, { transfers: [eu, us] });
      expect(diff.classification).toBe('EDITORIAL');
      expect(codes(diff)).toEqual(['FIELD_EDITED']);
    });
  });

  describe('publicly accessible sources', () => {
    it('asks to re-notify when data starts coming from public sources', () => {
      const diff = diffPurpose({ publiclyAccessibleSources: false }, { publiclyAccessibleSources: true });
      expect(diff.classification).toBe('RENOTIFY');
      expect(codes(diff)).toEqual(['PUBLICLY_ACCESSIBLE_SOURCES_ADDED']);
    });

    it('records the reverse as EDITORIAL', () => {
      const diff = diffPurpose({ publiclyAccessibleSources: true }, { publiclyAccessibleSources: false });
      expect(diff.classification).toBe('EDITORIAL');
      expect(codes(diff)).toEqual(['PUBLICLY_ACCESSIBLE_SOURCES_REMOVED']);
    });
  });

  describe('retention', () => {
    it('asks to re-notify when the period grows', () => {
      const diff = diffPurpose({ retentionPeriodDays: 365 }, { retentionPeriodDays: 730 });
      expect(diff.classification).toBe('RENOTIFY');
      expect(diff.reasons[0]).toMatchObject({
        code: 'RETENTION_EXTENDED',
        message: 'Purpose "ai-training": retention extended from 365 days to 730 days',
      });
    });

    it('records a shorter period as EDITORIAL', () => {
      const diff = diffPurpose({ retentionPeriodDays: 365 }, { retentionPeriodDays: 1 });
      expect(diff.classification).toBe('EDITORIAL');
      expect(diff.reasons[0]).toMatchObject({
        code: 'RETENTION_SHORTENED',
        message: 'Purpose "ai-training": retention shortened from 365 days to 1 day',
      });
    });

    it('asks to re-notify when a period gives way to criteria only', () => {
      const diff = diffPurpose(
        { retentionPeriodDays: 365 },
        { retentionPeriodDays: null, retentionCriteria: 'until the account is closed' },
      );
      expect(diff.classification).toBe('RENOTIFY');
      expect(codes(diff)).toEqual(['RETENTION_EXTENDED']);
      expect(diff.reasons[0]!.message).toBe(
        'Purpose "ai-training": retention no longer limited to 365 days; now "until the account is closed"',
      );
    });

    it('records criteria giving way to a period as EDITORIAL', () => {
      const diff = diffPurpose(
        { retentionPeriodDays: null, retentionCriteria: 'until the account is closed' },
        { retentionPeriodDays: 90, retentionCriteria: null },
      );
      expect(diff.classification).toBe('EDITORIAL');
      expect(codes(diff)).toEqual(['RETENTION_LIMITED']);
    });

    it('asks to re-notify when the criteria change while no period is set', () => {
      const diff = diffPurpose(
        { retentionPeriodDays: null, retentionCriteria: 'until the account is closed' },
        { retentionPeriodDays: null, retentionCriteria: 'until the account is closed, plus 5 years' },
      );
      expect(diff.classification).toBe('RENOTIFY');
      expect(codes(diff)).toEqual(['RETENTION_EXTENDED']);
    });

    it('records new criteria under an unchanged period as EDITORIAL', () => {
      const diff = diffPurpose({ retentionCriteria: null }, { retentionCriteria: 'or earlier on request' });
      expect(diff.classification).toBe('EDITORIAL');
      expect(codes(diff)).toEqual(['FIELD_EDITED']);
      expect(diff.reasons[0]!.message).toBe('Purpose "ai-training": retention criteria edited');
    });
  });

  describe('automated decision-making', () => {
    const adm = { logic: 'A model scores posts.', significance: 'Posts may be hidden.' };

    it('asks to re-notify when it is introduced', () => {
      const diff = diffPurpose({}, { automatedDecisionMaking: adm });
      expect(diff.classification).toBe('RENOTIFY');
      expect(diff.reasons[0]).toMatchObject({
        code: 'AUTOMATED_DECISION_MAKING_ADDED',
        message: 'Purpose "ai-training": automated decision-making introduced: "A model scores posts."',
      });
    });

    it('asks to re-notify when its logic or its significance changes', () => {
      const logic = diffPurpose(
        { automatedDecisionMaking: adm },
        { automatedDecisionMaking: { ...adm, logic: 'Rules.' } },
      );
      expect(logic.classification).toBe('RENOTIFY');
      expect(logic.reasons[0]).toMatchObject({
        code: 'AUTOMATED_DECISION_MAKING_CHANGED',
        message: 'Purpose "ai-training": automated decision-making changed: logic now "Rules."',
      });
      const significance = { ...adm, significance: 'Accounts may be suspended.' };
      const diff = diffPurpose({ automatedDecisionMaking: adm }, { automatedDecisionMaking: significance });
      expect(codes(diff)).toEqual(['AUTOMATED_DECISION_MAKING_CHANGED']);
    });

    it('records its removal as EDITORIAL', () => {
      const diff = diffPurpose({ automatedDecisionMaking: adm }, { automatedDecisionMaking: null });
      expect(diff.classification).toBe('EDITORIAL');
      expect(codes(diff)).toEqual(['AUTOMATED_DECISION_MAKING_REMOVED']);
    });
  });

  describe('editorial purpose changes', () => {
    it('records a new consent validity on a consent purpose as EDITORIAL', () => {
      const consent = { legalBasis: 'CONSENT', legitimateInterest: null } as const;
      const diff = diffPurpose(
        { ...consent, consentValidityDays: 365 },
        { ...consent, consentValidityDays: 180 },
      );
      expect(diff.classification).toBe('EDITORIAL');
      expect(diff.reasons).toEqual([
        {
          classification: 'EDITORIAL',
          code: 'CONSENT_VALIDITY_CHANGED',
          purposeKey: 'ai-training',
          message: 'Purpose "ai-training": consent validity changed from 365 days to 180 days',
        },
      ]);
    });

    it('asks to re-notify for renaming and rewording, which no one signed off', () => {
      const diff = diffPurpose(
        {},
        { name: 'Model training', description: 'We improve models with your posts.' },
      );
      expect(diff.classification).toBe('RENOTIFY');
      expect(diff.reasons.map((r) => r.message)).toEqual([
        `Purpose "ai-training": renamed from "AI training" to "Model training"; ${wordingRule}`,
        `Purpose "ai-training": description reworded; ${wordingRule}`,
      ]);
    });

    it('sees no rewording in spacing around a name or description', () => {
      const diff = diffPurpose({}, { name: ' AI training ', description: 'We train models on your posts. ' });
      expect(diff.classification).toBe('EDITORIAL');
      expect(codes(diff)).toEqual(['FIELD_EDITED', 'FIELD_EDITED']);
    });
  });

  it('takes the most severe reason and lists reasons most severe first', () => {
    const from = version([purpose(), purpose({ key: 'ads' })], [en]);
    const to = version(
      [
        purpose({ revision: 2, recipients: ['Hosting provider', 'Model vendor X'], name: 'Model training' }),
        purpose({ key: 'newsletter', legalBasis: 'CONSENT', legitimateInterest: null }),
      ],
      [{ ...en, body: 'Changed.' }],
    );
    const diff = diffVersions(from, to);
    expect(diff.classification).toBe('RECONSENT');
    expect(diff.purposesAdded).toEqual(['newsletter']);
    expect(diff.purposesRemoved).toEqual(['ads']);
    expect(diff.reasons.map((r) => [r.classification, r.code, r.purposeKey])).toEqual([
      ['RECONSENT', 'PURPOSE_ADDED_CONSENT', 'newsletter'],
      ['RENOTIFY', 'RECIPIENTS_ADDED', 'ai-training'],
      ['RENOTIFY', 'NAME_CHANGED', 'ai-training'],
      ['RENOTIFY', 'TEXT_CHANGED', null],
      ['EDITORIAL', 'PURPOSE_REMOVED', 'ads'],
    ]);
    expect(diff.textChanges).toHaveLength(1);
    for (const [i, reason] of diff.reasons.entries()) {
      const next = diff.reasons[i + 1];
      if (next)
        expect(changeClassRank[reason.classification]).toBeGreaterThanOrEqual(
          changeClassRank[next.classification],
        );
    }
  });

  it('ranks the classes', () => {
    expect(changeClassRank).toEqual({ EDITORIAL: 0, RENOTIFY: 1, RECONSENT: 2 });
  });
});
