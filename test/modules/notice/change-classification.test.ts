import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { ChangeClass } from '../../../src/modules/notice/change-class.js';
import {
  consentWideningRule,
  type DiffOptions,
  diffVersions,
  explicitConsentRule,
  type ReasonCode,
  type VersionDiff,
  wordingRule,
} from '../../../src/modules/notice/version-diff.js';
import type {
  ControllerIdentity,
  PurposeSnapshot,
  VersionSnapshot,
} from '../../../src/modules/purpose/purpose.snapshot.js';
import { graphql } from '../../graphql/index.js';
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

interface Row {
  readonly rule: string;
  readonly verdict: ChangeClass;
  readonly code: ReasonCode;
  readonly source: string;
}

/** The decision table's rows: `| \`rule\` | change | VERDICT | \`CODE\` | article |`. */
function decisionTable(): Row[] {
  const markdown = readFileSync(new URL('../../../docs/change-classification.md', import.meta.url), 'utf8');
  const row = /^\| `([a-z0-9-]+)` \| [^|]+ \| (EDITORIAL|RENOTIFY|RECONSENT) \| `([A-Z_]+)` \| (.+) \|$/;
  return markdown
    .split('\n')
    .filter((line) => /^\| `[a-z]/.test(line))
    .map((line) => {
      const match = row.exec(line);
      if (!match) throw new Error(`not a decision-table row: ${line}`);
      const [, rule, verdict, code, source] = match;
      return { rule, verdict, code, source } as Row;
    });
}

const consent = { legalBasis: 'CONSENT', legitimateInterest: null, consentValidityDays: 365 } as const;
const contract = { legalBasis: 'CONTRACT', legitimateInterest: null } as const;
const legitimateInterests = {
  legalBasis: 'LEGITIMATE_INTERESTS',
  legitimateInterest: 'Keeping the service safe.',
} as const;

function snapshot(overrides: Partial<PurposeSnapshot>): PurposeSnapshot {
  return {
    key: 'profiling',
    revision: 1,
    name: 'Personalised feed',
    description: 'We rank posts by what you read.',
    ...legitimateInterests,
    dataCategories: ['reading history'],
    specialCategories: [{ category: 'health data', condition: 'explicit consent (Art. 9(2)(a))' }],
    dataSubjectCategories: ['members'],
    dataSources: ['the member'],
    publiclyAccessibleSources: false,
    recipients: ['Cloud host'],
    retentionPeriodDays: 180,
    retentionCriteria: null,
    transfers: [{ destination: 'CH', safeguard: 'adequacy decision' }],
    automatedDecisionMaking: null,
    consentValidityDays: null,
    ...overrides,
  };
}

const controller: ControllerIdentity = {
  name: 'Members Club',
  legalName: 'Members Club Ltd.',
  contactEmail: 'privacy@members.example',
  dpoContact: 'dpo@members.example',
  euRepresentative: null,
};

/** Version `number` of the notice; `body` is its English text. */
function notice(purposes: PurposeSnapshot[], body = 'Hello.', number = 1): VersionSnapshot {
  return {
    controller,
    noticeKey: 'members',
    number,
    effectiveFrom: new Date('2026-01-01T00:00:00Z'),
    translations: [{ locale: 'en', title: 'Privacy', body }],
    purposes,
  };
}

/** Versions 1 and 2 of the notice; `options` as the publisher of version 2 gave them. */
function publishedAfter(from: VersionSnapshot, to: VersionSnapshot, options?: DiffOptions): VersionDiff {
  return diffVersions(from, { ...to, number: 2 }, options);
}

/** One purpose, before and after a new revision; `basis` applies to both unless overridden. */
function revise(
  basis: Partial<PurposeSnapshot>,
  before: Partial<PurposeSnapshot>,
  after: Partial<PurposeSnapshot>,
  options?: DiffOptions,
): VersionDiff {
  return publishedAfter(
    notice([snapshot({ ...basis, ...before })]),
    notice([snapshot({ ...basis, revision: 2, ...after })]),
    options,
  );
}

/** The controller changed as `change` says between versions 1 and 2. */
function restate(change: Partial<ControllerIdentity>): VersionDiff {
  const purposes = [snapshot(consent)];
  return publishedAfter(notice(purposes), { ...notice(purposes), controller: { ...controller, ...change } });
}

const signOff = {
  wordingSignOff: {
    signedBy: 'Dana Ortiz, DPO',
    reason: 'Clearer words; the processing is the same.',
    apiKeyId: '00000000-0000-4000-8000-000000000001',
    signedAt: '2026-01-01T00:00:00.000Z',
  },
} as const;

const health = { category: 'health data', condition: 'explicit consent (Art. 9(2)(a))' };
const biometric = { category: 'biometric data', condition: 'explicit consent (Art. 9(2)(a))' };
const healthInPublicInterest = { category: 'health data', condition: 'public interest (Art. 9(2)(i))' };
const swiss = { destination: 'CH', safeguard: 'adequacy decision' };
const american = { destination: 'US', safeguard: 'standard contractual clauses' };
const swissUnderContract = { destination: 'CH', safeguard: 'standard contractual clauses' };
const ranking = { logic: 'A model ranks posts.', significance: 'Some posts are not shown.' };
const criteria = { retentionPeriodDays: null, retentionCriteria: 'until the account is closed' };
const explicitConsent = { ...consent, explicitConsent: true } as const;
const explicitHealth = { ...health, explicitConsent: true };
const explicitBiometric = { ...biometric, explicitConsent: true };
const explicitAmerican = { ...american, explicitConsent: true };
const justification = 'Members must be ranked to run the club: the contract covers it.';

/** Per rule: the diff it is about, and every reason code that diff must give, most demanding first. */
const cases: Record<string, { diff: () => VersionDiff; codes: ReasonCode[] }> = {
  'purpose-added-consent': {
    diff: () => diffVersions(notice([]), notice([snapshot(consent)])),
    codes: ['PURPOSE_ADDED_CONSENT'],
  },
  'purpose-added': {
    diff: () => diffVersions(notice([]), notice([snapshot(contract)])),
    codes: ['PURPOSE_ADDED'],
  },
  'purpose-added-explicit-consent': {
    diff: () =>
      diffVersions(
        notice([]),
        notice([snapshot({ ...explicitConsent, specialCategories: [explicitHealth] })]),
      ),
    codes: ['PURPOSE_ADDED_CONSENT', 'EXPLICIT_CONSENT_REQUIRED'],
  },
  'purpose-removed': {
    diff: () => diffVersions(notice([snapshot({}), snapshot({ key: 'ads' })]), notice([snapshot({})])),
    codes: ['PURPOSE_REMOVED'],
  },
  'basis-to-consent': {
    diff: () => revise({}, {}, consent),
    codes: ['LEGAL_BASIS_CHANGED_TO_CONSENT', 'CONSENT_VALIDITY_CHANGED'],
  },
  'basis-away-from-consent': {
    diff: () =>
      revise({}, consent, {
        ...contract,
        consentValidityDays: null,
        basisChangeJustification: justification,
      }),
    codes: ['LEGAL_BASIS_CHANGED'],
  },
  'basis-away-from-consent-unjustified': {
    diff: () => revise({}, consent, { ...contract, consentValidityDays: null }),
    codes: ['LEGAL_BASIS_CHANGED'],
  },
  'basis-away-from-explicit-consent': {
    diff: () =>
      revise(
        {},
        { ...explicitConsent, specialCategories: [explicitHealth] },
        {
          ...contract,
          consentValidityDays: null,
          specialCategories: [health],
          basisChangeJustification: justification,
        },
      ),
    codes: ['LEGAL_BASIS_CHANGED'],
  },
  'basis-justification-only': {
    diff: () => revise(contract, { basisChangeJustification: justification }, {}),
    codes: ['FIELD_EDITED'],
  },
  'basis-changed': {
    diff: () => revise({}, contract, { ...contract, legalBasis: 'LEGAL_OBLIGATION' }),
    codes: ['LEGAL_BASIS_CHANGED'],
  },
  'basis-change-with-widening': {
    diff: () =>
      revise({}, consent, {
        ...contract,
        consentValidityDays: null,
        recipients: ['Cloud host', 'Ad network'],
      }),
    codes: ['LEGAL_BASIS_CHANGED', 'RECIPIENTS_ADDED'],
  },
  'legitimate-interest-changed': {
    diff: () => revise({}, {}, { legitimateInterest: 'Selling advertising.' }),
    codes: ['LEGITIMATE_INTEREST_CHANGED'],
  },
  'objection-mechanism-changed': {
    diff: () =>
      revise(
        {},
        {},
        {
          objectionMechanism: {
            url: 'https://example.com/object',
            steps: 'Settings, Privacy.',
            reasonsRequired: false,
          },
        },
      ),
    codes: ['OBJECTION_MECHANISM_CHANGED'],
  },
  'legitimate-interest-assessment-changed': {
    diff: () =>
      revise(
        {},
        {},
        {
          legitimateInterestAssessment: {
            interest: 'Keeping the service safe.',
            necessity: 'No less intrusive means detects abuse.',
            reasonableExpectations: 'Members expect abuse to be stopped.',
            impact: 'Low: reading patterns only.',
            safeguards: ['pseudonymised'],
            excludedGroups: ['children'],
            author: 'DPO',
            assessedOn: '2026-11-01',
            dpia: null,
          },
        },
      ),
    codes: ['LEGITIMATE_INTEREST_ASSESSMENT_CHANGED'],
  },

  'explicit-consent-purpose': {
    diff: () => revise(consent, {}, { explicitConsent: true }),
    codes: ['EXPLICIT_CONSENT_REQUIRED'],
  },
  'explicit-consent-basis-to-consent': {
    diff: () => revise({}, {}, { ...explicitConsent, specialCategories: [explicitHealth] }),
    codes: ['LEGAL_BASIS_CHANGED_TO_CONSENT', 'EXPLICIT_CONSENT_REQUIRED', 'CONSENT_VALIDITY_CHANGED'],
  },
  'explicit-consent-special-category-added': {
    diff: () =>
      revise(
        explicitConsent,
        { specialCategories: [explicitHealth] },
        { specialCategories: [explicitHealth, explicitBiometric] },
      ),
    codes: ['EXPLICIT_CONSENT_REQUIRED'],
  },
  'explicit-consent-special-category-flagged': {
    diff: () =>
      revise(
        explicitConsent,
        { specialCategories: [healthInPublicInterest] },
        { specialCategories: [explicitHealth] },
      ),
    codes: ['EXPLICIT_CONSENT_REQUIRED'],
  },
  'explicit-consent-transfer-added': {
    diff: () => revise(explicitConsent, {}, { transfers: [swiss, explicitAmerican] }),
    codes: ['EXPLICIT_CONSENT_REQUIRED'],
  },
  'explicit-consent-automated-decision-making-added': {
    diff: () =>
      revise(explicitConsent, {}, { automatedDecisionMaking: { ...ranking, explicitConsent: true } }),
    codes: ['EXPLICIT_CONSENT_REQUIRED'],
  },
  'explicit-consent-dropped': {
    diff: () =>
      revise(
        explicitConsent,
        { specialCategories: [explicitHealth] },
        { specialCategories: [healthInPublicInterest] },
      ),
    codes: ['EXPLICIT_CONSENT_DROPPED', 'SPECIAL_CATEGORIES_ADDED'],
  },

  'consent-recipients-added': {
    diff: () => revise(consent, {}, { recipients: ['Cloud host', 'Ad network'] }),
    codes: ['CONSENT_PURPOSE_WIDENED'],
  },
  'consent-data-categories-added': {
    diff: () => revise(consent, {}, { dataCategories: ['reading history', 'location'] }),
    codes: ['CONSENT_PURPOSE_WIDENED'],
  },
  'consent-special-category-added': {
    diff: () => revise(consent, {}, { specialCategories: [health, biometric] }),
    codes: ['CONSENT_PURPOSE_WIDENED'],
  },
  'consent-transfer-added': {
    diff: () => revise(consent, {}, { transfers: [swiss, american] }),
    codes: ['CONSENT_PURPOSE_WIDENED'],
  },
  'consent-automated-decision-making-added': {
    diff: () => revise(consent, {}, { automatedDecisionMaking: ranking }),
    codes: ['CONSENT_PURPOSE_WIDENED'],
  },
  'consent-retention-extended': {
    diff: () => revise(consent, {}, { retentionPeriodDays: 365 }),
    codes: ['CONSENT_PURPOSE_WIDENED'],
  },
  'consent-retention-open-ended': {
    diff: () => revise(consent, {}, criteria),
    codes: ['CONSENT_PURPOSE_WIDENED'],
  },
  'consent-retention-criteria-changed': {
    diff: () =>
      revise(consent, criteria, {
        ...criteria,
        retentionCriteria: 'until the account is closed, plus 2 years',
      }),
    codes: ['CONSENT_PURPOSE_WIDENED'],
  },
  'consent-special-category-condition-changed': {
    diff: () => revise(consent, {}, { specialCategories: [healthInPublicInterest] }),
    codes: ['SPECIAL_CATEGORIES_ADDED'],
  },
  'consent-transfer-safeguard-changed': {
    diff: () => revise(consent, {}, { transfers: [swissUnderContract] }),
    codes: ['TRANSFERS_ADDED'],
  },
  'consent-data-subject-categories-added': {
    diff: () => revise(consent, {}, { dataSubjectCategories: ['members', 'visitors'] }),
    codes: ['DATA_SUBJECT_CATEGORIES_ADDED'],
  },
  'consent-data-sources-added': {
    diff: () => revise(consent, {}, { dataSources: ['the member', 'data brokers'] }),
    codes: ['DATA_SOURCES_ADDED'],
  },
  'consent-publicly-accessible-sources-added': {
    diff: () => revise(consent, {}, { publiclyAccessibleSources: true }),
    codes: ['PUBLICLY_ACCESSIBLE_SOURCES_ADDED'],
  },
  'consent-automated-decision-making-changed': {
    diff: () =>
      revise(
        consent,
        { automatedDecisionMaking: ranking },
        { automatedDecisionMaking: { ...ranking, logic: 'Rules written by editors.' } },
      ),
    codes: ['AUTOMATED_DECISION_MAKING_CHANGED'],
  },
  'consent-narrowed': {
    diff: () => revise(consent, { recipients: ['Cloud host', 'Ad network'] }, {}),
    codes: ['RECIPIENTS_REMOVED'],
  },
  'consent-validity-changed': {
    diff: () => revise(consent, {}, { consentValidityDays: 180 }),
    codes: ['CONSENT_VALIDITY_CHANGED'],
  },

  'recipients-added': {
    diff: () => revise(legitimateInterests, {}, { recipients: ['Cloud host', 'Ad network'] }),
    codes: ['RECIPIENTS_ADDED'],
  },
  'data-categories-added': {
    diff: () => revise(contract, {}, { dataCategories: ['reading history', 'location'] }),
    codes: ['DATA_CATEGORIES_ADDED'],
  },
  'special-categories-added': {
    diff: () => revise(contract, {}, { specialCategories: [healthInPublicInterest, biometric] }),
    codes: ['SPECIAL_CATEGORIES_ADDED'],
  },
  'transfers-added': {
    diff: () => revise(legitimateInterests, {}, { transfers: [swissUnderContract, american] }),
    codes: ['TRANSFERS_ADDED'],
  },
  'data-subject-categories-added': {
    diff: () => revise(contract, {}, { dataSubjectCategories: ['members', 'visitors'] }),
    codes: ['DATA_SUBJECT_CATEGORIES_ADDED'],
  },
  'data-sources-added': {
    diff: () => revise(contract, {}, { dataSources: ['the member', 'data brokers'] }),
    codes: ['DATA_SOURCES_ADDED'],
  },
  'publicly-accessible-sources-added': {
    diff: () => revise(legitimateInterests, {}, { publiclyAccessibleSources: true }),
    codes: ['PUBLICLY_ACCESSIBLE_SOURCES_ADDED'],
  },
  'retention-extended': {
    diff: () => revise(contract, {}, { retentionPeriodDays: 365 }),
    codes: ['RETENTION_EXTENDED'],
  },
  'retention-open-ended': {
    diff: () => revise(legitimateInterests, {}, criteria),
    codes: ['RETENTION_EXTENDED'],
  },
  'retention-criteria-changed': {
    diff: () => revise(contract, criteria, { ...criteria, retentionCriteria: 'until the contract ends' }),
    codes: ['RETENTION_EXTENDED'],
  },
  'automated-decision-making-added': {
    diff: () => revise(legitimateInterests, {}, { automatedDecisionMaking: ranking }),
    codes: ['AUTOMATED_DECISION_MAKING_ADDED'],
  },
  'automated-decision-making-changed': {
    diff: () =>
      revise(
        contract,
        { automatedDecisionMaking: ranking },
        { automatedDecisionMaking: { ...ranking, significance: 'Accounts may be suspended.' } },
      ),
    codes: ['AUTOMATED_DECISION_MAKING_CHANGED'],
  },

  'recipients-removed': {
    diff: () => revise(contract, { recipients: ['Cloud host', 'Ad network'] }, {}),
    codes: ['RECIPIENTS_REMOVED'],
  },
  'data-categories-removed': {
    diff: () => revise(consent, { dataCategories: ['reading history', 'location'] }, {}),
    codes: ['DATA_CATEGORIES_REMOVED'],
  },
  'special-categories-removed': {
    diff: () => revise(consent, {}, { specialCategories: [] }),
    codes: ['SPECIAL_CATEGORIES_REMOVED'],
  },
  'transfers-removed': {
    diff: () => revise(legitimateInterests, { transfers: [swiss, american] }, {}),
    codes: ['TRANSFERS_REMOVED'],
  },
  'data-subject-categories-removed': {
    diff: () => revise(contract, { dataSubjectCategories: ['members', 'visitors'] }, {}),
    codes: ['DATA_SUBJECT_CATEGORIES_REMOVED'],
  },
  'data-sources-removed': {
    diff: () => revise(consent, { dataSources: ['the member', 'data brokers'] }, {}),
    codes: ['DATA_SOURCES_REMOVED'],
  },
  'publicly-accessible-sources-removed': {
    diff: () => revise(contract, { publiclyAccessibleSources: true }, {}),
    codes: ['PUBLICLY_ACCESSIBLE_SOURCES_REMOVED'],
  },
  'retention-shortened': {
    diff: () => revise(consent, {}, { retentionPeriodDays: 30 }),
    codes: ['RETENTION_SHORTENED'],
  },
  'retention-limited': {
    diff: () => revise(consent, criteria, { retentionPeriodDays: 90, retentionCriteria: null }),
    codes: ['RETENTION_LIMITED'],
  },
  'automated-decision-making-removed': {
    diff: () => revise(consent, { automatedDecisionMaking: ranking }, {}),
    codes: ['AUTOMATED_DECISION_MAKING_REMOVED'],
  },

  'name-changed': {
    diff: () => revise(consent, {}, { name: 'Personalised feed and AI training' }),
    codes: ['NAME_CHANGED'],
  },
  'description-changed': {
    diff: () => revise(legitimateInterests, {}, { description: 'We rank posts and train models on them.' }),
    codes: ['DESCRIPTION_CHANGED'],
  },
  'text-changed': {
    diff: () => publishedAfter(notice([snapshot(consent)]), notice([snapshot(consent)], 'Hello again.')),
    codes: ['TEXT_CHANGED'],
  },
  'text-changed-with-other-changes': {
    diff: () =>
      publishedAfter(
        notice([snapshot(contract)]),
        notice([snapshot({ ...contract, revision: 2, recipients: ['Cloud host', 'Ad network'] })], 'Hi.'),
      ),
    codes: ['RECIPIENTS_ADDED', 'TEXT_CHANGED'],
  },
  'wording-signed-off': {
    diff: () =>
      publishedAfter(
        notice([snapshot(consent)]),
        notice([snapshot({ ...consent, revision: 2, name: 'Feed', description: 'We rank posts.' })], 'Hi.'),
        signOff,
      ),
    codes: ['NAME_CHANGED', 'DESCRIPTION_CHANGED', 'TEXT_CHANGED', 'WORDING_SIGNED_OFF'],
  },
  'wording-signed-off-with-other-changes': {
    diff: () =>
      publishedAfter(
        notice([snapshot(contract)]),
        notice([snapshot({ ...contract, revision: 2, recipients: ['Cloud host', 'Ad network'] })], 'Hi.'),
        signOff,
      ),
    codes: ['RECIPIENTS_ADDED', 'TEXT_CHANGED', 'WORDING_SIGNED_OFF'],
  },
  'wording-sign-off-not-consecutive': {
    diff: () =>
      diffVersions(
        notice([snapshot(consent)]),
        notice([snapshot({ ...consent, revision: 3, name: 'Feed' })], 'Hello.', 3),
        signOff,
      ),
    codes: ['NAME_CHANGED'],
  },
  'field-edited': {
    diff: () =>
      revise(
        consent,
        { recipients: ['Cloud host', 'Ad network'] },
        { recipients: [' Ad network', 'Cloud host'] },
      ),
    codes: ['FIELD_EDITED'],
  },
  'no-change': {
    diff: () => diffVersions(notice([snapshot(consent)]), notice([snapshot({ ...consent, revision: 2 })])),
    codes: ['NO_CHANGE'],
  },

  'controller-identity-changed': {
    diff: () => restate({ legalName: 'Members Club GmbH' }),
    codes: ['CONTROLLER_IDENTITY_CHANGED'],
  },
  'controller-contact-changed': {
    diff: () => restate({ contactEmail: 'rights@members.example' }),
    codes: ['CONTROLLER_CONTACT_CHANGED'],
  },
  'dpo-changed': {
    diff: () => restate({ dpoContact: null }),
    codes: ['DPO_CHANGED'],
  },
  'eu-representative-changed': {
    diff: () => restate({ euRepresentative: 'Members Club EU Rep, Dublin' }),
    codes: ['EU_REPRESENTATIVE_CHANGED'],
  },
  'controller-not-stated': {
    diff: () => {
      const purposes = [snapshot(consent)];
      return publishedAfter({ ...notice(purposes), controller: null }, notice(purposes));
    },
    codes: ['NO_CHANGE'],
  },
};

describe('the change-classification decision table', () => {
  const rows = decisionTable();

  it('has one test case per row and one row per test case', () => {
    expect(rows.map((row) => row.rule).sort()).toEqual(Object.keys(cases).sort());
    expect(new Set(rows.map((row) => row.rule)).size).toBe(rows.length);
  });

  it.each(rows)('$rule is $verdict ($code)', ({ rule, verdict, code, source }) => {
    const { diff: run, codes } = cases[rule]!;
    const diff = run();
    expect(diff.classification).toBe(verdict);
    expect(diff.reasons.map((reason) => reason.code)).toEqual(codes);
    expect(diff.reasons).toContainEqual(expect.objectContaining({ code, classification: verdict }));
    expect(source.trim()).not.toBe('');
  });

  it('names the rule and its sources in every reason a widened consent gives', () => {
    const widened = rows.filter((row) => row.code === 'CONSENT_PURPOSE_WIDENED');
    expect(widened).not.toHaveLength(0);
    for (const { rule } of widened) {
      for (const reason of cases[rule]!.diff().reasons) {
        expect(reason.message.endsWith(`; ${consentWideningRule}`), reason.message).toBe(true);
        expect(reason.message).toContain('Art. 4(11), Art. 7; EDPB Guidelines 05/2020');
      }
    }
    expect(cases['consent-recipients-added']!.diff().reasons[0]).toEqual({
      classification: 'RECONSENT',
      code: 'CONSENT_PURPOSE_WIDENED',
      purposeKey: 'profiling',
      message: `Purpose "profiling": new recipients: "Ad network"; ${consentWideningRule}`,
    });
  });

  it('names the articles and the rule in every reason explicit consent gives', () => {
    const required = rows.filter((row) => row.code === 'EXPLICIT_CONSENT_REQUIRED');
    expect(required).not.toHaveLength(0);
    for (const { rule } of required) {
      for (const reason of cases[rule]!.diff().reasons.filter(
        (r) => r.code === 'EXPLICIT_CONSENT_REQUIRED',
      )) {
        expect(reason.message.endsWith(`; ${explicitConsentRule}`), reason.message).toBe(true);
      }
    }
    const message = (rule: string) =>
      cases[rule]!.diff().reasons.find((r) => r.code.startsWith('EXPLICIT_CONSENT'))!.message;
    expect(message('explicit-consent-special-category-added')).toBe(
      `Purpose "profiling": now relies on explicit consent (GDPR Art. 9(2)(a)): special category "biometric data"; ${explicitConsentRule}`,
    );
    expect(message('explicit-consent-transfer-added')).toContain('(GDPR Art. 49(1)(a)): transfer to "US";');
    expect(message('explicit-consent-automated-decision-making-added')).toContain(
      '(GDPR Art. 22(2)(c)): automated decision-making;',
    );
    expect(message('explicit-consent-purpose')).toContain(
      '(GDPR Art. 9(2)(a), Art. 49(1)(a), Art. 22(2)(c)): the purpose;',
    );
    expect(message('purpose-added-explicit-consent')).toContain(
      '(GDPR Art. 9(2)(a)): the purpose; special category "health data";',
    );
    expect(message('explicit-consent-dropped')).toBe(
      'Purpose "profiling": no longer relies on explicit consent: special category "health data"' +
        ' (GDPR Art. 13(1)(c); EDPB Guidelines 05/2020 on consent, §§ 121–123)',
    );
  });

  it('asks for explicit consent once per purpose, whatever else relies on it', () => {
    const diff = revise(
      {},
      {},
      {
        ...explicitConsent,
        specialCategories: [explicitHealth],
        transfers: [swiss, explicitAmerican],
        automatedDecisionMaking: { ...ranking, explicitConsent: true },
      },
    );
    const explicit = diff.reasons.filter((reason) => reason.code === 'EXPLICIT_CONSENT_REQUIRED');
    expect(explicit).toHaveLength(1);
    expect(explicit[0]!.message).toContain(
      '(GDPR Art. 9(2)(a), Art. 49(1)(a), Art. 22(2)(c)): the purpose; special category "health data";' +
        ' transfer to "US"; automated decision-making;',
    );
    // What relies on explicit consent has that reason, not the rule for a new item.
    expect(diff.reasons.map((reason) => reason.code)).not.toContain('AUTOMATED_DECISION_MAKING_ADDED');
  });

  it('quotes the justification of a switch away from consent, or says that none is recorded', () => {
    const [justified] = cases['basis-away-from-consent']!.diff().reasons;
    expect(justified!.message).toBe(
      `Purpose "profiling": legal basis changed from consent to contract; justification: "${justification}"`,
    );
    const [unjustified] = cases['basis-away-from-consent-unjustified']!.diff().reasons;
    expect(unjustified!.message).toBe(
      'Purpose "profiling": legal basis changed from consent to contract; revision 2 records no justification',
    );
    expect(cases['basis-justification-only']!.diff().reasons[0]!.message).toBe(
      'Purpose "profiling": justification of the legal-basis change edited',
    );
  });

  it('ends every wording reason with its rule, or names who signed it off and why', () => {
    const unsigned = ['name-changed', 'description-changed', 'text-changed'].flatMap(
      (rule) => cases[rule]!.diff().reasons,
    );
    expect(unsigned.map((reason) => reason.message)).toEqual([
      `Purpose "profiling": renamed from "Personalised feed" to "Personalised feed and AI training"; ${wordingRule}`,
      `Purpose "profiling": description reworded; ${wordingRule}`,
      `The notice text changed (en); ${wordingRule}`,
    ]);
    expect(cases['name-changed']!.diff().wordingSignOff).toBeNull();

    const signed = cases['wording-signed-off']!.diff();
    expect(signed.wordingSignOff).toEqual(signOff.wordingSignOff);
    expect(signed.reasons.map((reason) => reason.message)).toEqual([
      'Purpose "profiling": renamed from "Personalised feed" to "Feed"; signed off as not material by "Dana Ortiz, DPO"',
      'Purpose "profiling": description reworded; signed off as not material by "Dana Ortiz, DPO"',
      'The notice text changed (en); signed off as not material by "Dana Ortiz, DPO"',
      'Wording changes signed off as not material by "Dana Ortiz, DPO": "Clearer words; the processing is the same."',
    ]);
    expect(cases['wording-sign-off-not-consecutive']!.diff().wordingSignOff).toBeNull();
  });

  it('does not apply a sign-off where nothing was reworded', () => {
    const diff = revise(contract, {}, { recipients: ['Cloud host', 'Ad network'] }, signOff);
    expect(diff.wordingSignOff).toBeNull();
    expect(diff.reasons.map((reason) => reason.code)).toEqual(['RECIPIENTS_ADDED']);
  });

  it('splits a consent purpose’s new transfers into new destinations and new safeguards', () => {
    const diff = revise(consent, {}, { transfers: [swissUnderContract, american] });
    expect(diff.reasons.map((reason) => [reason.classification, reason.code, reason.message])).toEqual([
      [
        'RECONSENT',
        'CONSENT_PURPOSE_WIDENED',
        `Purpose "profiling": new transfers: "US" with "standard contractual clauses"; ${consentWideningRule}`,
      ],
      [
        'RENOTIFY',
        'TRANSFERS_ADDED',
        'Purpose "profiling": new transfers: "CH" with "standard contractual clauses" (was "adequacy decision")',
      ],
    ]);
  });
});

const WidenedDiff = graphql(`
  query WidenedConsentDiff($key: String!, $from: Int!, $to: Int!) {
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

describe('publishing a version that widens a consent purpose', () => {
  const t = useTestApp();

  it('classifies it RECONSENT, on the version and in the diff', async () => {
    const { keys } = await makeTenant(t.database.prisma);
    const consentContent = {
      legalBasis: 'CONSENT',
      legitimateInterest: null,
      consentValidityDays: 365,
    } as const;
    await createPurpose(t.app, 'newsletter', keys.EDITOR, consentContent);
    await createNotice(t.app, 'marketing', keys.EDITOR);
    const first = await createDraft(t.app, keys.EDITOR, {
      noticeKey: 'marketing',
      purposeKeys: ['newsletter'],
      effectiveFrom: inDays(0),
    });
    await publish(t.app, keys.EDITOR, first, 'first version of a new notice');

    await revisePurpose(t.app, 'newsletter', keys.EDITOR, {
      ...consentContent,
      recipients: ['internal AI team', 'Model vendor X'],
    });
    const second = await createDraft(t.app, keys.EDITOR, {
      noticeKey: 'marketing',
      purposeKeys: ['newsletter'],
      effectiveFrom: inDays(29),
    });
    const published = await publish(t.app, keys.EDITOR, second);
    expect(published).toMatchObject({ number: 2, classification: 'RECONSENT' });
    expect(published.classificationReasons).toEqual([
      { classification: 'RECONSENT', code: 'CONSENT_PURPOSE_WIDENED', purposeKey: 'newsletter' },
    ]);

    const diff = expectData(
      await execute(t.app, WidenedDiff, {
        key: keys.READER,
        variables: { key: 'marketing', from: 1, to: 2 },
      }),
    ).notice?.diff;
    expect(diff).toEqual({
      __typename: 'NoticeVersionDiff',
      classification: 'RECONSENT',
      reasons: [
        {
          classification: 'RECONSENT',
          code: 'CONSENT_PURPOSE_WIDENED',
          purposeKey: 'newsletter',
          message: `Purpose "newsletter": new recipients: "Model vendor X"; ${consentWideningRule}`,
        },
      ],
    });
  });
});
