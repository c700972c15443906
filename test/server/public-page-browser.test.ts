import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { loadConfig } from '../../src/config/env.js';
import { createLogger } from '../../src/log/logger.js';
import { type RunningServer, startServer } from '../../src/server.js';
import { chromiumSkipNote, hasChromium, launchChromium } from '../support/browser.js';
import { makeController, makeKey } from '../support/factories.js';
import { compareImages, decodePng } from '../support/png.js';
import { publicNotice, setPublicNoticePages } from '../support/public-page-fixtures.js';
import { openTestDatabase } from '../support/test-database.js';
import { heavyTestTimeout } from '../support/timeouts.js';

/** The checked-in screenshot; `UPDATE_SCREENSHOTS=1` rewrites it instead of comparing. */
const baselinePath = new URL('./screenshots/public-notice-page.png', import.meta.url);
const updateBaseline = process.env.UPDATE_SCREENSHOTS === '1';
const axePath = new URL('../../node_modules/axe-core/axe.min.js', import.meta.url);

interface AxeViolation {
  readonly id: string;
  readonly impact: string | null;
  readonly help: string;
  readonly nodes: readonly { readonly target: readonly string[] }[];
}

describe.skipIf(!hasChromium)(
  `the public notice page in a real browser${chromiumSkipNote}`,
  { timeout: heavyTestTimeout },
  () => {
    let running: RunningServer;
    let browser: Browser;

    beforeAll(async () => {
      const database = await openTestDatabase();
      // Fixed names and dates: the page, its hashes included, is the same on every run.
      const controller = await makeController(database.prisma, { slug: 'acme-public', name: 'Acme Public' });
      const admin = await makeKey(database.prisma, controller.id, 'ADMIN');
      const fixtures = createApp({
        config: { environment: 'test' },
        database,
        logger: createLogger('silent'),
      });
      await publicNotice(fixtures, database, admin.secret);
      await setPublicNoticePages(fixtures, admin.secret, true);
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

    it('shows the notice in German under its CSP, passes axe, and looks like its baseline', async () => {
      const context = await browser.newContext({
        locale: 'de-DE',
        viewport: { width: 1024, height: 900 },
        deviceScaleFactor: 1,
        colorScheme: 'light',
        reducedMotion: 'reduce',
      });
      const page = await context.newPage();
      const problems: string[] = [];
      page.on('console', (message) => {
        if (message.type() === 'error' || message.type() === 'warning') problems.push(message.text());
      });
      page.on('pageerror', (error) => problems.push(error.message));
      page.on('requestfailed', (request) => problems.push(`failed: ${request.url()}`));
      const requests: string[] = [];
      page.on('request', (request) => requests.push(request.url()));

      const response = await page.goto(
        `${running.url}/public/acme-public/notices/privacy-policy?from=1&to=2`,
      );
      expect(response?.status()).toBe(200);
      expect(await page.locator('h1').innerText()).toBe('Datenschutzerklärung');
      expect(await page.locator('h1').getAttribute('lang')).toBe('de');
      expect(await page.locator('.text').innerText()).toContain('Wir speichern sie zwei Jahre.');
      expect(await page.locator('#upcoming-heading').innerText()).toContain('version 3');
      expect(await page.locator('table tbody tr').count()).toBe(3);
      // The inline style applied under the CSP (no violation reported): the table has its borders.
      expect(
        await page
          .locator('th')
          .first()
          .evaluate((cell) => getComputedStyle(cell).borderTopStyle),
      ).toBe('solid');
      // One request, the page: no script, no style sheet, no font, no image.
      expect(requests).toEqual([`${running.url}/public/acme-public/notices/privacy-policy?from=1&to=2`]);

      // Keyboard first: the skip link is the first stop, and it shows itself.
      await page.keyboard.press('Tab');
      const skip = page.locator('a.skip');
      expect(await skip.evaluate((link) => link === document.activeElement)).toBe(true);
      const box = await skip.boundingBox();
      expect(box?.x).toBeGreaterThanOrEqual(0);
      expect(await skip.evaluate((link) => getComputedStyle(link).outlineStyle)).toBe('solid');
      await page.keyboard.press('Shift+Tab');

      // axe-core, evaluated over the DevTools protocol (the page's CSP rightly refuses inline scripts).
      await page.evaluate(readFileSync(axePath, 'utf8'));
      const violations = await page.evaluate(async () => {
        const axe = (
          globalThis as unknown as { axe: { run(context: Document): Promise<{ violations: unknown[] }> } }
        ).axe;
        return (await axe.run(document)).violations;
      });
      const serious = (violations as AxeViolation[]).filter(
        (violation) => violation.impact === 'serious' || violation.impact === 'critical',
      );
      expect(
        serious.map(
          (violation) =>
            `${violation.id}: ${violation.help} (${violation.nodes.map((n) => n.target.join(' ')).join(', ')})`,
        ),
      ).toEqual([]);
      expect(problems).toEqual([]);

      const screenshot = await page.screenshot({ animations: 'disabled', caret: 'hide' });
      if (updateBaseline || !existsSync(baselinePath)) {
        expect(updateBaseline, 'no baseline: run with UPDATE_SCREENSHOTS=1 to write it').toBe(true);
        writeFileSync(baselinePath, screenshot);
      }
      const difference = compareImages(decodePng(readFileSync(baselinePath)), decodePng(screenshot));
      expect(difference.changedShare, JSON.stringify(difference)).toBeLessThan(0.02);
      expect(difference.worstBlock, JSON.stringify(difference)).toBeLessThan(96);
      await context.close();
    });
  },
);
