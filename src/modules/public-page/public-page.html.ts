import type { ChangeClass } from '../notice/change-class.js';
import type { FieldChange, TextChange, VersionDiff } from '../notice/version-diff.js';
import { html, SafeHtml } from './html.js';
import type {
  NoticePage,
  PublicController,
  PublicVersion,
  ServedVersion,
  VersionPage,
} from './public-page.service.js';
import { pageStyle } from './public-page.style.js';
import { inclusionProofUrl, noticePageUrl, versionPageUrl } from './public-page.urls.js';

/**
 * The public pages' HTML (docs/public-pages.md): semantic, server-rendered, no script. The page's
 * own words are English (`<html lang="en">`); every text of a notice carries its own `lang`.
 */

/** An instant as the pages show it: UTC to the minute, with the exact instant in `datetime`. */
function instant(at: Date): SafeHtml {
  const iso = at.toISOString();
  return html`<time datetime="${iso}">${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC</time>`;
}

const changeClassLabels: Readonly<Record<ChangeClass, string>> = {
  EDITORIAL: 'Editorial: no new notification needed',
  RENOTIFY: 'People are told again before it takes effect',
  RECONSENT: 'Consent is asked for again',
};

function layout(
  title: string,
  controller: PublicController | null,
  nav: SafeHtml | null,
  body: SafeHtml,
): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${title}</title>
<style>${new SafeHtml(pageStyle)}</style>
</head>
<body>
<a class="skip" href="#main">Skip to the content</a>
<header>
${controller ? html`<p class="controller">${controller.name}</p>` : html`<p class="controller">Notices</p>`}
${nav}
</header>
<main id="main">
${body}
</main>
<footer>
<p>Times are in UTC. Each version's content hash is a SHA-256 over its canonical form; the transparency log proves that the version was recorded.</p>
</footer>
</body>
</html>
`.markup;
}

function languageNav(
  locales: readonly string[],
  current: string,
  href: (locale: string) => string,
): SafeHtml | null {
  if (locales.length < 2) return null;
  return html`<nav aria-label="Languages">
<ul>
${locales.map(
  (locale) =>
    html`<li><a href="${href(locale)}" hreflang="${locale}" lang="${locale}"${
      locale === current ? html` aria-current="page"` : ''
    }>${locale}</a></li>
`,
)}</ul>
</nav>`;
}

function proofDetails(
  controller: PublicController,
  noticeKey: string,
  version: PublicVersion,
  at: Date,
): SafeHtml {
  return html`<dl>
<dt>Version</dt><dd>${version.number}</dd>
<dt>${version.effectiveFrom.getTime() > at.getTime() ? 'Takes effect' : 'Effective from'}</dt><dd>${instant(version.effectiveFrom)}</dd>
<dt>Published</dt><dd>${instant(version.publishedAt)}</dd>
${version.retiredAt ? html`<dt>Withdrawn</dt><dd>${instant(version.retiredAt)}</dd>\n` : ''}<dt>Content hash</dt><dd><code>${version.contentHash}</code></dd>
<dt>Transparency log</dt><dd><a href="${inclusionProofUrl(controller.slug, noticeKey, version.number)}">Inclusion proof of version ${version.number}</a></dd>
</dl>`;
}

function servedText(served: ServedVersion, headingLevel: 'h1' | 'h2', id: string): SafeHtml {
  const { text } = served;
  const heading =
    headingLevel === 'h1'
      ? html`<h1 id="${id}" lang="${text.locale}">${text.title}</h1>`
      : html`<h2 id="${id}" lang="${text.locale}">${text.title}</h2>`;
  return html`${heading}
<div class="text" lang="${text.locale}">${text.body}</div>`;
}

function historyTable(page: NoticePage, lang: string | null, current: PublicVersion | null): SafeHtml {
  const { controller, noticeKey } = page;
  return html`<table>
