const localePattern = /^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$/;

/** Canonical forms already computed: `Intl.getCanonicalLocales` costs more than the rest of a read's argument parsing. */
const canonicalLocales = new Map<string, string>();
const canonicalLocalesKept = 1024;

/**
 * The canonical form of a BCP 47 language tag ("de-at" → "de-AT"), or null when `value` is not
 * one. The `Locale` scalar (src/graphql/scalars.ts) and the public pages' `Accept-Language`
 * negotiation (src/modules/public-page/accept-language.ts) both read locales through it.
 */
export function canonicalLocale(value: unknown): string | null {
  if (typeof value !== 'string' || !localePattern.test(value)) return null;
  const known = canonicalLocales.get(value);
  if (known !== undefined) return known;
  try {
    const [canonical] = Intl.getCanonicalLocales(value);
    if (!canonical) return null;
    if (canonicalLocales.size >= canonicalLocalesKept) canonicalLocales.clear();
    canonicalLocales.set(value, canonical);
    return canonical;
  } catch {
    return null;
  }
}
