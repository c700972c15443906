import { createHash } from 'node:crypto';
import { canonicalJson } from '../../lib/canonical-json.js';

/** Identifies the canonical form of one locale's text (docs/content-hash.md, "Per-locale text hash"). */
export const TRANSLATION_FORMAT = 'notarium.notice-text.v1';

/**
 * `sha256:` + hex SHA-256 of the canonical JSON of `{format, noticeKey, number, locale, title,
 * body}`: lets a person or a proof pin the exact text shown in one language, beside the version's
 * content hash (which covers every locale and the purposes).
 */
export function translationHash(
  version: { readonly noticeKey: string; readonly number: number | null },
  translation: { readonly locale: string; readonly title: string; readonly body: string },
): string {
  const canonical = canonicalJson({
    format: TRANSLATION_FORMAT,
    noticeKey: version.noticeKey,
    number: version.number,
    locale: translation.locale,
    title: translation.title,
    body: translation.body,
  });
  return `sha256:${createHash('sha256').update(canonical, 'utf8').digest('hex')}`;
}
