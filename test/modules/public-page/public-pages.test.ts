import { beforeAll, describe, expect, it } from 'vitest';
import { errorCode, execute } from '../../support/client.js';
import { makeTenant } from '../../support/factories.js';
import { createDraft, inDays, publish, translations } from '../../support/notice-fixtures.js';
import {
  draftOnlyText,
  hostileBody,
  hostileTitle,
  publicNotice,
  SetPublicNoticePages,
  setPublicNoticePages,
} from '../../support/public-page-fixtures.js';
import { useTestApp } from '../../support/test-app.js';

const t = useTestApp();

type Tenant = Awaited<ReturnType<typeof makeTenant>>;

function get(path: string, headers: Record<string, string> = {}, method = 'GET') {
  return t.app.fetch(new Request(`http://localhost${path}`, { method, headers }));
}

/** A response's headers without the ones that differ per request. */
function stableHeaders(response: Response): Record<string, string> {
  const headers = Object.fromEntries(response.headers);
  delete headers['x-request-id'];
  delete headers.date;
  return headers;
}

async function versionsOf(controllerId: string, noticeKey: string) {
  return t.database.prisma.noticeVersion.findMany({
    where: { controllerId, notice: { key: noticeKey }, number: { not: null } },
    orderBy: { number: 'asc' },
    select: { id: true, number: true, contentHash: true },
  });
}

