import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

/** Debian's Chromium (package `chromium`); .ci/run installs it. */
export const chromiumPath = '/usr/bin/chromium';
export const hasChromium = existsSync(chromiumPath);

/** How a browser test's title says it was skipped on a machine without Chromium. */
export const chromiumSkipNote = hasChromium
  ? ''
  : ` (skipped: no Chromium at ${chromiumPath}; apt-get install chromium)`;

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox'] });
}
