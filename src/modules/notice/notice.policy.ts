import { Prisma } from '../../generated/prisma/client.js';
import { addDays } from '../../lib/time.js';
import { atLeast, type ChangeClass } from './change-class.js';

export type LocaleMatch = 'EXACT' | 'LANGUAGE' | 'DEFAULT';

/**
 * The locale a reader is served, as a rank over a version's translations (lowest wins, ties by
 * locale): 0 the requested locale (any case), 1 its bare language (de for de-AT), 2 another locale
 * of that language (de-DE for de), 3 the notice's default, 4 any other. SQL, so that only the
 * served translation is read (src/modules/notice/notice-version.service.ts). `pickLocale` below is
 * the same rule over loaded locales; test/modules/notice/served-locale.test.ts checks they agree.
 */
export function servedLocaleRank(locale: Prisma.Sql, requested: Prisma.Sql, defaultLocale: Prisma.Sql) {
  const language = Prisma.sql`lower(split_part(${requested}, '-', 1))`;
  return Prisma.sql`CASE
    WHEN lower(${locale}) = lower(${requested}) THEN 0
    WHEN lower(${locale}) = ${language} THEN 1
    WHEN lower(split_part(${locale}, '-', 1)) = ${language} THEN 2
    WHEN ${locale} = ${defaultLocale} THEN 3
    ELSE 4 END`;
}

/**
 * The served translation of a version as a subquery of one row or none: its ID and its rank by
 * `servedLocaleRank`. Shared by the batch of served texts (notice-version.service.ts) and by a
 * version read together with its text (notice-read.sql.ts), so that both choose alike.
 */
export function servedTranslation(versionId: Prisma.Sql, requested: Prisma.Sql, defaultLocale: Prisma.Sql) {
  const rank = servedLocaleRank(Prisma.sql`c."locale"`, requested, defaultLocale);
  return Prisma.sql`(SELECT c."id", ${rank} AS rank FROM "NoticeTranslation" c
    WHERE c."versionId" = ${versionId} ORDER BY 2, c."locale" COLLATE "C" LIMIT 1)`;
}

/** The same rule over loaded locales, for the tests that check the SQL form against it. */
export function pickLocale(
  requested: string | null,
  available: readonly string[],
  defaultLocale: string,
): { locale: string; match: LocaleMatch } | null {
  const language = requested ? requested.split('-')[0]!.toLowerCase() : null;
  const rank = (locale: string) => {
    if (requested && locale.toLowerCase() === requested.toLowerCase()) return 0;
    if (language && locale.toLowerCase() === language) return 1;
    if (language && locale.split('-')[0]!.toLowerCase() === language) return 2;
    return locale === defaultLocale ? 3 : 4;
  };
  const [best] = [...available].sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
  return best === undefined ? null : { locale: best, match: localeMatchOfRank(rank(best)) };
}

/** How a served locale relates to the requested one, from its rank in `servedLocaleRank`. */
export function localeMatchOfRank(rank: number): LocaleMatch {
  if (rank === 0) return 'EXACT';
  return rank <= 2 ? 'LANGUAGE' : 'DEFAULT';
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
