import { addDays } from '../../lib/time.js';
import { atLeast, type ChangeClass } from './change-class.js';

export type LocaleMatch = 'EXACT' | 'LANGUAGE' | 'DEFAULT';

/** Exact locale, else the same language (de-AT → de, or de → de-DE), else the notice's default. */
export function pickLocale(
  requested: string | null,
  available: readonly string[],
  defaultLocale: string,
): { locale: string; match: LocaleMatch } | null {
  if (requested) {
    const exact = available.find((locale) => locale.toLowerCase() === requested.toLowerCase());
    if (exact) return { locale: exact, match: 'EXACT' };
    const language = requested.split('-')[0]!.toLowerCase();
    const sameLanguage =
      available.find((locale) => locale.toLowerCase() === language) ??
      available.find((locale) => locale.split('-')[0]!.toLowerCase() === language);
    if (sameLanguage) return { locale: sameLanguage, match: 'LANGUAGE' };
  }
  if (available.includes(defaultLocale)) return { locale: defaultLocale, match: 'DEFAULT' };
  const first = available[0];
  return first ? { locale: first, match: 'DEFAULT' } : null;
}

/** Locales a published version must carry: the required ones and the default. */
export function missingLocales(
  required: readonly string[],
  defaultLocale: string,
  present: readonly string[],
): string[] {
  const wanted = [...new Set([defaultLocale, ...required])];
  return wanted.filter((locale) => !present.includes(locale));
}

export function emptyLocales(
  translations: readonly { locale: string; title: string; body: string }[],
): string[] {
  return translations.filter((item) => !item.title.trim() || !item.body.trim()).map((item) => item.locale);
}

export function earliestEffectiveFrom(publishedAt: Date, minimumNoticeDays: number): Date {
  return addDays(publishedAt, minimumNoticeDays);
}

/** A version that needs people to be told again must give them the controller's notice period. */
export function violatesLeadTime(
  classification: ChangeClass,
  effectiveFrom: Date,
  publishedAt: Date,
  minimumNoticeDays: number,
): boolean {
  if (!atLeast(classification, 'RENOTIFY')) return false;
  return effectiveFrom.getTime() < earliestEffectiveFrom(publishedAt, minimumNoticeDays).getTime();
}
