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

/** The content of a purpose revision (GDPR Art. 13/14/30). */
export const purposeContentSchema = z
  .object({
    name: text(200),
    description: text(10_000),
    legalBasis: z.enum(legalBases),
    legitimateInterest: text(5_000).nullish(),
    dataCategories: textList,
    specialCategories: z
      .array(z.object({ category: text(300), condition: text(1_000) }))
      .max(20)
      .nullish(),
    dataSubjectCategories: textList,
    dataSources: textList.nullish(),
    publiclyAccessibleSources: z.boolean().nullish(),
    recipients: textList.nullish(),
    retentionPeriodDays: days.nullish(),
    retentionCriteria: text(2_000).nullish(),
    transfers: z
      .array(z.object({ destination: text(200), safeguard: text(1_000) }))
      .max(100)
      .nullish(),
    automatedDecisionMaking: z.object({ logic: text(5_000), significance: text(5_000) }).nullish(),
    consentValidityDays: days.nullish(),
  })
  .superRefine((purpose, context) => {
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
    if (purpose.consentValidityDays != null && purpose.legalBasis !== 'CONSENT') {
      context.addIssue({
        code: 'custom',
        path: ['consentValidityDays'],
        message: 'applies only to the CONSENT basis',
      });
    }
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

export const createPurposeSchema = z.object({ key: recordKey, content: purposeContentSchema });
export const revisePurposeSchema = z.object({ key: recordKey, content: purposeContentSchema });

/** Validated content; optional lists may still be null (GraphQL lets clients send null). */
export type PurposeContent = z.output<typeof purposeContentSchema>;
