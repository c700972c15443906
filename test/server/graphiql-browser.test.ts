import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { loadConfig } from '../../src/config/env.js';
import { createLogger } from '../../src/log/logger.js';
import { type RunningServer, startServer } from '../../src/server.js';
import { chromiumSkipNote, hasChromium, launchChromium } from '../support/browser.js';
import { makeController, makeKey } from '../support/factories.js';
import { publishedNotice } from '../support/notice-fixtures.js';
import { openTestDatabase } from '../support/test-database.js';
import { heavyTestTimeout } from '../support/timeouts.js';

interface Seen {
  readonly method: string;
  readonly url: string;
  readonly status: number;
  readonly body: string;
}

/** One of GraphiQL's Monaco editors, by the end of its model's URI. */
const editor = (page: Page, name: string) => page.locator(`.monaco-editor[data-uri$="-${name}"]`);

/** The lines Monaco shows, with its non-breaking spaces as spaces. */
async function textOf(lines: Locator): Promise<string> {
  return (await lines.innerText()).replace(/\u00a0/g, ' ');
}

describe.skipIf(!hasChromium)(
  `GraphiQL in a real browser${chromiumSkipNote}`,
  { timeout: heavyTestTimeout },
  () => {
    let running: RunningServer;
    let browser: Browser;
    let readerKey: string;

    beforeAll(async () => {
      const database = await openTestDatabase();
      const controller = await makeController(database.prisma);
      const admin = await makeKey(database.prisma, controller.id, 'ADMIN');
      readerKey = (await makeKey(database.prisma, controller.id, 'READER')).secret;
      const fixtures = createApp({
        config: { environment: 'test' },
        database,
        logger: createLogger('silent'),
      });
      await publishedNotice(fixtures, admin.secret, 'privacy-policy');
      const config = {
        ...loadConfig({ PORT: '0', NODE_ENV: 'development' }),
        migrateOnStart: false,
        seedDemo: false,
      };
      running = await startServer(config, createLogger('silent'), { database });
      browser = await launchChromium();
    }, heavyTestTimeout);

    afterAll(async () => {
      await browser?.close();
      await running?.shutdown();
    });

    it('opens offline under its CSP with no request before a key, then runs an example with the key', async () => {
      const context = await browser.newContext();
      // Offline: anything not served by Notarium itself fails (and would be seen below).
      await context.route(
        (url) => !url.href.startsWith(running.url),
        (route) => route.abort('internetdisconnected'),
      );
      const page = await context.newPage();
      const seen: Seen[] = [];
      const failed: string[] = [];
      const consoleErrors: string[] = [];
      page.on('response', async (response) => {
        const request = response.request();
        const body = request.resourceType() === 'fetch' ? await response.text().catch(() => '') : '';
        seen.push({ method: request.method(), url: response.url(), status: response.status(), body });
      });
      page.on('requestfailed', (request) => failed.push(`${request.method()} ${request.url()}`));
      page.on('console', (message) => {
        if (message.type() === 'error') consoleErrors.push(message.text());
      });
      page.on('pageerror', (error) => consoleErrors.push(error.message));

      const document = await page.goto(`${running.url}/graphql`);
      expect(document?.status()).toBe(200);
      const csp = (await document?.allHeaders())?.['content-security-policy'] ?? '';
      // Scripts from this origin only; no inline script, no eval (Monaco sets style attributes).
      expect(csp).toContain("script-src 'self';");
      expect(csp).toContain("default-src 'self';");
      expect(csp).not.toMatch(/https?:/);

      // The example tabs, one per kind of user; the schema came with the page (docs explorer).
      const tabs = page.locator('.graphiql-tab');
      await tabs.filter({ hasText: 'WhoAmI' }).waitFor({ timeout: heavyTestTimeout });
      for (const title of ['CurrentNotice', 'ProofOfNotification', 'RegulatorScope']) {
        await expect(tabs.filter({ hasText: title }).count()).resolves.toBe(1);
      }
      const headers = editor(page, 'request-headers.json');
      await headers
        .locator('.view-lines', { hasText: '<READER key>' })
        .waitFor({ timeout: heavyTestTimeout });

      // Nothing was asked of /graphql but the page itself, and nothing failed.
      expect(seen.filter((response) => response.status >= 400)).toEqual([]);
      expect(seen.filter((response) => response.method !== 'GET')).toEqual([]);
      expect(failed).toEqual([]);

      // The key goes into the headers pane; whatever Monaco closed after the cursor goes.
      await headers.click();
      await page.keyboard.press('ControlOrMeta+A');
      await page.keyboard.insertText(`{"Authorization": "Bearer ${readerKey}"}`);
      await page.keyboard.press('ControlOrMeta+Shift+End');
      await page.keyboard.press('Delete');
      expect(await textOf(headers.locator('.view-lines'))).toBe(`{"Authorization": "Bearer ${readerKey}"}`);

      const answer = page.waitForResponse(
        (response) => response.request().method() === 'POST' && response.url().endsWith('/graphql'),
        { timeout: heavyTestTimeout },
      );
      await page.locator('.graphiql-execute-button').click();
      await page.getByRole('menuitem', { name: 'CurrentNotice' }).click();
      const response = await answer;
      expect(response.status()).toBe(200);
      const body = (await response.json()) as { data?: { notice?: { key: string } }; errors?: unknown };
      expect(body.errors).toBeUndefined();
      expect(body.data?.notice?.key).toBe('privacy-policy');
      const result = editor(page, 'response.json').locator('.view-lines');
      await result.filter({ hasText: 'privacy-policy' }).waitFor({ timeout: heavyTestTimeout });
      const shown = await textOf(result);
      expect(shown).toContain('"data"');
      expect(shown).not.toContain('"errors"');

      expect(seen.filter((seenResponse) => seenResponse.status >= 400)).toEqual([]);
      expect(failed).toEqual([]);
      expect(consoleErrors).toEqual([]);
      await context.close();
    });
  },
);
