import { canonicalLocale } from '../../lib/locale.js';

/** More preferences than this are ignored: each one is a candidate the served-text read ranks. */
export const maxPreferences = 6;

/**
 * The locales an `Accept-Language` header asks for, most preferred first (RFC 9110 §12.5.4):
 * by quality, ties in header order; `q=0`, `*` and malformed tags dropped; each in the canonical
 * form of the API's `Locale` scalar; no repeats; at most `maxPreferences`. Which translation is
 * then served follows the API's rule (src/modules/notice/notice.policy.ts, `servedLocaleRank`).
 */
export function acceptedLocales(header: string | null): string[] {
  if (header === null) return [];
  const ranges: { locale: string; quality: number; position: number }[] = [];
  header.split(',').forEach((part, position) => {
    const [range = '', ...parameters] = part.split(';').map((piece) => piece.trim());
    const locale = canonicalLocale(range);
    if (locale === null) return;
    const quality = qualityOf(parameters);
    if (quality > 0) ranges.push({ locale, quality, position });
  });
  ranges.sort((a, b) => b.quality - a.quality || a.position - b.position);
  const locales: string[] = [];
  for (const { locale } of ranges) {
    if (!locales.includes(locale)) locales.push(locale);
    if (locales.length === maxPreferences) break;
  }
  return locales;
}

/** The `q` parameter (0–1, default 1); a malformed one counts as 0, so the range is ignored. */
function qualityOf(parameters: readonly string[]): number {
  const q = parameters.find((parameter) => /^q\s*=/i.test(parameter));
  if (q === undefined) return 1;
  const value = q.slice(q.indexOf('=') + 1).trim();
  return /^(0(\.\d{0,3})?|1(\.0{0,3})?)$/.test(value) ? Number(value) : 0;
}