<caption>Every published version, newest first</caption>
<thead><tr><th scope="col">Version</th><th scope="col">Effective from</th><th scope="col">Status</th><th scope="col">Kind of change</th><th scope="col">What changed</th><th scope="col">Content hash and proof</th></tr></thead>
<tbody>
${page.history.map(
  (version) => html`<tr>
<th scope="row"><a href="${versionPageUrl(controller.slug, noticeKey, version.number, lang)}">Version ${version.number}</a></th>
<td>${instant(version.effectiveFrom)}</td>
<td>${statusOf(version, current, page.at)}</td>
<td>${changeClassLabels[version.classification]}</td>
<td>${version.changeSummary}</td>
<td><code>${version.contentHash}</code><br><a href="${inclusionProofUrl(controller.slug, noticeKey, version.number)}">Inclusion proof<span class="visually-hidden"> of version ${version.number}</span></a></td>
</tr>
`,
)}</tbody>
</table>`;
}

function statusOf(version: PublicVersion, current: PublicVersion | null, at: Date): string {
  if (version.status === 'RETIRED') return 'Withdrawn';
  if (current !== null && version.id === current.id) return 'In force';
  return version.effectiveFrom.getTime() > at.getTime() ? 'Upcoming' : 'Superseded';
}

function compareForm(page: NoticePage, lang: string | null): SafeHtml {
  const numbers = page.history.map((version) => version.number);
  if (numbers.length < 2) return html`<p>There is only one version, so there is nothing to compare yet.</p>`;
  const from = page.diff?.from ?? numbers[1]!;
  const to = page.diff?.to ?? numbers[0]!;
  const options = (selected: number) =>
    numbers.map(
      (number) =>
        html`<option value="${number}"${number === selected ? html` selected` : ''}>Version ${number}</option>`,
    );
  return html`<form method="get" action="${noticePageUrl(page.controller.slug, page.noticeKey)}#changes">
${lang ? html`<input type="hidden" name="lang" value="${lang}">` : ''}
<label for="from">From<select id="from" name="from">${options(from)}</select></label>
<label for="to">To<select id="to" name="to">${options(to)}</select></label>
<button type="submit">Compare</button>
</form>`;
}

function value(field: unknown): string {
  if (field === null || field === undefined) return 'none';
  if (typeof field === 'string') return field;
  if (Array.isArray(field)) return field.length === 0 ? 'none' : field.map(value).join(', ');
  return JSON.stringify(field);
}

function fieldChange(change: FieldChange): SafeHtml {
  return html`<li>${change.field}: <del class="removed"><span class="mark">was</span>${value(change.before)}</del> <ins class="added"><span class="mark">now</span>${value(change.after)}</ins></li>
`;
}

function textChange(change: TextChange): SafeHtml {
  const status = { ADDED: 'added', REMOVED: 'removed', CHANGED: 'changed' }[change.status];
  return html`<section aria-labelledby="text-${change.locale}">
<h4 id="text-${change.locale}">Text in <span lang="${change.locale}">${change.locale}</span> (${status}${change.titleChanged ? ', title changed' : ''})</h4>
<ul class="lines" lang="${change.locale}">
${change.lines.map((line) =>
  line.kind === 'REMOVED'
    ? html`<li class="removed"><span class="mark" lang="en">Removed, line ${line.line}:</span><del>${line.text}</del></li>
`
    : html`<li class="added"><span class="mark" lang="en">Added, line ${line.line}:</span><ins>${line.text}</ins></li>
`,
)}</ul>
</section>`;
}

function diffSection(
  diff: { from: number; to: number; changes: VersionDiff },
  locale: string | null,
): SafeHtml {
  const { changes } = diff;
  const texts = [...changes.textChanges].sort(
    (a, b) => Number(b.locale === locale) - Number(a.locale === locale),
  );
  return html`<section aria-labelledby="diff-heading">
