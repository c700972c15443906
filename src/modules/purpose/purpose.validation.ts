import { z } from 'zod';

export const legalBases = [
  'CONSENT',
  'CONTRACT',
  'LEGAL_OBLIGATION',
  'VITAL_INTERESTS',
  'PUBLIC_TASK',
  'LEGITIMATE_INTERESTS',
] as const;

export const recordKey = z
  .string()
  .regex(
    /^[a-z0-9](?:[a-z0-9._-]{0,62}[a-z0-9])?$/,
    'must be 1-64 lowercase letters, digits, ".", "_" or "-"',
  );

const text = (max: number) =>
  z.string().trim().min(1, 'must not be empty').max(max, `must be at most ${max} characters`);

const textList = z
  .array(text(300))
  .max(100, 'at most 100 entries')
  .refine((items) => new Set(items).size === items.length, 'must not repeat an entry');

const days = z.number().int('must be a whole number').min(1, 'must be at least 1').max(36_500);

/** Whether an item relies on the person's explicit consent; absent means it does not. */
const explicitConsent = z.boolean().nullish();

/** Where an item may rely on explicit consent, and the article that allows it. */
const explicitConsentItems = [
  ['specialCategories', 'Art. 9(2)(a)'],
  ['transfers', 'Art. 49(1)(a)'],
  ['automatedDecisionMaking', 'Art. 22(2)(c)'],
] as const;

const webAddress = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).max(2_000);
const isoDay = z.iso.date({ error: 'must be a date, YYYY-MM-DD' });

/** How a person objects (Art. 21(4), 12(2)): where, in which steps, and whether reasons are asked for. */
const objectionMechanism = z
  .object({ url: webAddress.nullish(), steps: text(5_000).nullish(), reasonsRequired: z.boolean() })
  .refine((m) => Boolean(m.url) || Boolean(m.steps), {
    message: 'give a url or the steps (Art. 21(4): how to object must be brought to attention)',
    path: ['url'],
  });

/** The legitimate-interest assessment (EDPB Guidelines 1/2024) and the DPIA it refers to (Art. 35). */
const legitimateInterestAssessment = z.object({
  interest: text(5_000),
  necessity: text(5_000),
  reasonableExpectations: text(5_000),
  impact: text(5_000),
  safeguards: textList,
  excludedGroups: textList,
  author: text(300),
  assessedOn: isoDay,
  dpia: z
    .object({ reference: text(500), url: webAddress.nullish(), date: isoDay, outcome: text(2_000) })
    .nullish(),
});

/** Bases under which the person has the right to object (Art. 21(1): points (e) and (f) of Art. 6(1)). */
const objectableBases: readonly string[] = ['LEGITIMATE_INTERESTS', 'PUBLIC_TASK'];

const purposeFields = z.object({
  name: text(200),
  description: text(10_000),
  legalBasis: z.enum(legalBases),
  legitimateInterest: text(5_000).nullish(),
  dataCategories: textList,
  specialCategories: z
    .array(z.object({ category: text(300), condition: text(1_000), explicitConsent }))
    .max(20)
    .nullish(),
  dataSubjectCategories: textList,
  dataSources: textList.nullish(),
  publiclyAccessibleSources: z.boolean().nullish(),
  recipients: textList.nullish(),
  retentionPeriodDays: days.nullish(),
  retentionCriteria: text(2_000).nullish(),
  transfers: z
    .array(z.object({ destination: text(200), safeguard: text(1_000), explicitConsent }))
    .max(100)
    .nullish(),
  automatedDecisionMaking: z
    .object({ logic: text(5_000), significance: text(5_000), explicitConsent })
    .nullish(),
  consentValidityDays: days.nullish(),
  explicitConsent,
  objectionMechanism: objectionMechanism.nullish(),
  legitimateInterestAssessment: legitimateInterestAssessment.nullish(),
});

