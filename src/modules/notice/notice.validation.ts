import { z } from 'zod';
import { recordKey } from '../purpose/purpose.validation.js';

const text = (max: number) =>
  z.string().trim().min(1, 'must not be empty').max(max, `must be at most ${max} characters`);

const locale = z.string().min(2);

export const createNoticeSchema = z.object({
  key: recordKey,
  title: text(300),
  defaultLocale: locale,
  requiredLocales: z
    .array(locale)
    .max(100)
    .nullish()
    .refine((items) => !items || new Set(items).size === items.length, 'must not repeat a locale'),
});

export const translationSchema = z.object({
  locale,
  title: text(500),
  body: text(1_000_000),
});

const translations = z
  .array(translationSchema)
  .min(1, 'give at least one translation')
  .max(100)
  .superRefine((items, context) => {
    const seen = new Set<string>();
    items.forEach((item, index) => {
      if (seen.has(item.locale)) {
        context.addIssue({
          code: 'custom',
          path: [index, 'locale'],
          message: `locale ${item.locale} appears twice`,
        });
      }
      seen.add(item.locale);
    });
  });

const purposeKeys = z
  .array(recordKey)
  .max(200)
  .refine((items) => new Set(items).size === items.length, 'must not repeat a purpose');

export const createDraftSchema = z.object({
  noticeKey: recordKey,
  translations,
  purposeKeys,
  changeSummary: text(5_000),
  effectiveFrom: z.date(),
});

export const updateDraftSchema = z.object({
  id: z.unknown(),
  translations: translations.nullish(),
  purposeKeys: purposeKeys.nullish(),
  changeSummary: text(5_000).nullish(),
  effectiveFrom: z.date().nullish(),
});

export const publishSchema = z.object({
  id: z.unknown(),
  changeMessage: text(5_000),
  leadTimeOverrideReason: text(5_000).nullish(),
  notMaterial: z.object({ signedBy: text(300), reason: text(5_000) }).nullish(),
});

export type CreateDraftInput = z.output<typeof createDraftSchema>;
export type UpdateDraftInput = Omit<z.output<typeof updateDraftSchema>, 'id'>;
export type TranslationInput = z.output<typeof translationSchema>;