describe('public notice pages', () => {
  let open: Tenant;
  let pagePath: string;

  beforeAll(async () => {
    open = await makeTenant(t.database.prisma);
    await publicNotice(t.app, t.database, open.keys.EDITOR);
    await setPublicNoticePages(t.app, open.keys.ADMIN, true);
    pagePath = `/public/${open.controller.slug}/notices/privacy-policy`;
  });

  it('answers a controller that has not opted in exactly like an unknown one, and only an ADMIN opens its pages', async () => {
    const closed = await makeTenant(t.database.prisma);
    await publicNotice(t.app, t.database, closed.keys.EDITOR);
    const closedPath = `/public/${closed.controller.slug}/notices/privacy-policy`;
    const unknown = await get('/public/no-such-controller/notices/privacy-policy');
    expect(unknown.status).toBe(404);
    const unknownBody = await unknown.text();
    for (const path of [
      closedPath,
      `${closedPath}/versions/1`,
      `/public/${open.controller.slug}/notices/no-such-notice`,
      `${pagePath}/versions/9`,
      `${pagePath}/versions/0`,
      `${pagePath}/`,
      `/public/${open.controller.slug}/notices`,
    ]) {
      const response = await get(path, { 'accept-language': 'de' });
      expect(response.status, path).toBe(404);
      expect(await response.text(), path).toBe(unknownBody);
      expect(stableHeaders(response), path).toEqual(stableHeaders(unknown));
    }
    expect(unknown.headers.get('cache-control')).toBe('no-store');

    const refused = await execute(t.app, SetPublicNoticePages, {
      key: closed.keys.EDITOR,
      variables: { input: { publicNoticePages: true } },
    });
    expect(errorCode(refused)).toBe('FORBIDDEN');
    expect((await get(closedPath)).status).toBe(404);

    await setPublicNoticePages(t.app, closed.keys.ADMIN, true);
    expect((await get(closedPath)).status).toBe(200);
    await setPublicNoticePages(t.app, closed.keys.ADMIN, false);
    const closedAgain = await get(closedPath);
    expect(closedAgain.status).toBe(404);
    expect(await closedAgain.text()).toBe(unknownBody);
  });

  it('serves the version in force in the visitor language, by the API rules, with the upcoming version', async () => {
    const served = async (headers: Record<string, string>, query = '') => {
      const response = await get(`${pagePath}${query}`, headers);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
      return response.text();
    };
    const german = await served({ 'accept-language': 'de-AT, en;q=0.5' });
    expect(german).toContain('<h1 id="notice-title" lang="de">Datenschutzerklärung</h1>');
    expect(german).toContain('Wir speichern sie zwei Jahre.');
    expect(german).toContain('<html lang="en">');
    // The first preference the version has wins; q-values order them.
    expect(await served({ 'accept-language': 'es, fr;q=0.9, de;q=0.8' })).toContain(
      'lang="fr">Politique de confidentialité</h1>',
    );
    // Nothing in the visitor's languages: the notice's default, English.
    expect(await served({ 'accept-language': 'pt-BR, *;q=0.5' })).toContain('lang="en">Privacy policy</h1>');
    expect(await served({})).toContain('lang="en">Privacy policy</h1>');
    expect(await served({ 'accept-language': 'not a language tag;;q=x' })).toContain(
      'lang="en">Privacy policy</h1>',
    );
    // ?lang= (the language links) comes before Accept-Language.
    expect(await served({ 'accept-language': 'de' }, '?lang=fr-CA')).toContain('lang="fr">Politique');

    expect(german).toContain('Coming change: version 3, from <time datetime="2099-01-01T00:00:00.000Z">');
    expect(german).toContain('<td>In force</td>');
    const versions = await versionsOf(open.controller.id, 'privacy-policy');
    expect(versions.map((version) => version.number)).toEqual([1, 2, 3]);
    for (const version of versions) {
      expect(german).toContain(`<code>${version.contentHash}</code>`);
      expect(german).toContain(
        `href="/public/${open.controller.slug}/log/notices/privacy-policy/versions/${version.number}/inclusion"`,
      );
    }
    const rows = [...german.matchAll(/<th scope="row"><a [^>]*>Version (\d+)<\/a><\/th>/g)].map((m) => m[1]);
    expect(rows).toEqual(['3', '2', '1']);
    expect(german).not.toContain(draftOnlyText);
  });

  it('shows one version by number, and never a draft', async () => {
    const response = await get(`${pagePath}/versions/1`, { 'accept-language': 'en' });
    expect(response.status).toBe(200);
    const body = await response.text();
    expect(body).toContain('We keep it for one year.');
    expect(body).not.toContain(draftOnlyText);
    // The draft has no number: version 4 does not exist.
    expect((await get(`${pagePath}/versions/4`)).status).toBe(404);
  });

  it('shows the changes between two versions in the visitor language first', async () => {
    const response = await get(`${pagePath}?from=1&to=2`, { 'accept-language': 'de' });
    expect(response.status).toBe(200);
    const body = await response.text();
    expect(body).toContain('From version 1 to version 2');
    const german = body.indexOf('<ul class="lines" lang="de">');
    const english = body.indexOf('<ul class="lines" lang="en">');
    expect(german).toBeGreaterThan(0);
    expect(english).toBeGreaterThan(german);
    expect(body).toContain(
      '<span class="mark" lang="en">Removed, line 2:</span><del>Wir speichern sie ein Jahr.</del>',
    );
    expect(body).toContain(
      '<span class="mark" lang="en">Added, line 2:</span><ins>Wir speichern sie zwei Jahre.</ins>',
    );

    expect((await get(`${pagePath}?from=1&to=7`)).status).toBe(404);
    for (const query of ['?from=1', '?from=x&to=2', '?from=1&to=2.5', '?lang=%3Cscript%3E']) {
      const bad = await get(`${pagePath}${query}`);
      expect(bad.status, query).toBe(400);
      expect(await bad.text()).not.toContain('<script>');
    }
    // The query is checked before anything is read: a closed controller gets the same 400.
    expect((await get('/public/no-such-controller/notices/x?from=1')).status).toBe(400);
  });

  it('answers conditional requests with 304 while the page is unchanged; drafts change nothing', async () => {
    const first = await get(pagePath, { 'accept-language': 'de' });
    const etag = first.headers.get('etag');
    expect(etag).toMatch(/^"[A-Za-z0-9_-]{43}"$/);
    expect(first.headers.get('cache-control')).toBe('public, no-cache');
    expect(first.headers.get('vary')).toBe('Accept-Language');

    const again = await get(pagePath, { 'accept-language': 'de', 'if-none-match': etag! });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
    expect(again.headers.get('etag')).toBe(etag);

    const english = await get(pagePath, { 'accept-language': 'en', 'if-none-match': etag! });
    expect(english.status).toBe(200);
    expect(english.headers.get('etag')).not.toBe(etag);

    await createDraft(t.app, open.keys.EDITOR, {
      noticeKey: 'privacy-policy',
      purposeKeys: ['privacy-policy-service'],
      translations: translations(draftOnlyText),
      effectiveFrom: inDays(60),
    });
    expect((await get(pagePath, { 'accept-language': 'de', 'if-none-match': etag! })).status).toBe(304);

    const head = await get(pagePath, { 'accept-language': 'de' }, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.headers.get('etag')).toBe(etag);
    expect(await head.text()).toBe('');
    const post = await get(pagePath, {}, 'POST');
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
  });

  it('changes the ETag when a new version is published', async () => {
    const tenant = await makeTenant(t.database.prisma);
    await publicNotice(t.app, t.database, tenant.keys.EDITOR, { noticeKey: 'terms' });
    await setPublicNoticePages(t.app, tenant.keys.ADMIN, true);
    const path = `/public/${tenant.controller.slug}/notices/terms`;
    const before = (await get(path)).headers.get('etag')!;
    const draft = await createDraft(t.app, tenant.keys.EDITOR, {
      noticeKey: 'terms',
      purposeKeys: ['terms-service'],
      translations: [
        { locale: 'en', title: 'Terms', body: 'New' },
        { locale: 'de', title: 'AGB', body: 'Neu' },
        { locale: 'fr', title: 'Conditions', body: 'Nouveau' },
      ],
      effectiveFrom: inDays(90),
    });
    await publish(t.app, tenant.keys.EDITOR, draft);
    const after = await get(path, { 'if-none-match': before });
    expect(after.status).toBe(200);
    // Version 4 takes effect before version 3 (2099): it is now the coming change.
    expect(await after.text()).toContain('Coming change: version 4');
  });

  it('escapes every text and sends a CSP without scripts', async () => {
    const tenant = await makeTenant(t.database.prisma);
    await publicNotice(t.app, t.database, tenant.keys.EDITOR, { noticeKey: 'hostile', hostile: true });
    await setPublicNoticePages(t.app, tenant.keys.ADMIN, true);
    const response = await get(`/public/${tenant.controller.slug}/notices/hostile?from=1&to=2`, {
      'accept-language': 'en',
    });
    expect(response.status).toBe(200);
    const body = await response.text();
    expect(body).not.toContain(hostileTitle);
    expect(body).not.toContain('<img');
    expect(body).not.toContain("<a href='javascript");
    expect(body).not.toMatch(/<script/i);
    expect(body).toContain('&lt;script&gt;alert(&quot;title&quot;)&lt;/script&gt;');
    expect(body).toContain('Click &quot;here&quot; &amp; &lt;img src=x onerror=&quot;alert(1)&quot;&gt;');
    expect(hostileBody).toContain('<img');

    const csp = response.headers.get('content-security-policy')!;
    expect(csp).toContain("default-src 'none'");
    expect(csp).toMatch(/style-src 'sha256-[A-Za-z0-9+/]+=*'/);
    expect(csp).not.toContain('unsafe');
    expect(csp).not.toContain('script-src');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it("never shows another controller's notice, even under the same key", async () => {
    const other = await makeTenant(t.database.prisma);
    await setPublicNoticePages(t.app, other.keys.ADMIN, true);
    // The other controller has no notice of its own: the open one's key is unknown there.
    expect((await get(`/public/${other.controller.slug}/notices/privacy-policy`)).status).toBe(404);
    expect((await get(`/public/${other.controller.slug}/notices/privacy-policy/versions/1`)).status).toBe(
      404,
    );
    const { noticeKey } = await publicNotice(t.app, t.database, other.keys.EDITOR, { hostile: true });
    const mine = await (await get(pagePath, { 'accept-language': 'en' })).text();
    const theirs = await (await get(`/public/${other.controller.slug}/notices/${noticeKey}`)).text();
    expect(mine).not.toContain('&lt;script&gt;');
    expect(theirs).toContain('&lt;script&gt;');
    for (const version of await versionsOf(other.controller.id, noticeKey)) {
      expect(mine).not.toContain(version.contentHash!);
      expect(mine).not.toContain(version.id);
    }
  });

  it('reads a page in a constant number of statements, whatever the history', async () => {
    const tenant = await makeTenant(t.database.prisma);
    await publicNotice(t.app, t.database, tenant.keys.EDITOR, { noticeKey: 'long' });
    await setPublicNoticePages(t.app, tenant.keys.ADMIN, true);
    const path = `/public/${tenant.controller.slug}/notices/long`;
    const measure = async (query: string) => {
      const { result, count } = await t.database.counter.measure(() =>
        get(`${path}${query}`, { 'accept-language': 'de-AT, fr;q=0.8, en;q=0.5' }),
      );
      expect(result.status).toBe(200);
      return count;
    };
    const small = await measure('');
    const smallVersion = await measure('/versions/2');
    const smallDiff = await measure('?from=1&to=2');
    for (let index = 0; index < 6; index++) {
      const draft = await createDraft(t.app, tenant.keys.EDITOR, {
        noticeKey: 'long',
        purposeKeys: ['long-service'],
        translations: [
          { locale: 'en', title: 'Privacy policy', body: `Edit ${index}` },
          { locale: 'de', title: 'Datenschutzerklärung', body: `Änderung ${index}` },
          { locale: 'fr', title: 'Politique', body: `Modification ${index}` },
        ],
        effectiveFrom: inDays(0),
      });
      await publish(t.app, tenant.keys.EDITOR, draft, 'test');
    }
    // The controller, the notice with its versions (one JSON statement), the served texts, their locales.
    expect(small).toBe(4);
    expect(await measure('')).toBe(small);
    expect(await measure('/versions/2')).toBe(smallVersion);
    expect(await measure('?from=1&to=2')).toBe(smallDiff);
    expect(await measure('?from=1&to=8')).toBe(smallDiff);
  });
});
