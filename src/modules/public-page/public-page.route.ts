import type { Plugin } from 'graphql-yoga';
import type { Database } from '../../db/database.js';
import { noneMatch, strongEtag } from '../../graphql/conditional-get.js';
import { route } from '../../graphql/route.js';
import { canonicalLocale } from '../../lib/locale.js';
import { acceptedLocales } from './accept-language.js';
import { badRequestHtml, notFoundHtml, noticePageHtml, versionPageHtml } from './public-page.html.js';
import { PublicPageService } from './public-page.service.js';
import { pageStyleSource } from './public-page.style.js';
import { isNoticePagePath, parsePublicPath } from './public-page.urls.js';

/**
 * No script, no image, no frame, nothing from elsewhere: the inline style by its hash, forms that
 * submit to this origin only.
 */
export const pageSecurityPolicy = [
  "default-src 'none'",
  `style-src ${pageStyleSource}`,
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

const securityHeaders = {
  'content-security-policy': pageSecurityPolicy,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

function page(status: number, markup: string, headers: Record<string, string> = {}): Response {
  return new Response(markup, {
    status,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      ...securityHeaders,
      ...headers,
    },
  });
}

/** Every unknown or closed address: the same bytes and headers whatever the reason. */
const notFound = () => page(404, notFoundHtml());

interface PageQuery {
  readonly lang: string | null;
  readonly compare: { readonly from: number; readonly to: number } | null;
}

const versionNumber = /^[1-9][0-9]{0,8}$/;

/** The query of a page's URL, or what is wrong with it. Checked before any read, so it tells nothing about the controller. */
function pageQuery(url: URL): PageQuery | { readonly problem: string } {
  const langText = url.searchParams.get('lang');
  const lang = langText === null ? null : canonicalLocale(langText);
  if (langText !== null && lang === null) {
    return { problem: 'lang must be a BCP 47 language tag such as "de" or "pt-BR".' };
  }
  const from = url.searchParams.get('from');
  const to = url.searchParams.get('to');
  if (from === null && to === null) return { lang, compare: null };
  if (from === null || to === null || !versionNumber.test(from) || !versionNumber.test(to)) {
    return { problem: 'from and to must both be given, each a version number such as 3.' };
  }
  return { lang, compare: { from: Number(from), to: Number(to) } };
}

/**
 * 200 with the page, or 304 when the client holds it already (`If-None-Match`). The ETag is the
 * SHA-256 of the page's bytes: whatever the page shows — a version taking effect, a new one
 * published or withdrawn, another language — changes it.
 */
function cacheable(request: Request, markup: string): Response {
  const etag = strongEtag(markup);
  const headers = { etag, 'cache-control': 'public, no-cache', vary: 'Accept-Language' };
  if (noneMatch(request.headers.get('if-none-match'), etag)) {
    return new Response(null, { status: 304, headers: { ...securityHeaders, ...headers } });
  }
  const response = page(200, markup, headers);
  return request.method === 'HEAD'
    ? new Response(null, { status: 200, headers: response.headers })
    : response;
}

async function publicPageResponse(service: PublicPageService, request: Request, url: URL): Promise<Response> {
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    return new Response(null, { status: 405, headers: { allow: 'GET, HEAD', ...securityHeaders } });
  }
  const path = parsePublicPath(url.pathname);
  if (path === null) return notFound();
  const query = pageQuery(url);
  if ('problem' in query) return page(400, badRequestHtml(query.problem));
  const controller = await service.controller(path.slug);
  if (controller === null) return notFound();
  const preferences = [
    ...(query.lang ? [query.lang] : []),
    ...acceptedLocales(request.headers.get('accept-language')),
  ];
  if (path.kind === 'version') {
    const found = await service.versionPage(controller, path.noticeKey, path.number, preferences);
    return found === null ? notFound() : cacheable(request, versionPageHtml(found, query.lang));
  }
  const found = await service.noticePage(controller, path.noticeKey, preferences, query.compare);
  return found === null ? notFound() : cacheable(request, noticePageHtml(found, query.lang));
}

/**
 * The public notice pages under /public/<slug>/notices/ (docs/public-pages.md): no key, for controllers that
 * turned them on. Put it before the plugin that answers unknown paths 404.
 */
export function publicPages(database: Database, options: { readonly now?: () => Date } = {}): Plugin {
  const service = new PublicPageService(database, options.now);
  return {
    onRequest: route(
      ({ url }) => isNoticePagePath(url.pathname),
      async ({ request, url, endResponse }) => endResponse(await publicPageResponse(service, request, url)),
    ),
  };
}