/** The content of a purpose revision (GDPR Art. 13/14/30). */
export const purposeContentSchema = purposeFields.superRefine((purpose, context) => {
  if (purpose.legalBasis === 'LEGITIMATE_INTERESTS' && !purpose.legitimateInterest) {
    context.addIssue({
      code: 'custom',
      path: ['legitimateInterest'],
      message: 'is required when the legal basis is LEGITIMATE_INTERESTS (Art. 13(1)(d))',
    });
  }
  if (purpose.legalBasis !== 'LEGITIMATE_INTERESTS' && purpose.legitimateInterest) {
    context.addIssue({
      code: 'custom',
      path: ['legitimateInterest'],
      message: 'applies only to the LEGITIMATE_INTERESTS basis',
    });
  }
  if (purpose.objectionMechanism && !objectableBases.includes(purpose.legalBasis)) {
    context.addIssue({
      code: 'custom',
      path: ['objectionMechanism'],
      message: 'applies only to the LEGITIMATE_INTERESTS and PUBLIC_TASK bases (Art. 21(1))',
    });
  }
  if (purpose.legitimateInterestAssessment && purpose.legalBasis !== 'LEGITIMATE_INTERESTS') {
    context.addIssue({
      code: 'custom',
      path: ['legitimateInterestAssessment'],
      message: 'applies only to the LEGITIMATE_INTERESTS basis (Art. 6(1)(f))',
    });
  }
  if (purpose.consentValidityDays != null && purpose.legalBasis !== 'CONSENT') {
    context.addIssue({
      code: 'custom',
      path: ['consentValidityDays'],
      message: 'applies only to the CONSENT basis',
    });
  }
  checkExplicitConsent(purpose, context);
  if (purpose.retentionPeriodDays == null && !purpose.retentionCriteria) {
    context.addIssue({
      code: 'custom',
      path: ['retentionPeriodDays'],
      message: 'give a retention period or retentionCriteria (Art. 13(2)(a))',
    });
  }
  if (purpose.dataCategories.length === 0 && (purpose.specialCategories ?? []).length === 0) {
    context.addIssue({
      code: 'custom',
      path: ['dataCategories'],
      message: 'name at least one data category',
    });
  }
  if (purpose.dataSubjectCategories.length === 0) {
    context.addIssue({ code: 'custom', path: ['dataSubjectCategories'], message: 'name at least one' });
  }
});

type Context = z.core.$RefinementCtx<z.output<typeof purposeFields>>;

/**
 * Explicit consent is consent (Art. 4(11)) given by an express statement: an item relying on it
 * makes the purpose rely on it, and a purpose relying on it is based on consent (ADR 0013).
 */
function checkExplicitConsent(purpose: z.output<typeof purposeFields>, context: Context): void {
  for (const [field, article] of explicitConsentItems) {
    const value = purpose[field];
    const items = Array.isArray(value) ? value : value ? [value] : [];
    items.forEach((item, index) => {
      if (item.explicitConsent !== true || purpose.explicitConsent === true) return;
      context.addIssue({
        code: 'custom',
        path: Array.isArray(value) ? [field, index, 'explicitConsent'] : [field, 'explicitConsent'],
        message: `relies on explicit consent (${article}), so the purpose must say so: set explicitConsent on the purpose`,
      });
    });
  }
  if (purpose.explicitConsent === true && purpose.legalBasis !== 'CONSENT') {
    context.addIssue({
      code: 'custom',
      path: ['explicitConsent'],
      message:
        'explicit consent (Art. 9(2)(a), 49(1)(a), 22(2)(c)) is consent (Art. 4(11)): it requires the CONSENT legal basis',
    });
  }
}

/** Why a revision moves a purpose away from consent (EDPB Guidelines 05/2020 on consent, §§ 121–123). */
export const basisChangeJustification = text(5_000).nullish();

export const createPurposeSchema = z.object({ key: recordKey, content: purposeContentSchema });
export const revisePurposeSchema = z.object({
  key: recordKey,
  content: purposeContentSchema,
  basisChangeJustification,
});

/** Validated content; optional lists may still be null (GraphQL lets clients send null). */
export type PurposeContent = z.output<typeof purposeContentSchema>;
