import { versionInclusionPath } from '../transparency-log/log-route.js';

/**
 * The public pages' URLs (docs/public-pages.md), in one place. Every segment from data is
 * percent-encoded.
 */
const segment = encodeURIComponent;

export const publicPrefix = '/public/';

/** The paths the pages answer (every one, known or not); other paths under /public/ belong to others (the log). */
export function isNoticePagePath(pathname: string): boolean {
  return /^\/public\/[^/]+\/notices(?:\/|$)/.test(pathname);
}

function withQuery(
  path: string,
  query: Readonly<Record<string, string | number | null | undefined>>,
): string {
  const parameters = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value !== null && value !== undefined) parameters.set(name, String(value));
  }
  const text = parameters.toString();
  return text ? `${path}?${text}` : path;
}

export function noticePageUrl(
  slug: string,
  noticeKey: string,
  query: { readonly lang?: string | null; readonly from?: number; readonly to?: number } = {},
): string {
  return withQuery(`${publicPrefix}${segment(slug)}/notices/${segment(noticeKey)}`, query);
}

export function versionPageUrl(
  slug: string,
  noticeKey: string,
  number: number,
  lang?: string | null,
): string {
  return withQuery(`${publicPrefix}${segment(slug)}/notices/${segment(noticeKey)}/versions/${number}`, {
    lang,
  });
}

/** Where the transparency log serves a version's inclusion proof (the log's own route). */
export function inclusionProofUrl(slug: string, noticeKey: string, number: number): string {
  return versionInclusionPath(segment(slug), noticeKey, number);
}

/** A public page's path, parsed; null for every path that is not one (answered 404). */
export type PublicPath =
  | { readonly kind: 'notice'; readonly slug: string; readonly noticeKey: string }
  | { readonly kind: 'version'; readonly slug: string; readonly noticeKey: string; readonly number: number };

const pathPattern = /^\/public\/([^/]+)\/notices\/([^/]+)(?:\/versions\/([1-9][0-9]{0,8}))?$/;

export function parsePublicPath(pathname: string): PublicPath | null {
  const match = pathPattern.exec(pathname);
  if (match === null) return null;
  const slug = decoded(match[1]!);
  const noticeKey = decoded(match[2]!);
  if (slug === null || noticeKey === null) return null;
  return match[3] === undefined
    ? { kind: 'notice', slug, noticeKey }
    : { kind: 'version', slug, noticeKey, number: Number(match[3]) };
}

function decoded(text: string): string | null {
  try {
    return decodeURIComponent(text);
  } catch {
    return null;
  }
}