<h3 id="diff-heading">From version ${diff.from} to version ${diff.to}</h3>
<p>Kind of change: ${changeClassLabels[changes.classification]}.</p>
${changes.reasons.length ? html`<ul>${changes.reasons.map((reason) => html`<li>${reason.message}</li>`)}</ul>` : ''}
${changes.purposesAdded.length ? html`<p>Purposes added: ${changes.purposesAdded.join(', ')}.</p>` : ''}
${changes.purposesRemoved.length ? html`<p>Purposes removed: ${changes.purposesRemoved.join(', ')}.</p>` : ''}
${changes.purposesChanged.map(
  (purpose) => html`<section aria-labelledby="purpose-${purpose.key}">
<h4 id="purpose-${purpose.key}">Purpose ${purpose.key}</h4>
<ul>
${purpose.changes.map(fieldChange)}</ul>
</section>
`,
)}${texts.length ? texts.map(textChange) : html`<p>The text did not change.</p>`}
</section>`;
}

/** The notice's page: in force, upcoming, history and the comparison. */
export function noticePageHtml(page: NoticePage, lang: string | null): string {
  const { controller, noticeKey, inForce, upcoming } = page;
  const shown = inForce ?? upcoming;
  const title = shown ? `${shown.text.title} — ${controller.name}` : `${noticeKey} — ${controller.name}`;
  const nav = shown
    ? languageNav(shown.locales, shown.text.locale, (locale) =>
        noticePageUrl(controller.slug, noticeKey, { lang: locale, from: page.diff?.from, to: page.diff?.to }),
      )
    : null;
  const body = html`${
    inForce
      ? html`<article aria-labelledby="notice-title">
${servedText(inForce, 'h1', 'notice-title')}
<h2>About this version</h2>
${proofDetails(controller, page.noticeKey, inForce.version, page.at)}
</article>`
      : html`<h1>${noticeKey}</h1>
<p>No version of this notice is in force yet.</p>`
  }
${page.archived ? html`<p>This notice is no longer updated; its history stays available.</p>` : ''}
${
  upcoming
    ? html`<section class="upcoming" aria-labelledby="upcoming-heading">
<h2 id="upcoming-heading">Coming change: version ${upcoming.version.number}, from ${instant(upcoming.version.effectiveFrom)}</h2>
<p><span lang="${upcoming.text.locale}">${upcoming.text.title}</span>. ${upcoming.version.changeSummary}</p>
<p><a href="${versionPageUrl(controller.slug, noticeKey, upcoming.version.number, lang)}">Read version ${upcoming.version.number}</a>${
        inForce
          ? html` · <a href="${noticePageUrl(controller.slug, noticeKey, { lang, from: inForce.version.number, to: upcoming.version.number })}#changes">What changes</a>`
          : ''
      }</p>
</section>`
    : ''
}
<section aria-labelledby="history-heading">
<h2 id="history-heading">History</h2>
${historyTable(page, lang, inForce?.version ?? null)}
</section>
<section id="changes" aria-labelledby="changes-heading">
<h2 id="changes-heading">Compare versions</h2>
${compareForm(page, lang)}
${page.diff ? diffSection(page.diff, shown?.text.locale ?? null) : ''}
</section>`;
  return layout(title, controller, nav, body);
}

/** One version's page. */
export function versionPageHtml(page: VersionPage, lang: string | null): string {
  const { controller, noticeKey, served } = page;
  const { version } = served;
  const previous = page.history.find((candidate) => candidate.number < version.number);
  const nav = languageNav(served.locales, served.text.locale, (locale) =>
    versionPageUrl(controller.slug, noticeKey, version.number, locale),
  );
  const body = html`<article aria-labelledby="notice-title">
<p class="meta">Version ${version.number} of this notice${version.status === 'RETIRED' ? ' (withdrawn)' : ''}.</p>
${servedText(served, 'h1', 'notice-title')}
<h2>About this version</h2>
${proofDetails(controller, page.noticeKey, version, page.at)}
</article>
<nav aria-label="This notice">
<ul>
<li><a href="${noticePageUrl(controller.slug, noticeKey, { lang })}">The notice in force and its history</a></li>
${previous ? html`<li><a href="${noticePageUrl(controller.slug, noticeKey, { lang, from: previous.number, to: version.number })}#changes">Changes from version ${previous.number}</a></li>` : ''}
</ul>
</nav>`;
  return layout(
    `${served.text.title} (version ${version.number}) — ${controller.name}`,
    controller,
    nav,
    body,
  );
}

/** The one page every unknown or closed address gets: it says nothing about why. */
export function notFoundHtml(): string {
  return layout(
    'Not found',
    null,
    null,
    html`<h1>Not found</h1>
<p>There is no public notice at this address.</p>`,
  );
}

/** A request the page cannot answer as asked (its query), with what to fix. */
export function badRequestHtml(problem: string): string {
  return layout(
    'Bad request',
    null,
    null,
    html`<h1>Bad request</h1>
<p>${problem}</p>`,
  );
}
