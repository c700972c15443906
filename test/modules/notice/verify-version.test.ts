import { describe, expect, it } from 'vitest';
import { verifyVersion } from '../../../src/modules/notice/verify-version.js';
import { rawId } from '../../support/client.js';
import { makeTenant } from '../../support/factories.js';
import { publishedNotice } from '../../support/notice-fixtures.js';
import { runCli } from '../../support/run-process.js';
import { useTestApp } from '../../support/test-app.js';

describe('verify-version', () => {
  const t = useTestApp();

  it('recomputes the content hash from the stored rows and notices tampering that bypassed the triggers', async () => {
    const { controller, keys } = await makeTenant(t.database.prisma);
    const version = await publishedNotice(t.app, keys.EDITOR, 'privacy-policy', 'core');
    const ok = await verifyVersion(t.database.prisma, controller.slug, 'privacy-policy', 1);
    expect(ok).toMatchObject({ matches: true, canonicalFormMatches: true, storedHash: version.contentHash });

    await t.database.sql('ALTER TABLE "NoticeTranslation" DISABLE TRIGGER "NoticeTranslation_immutable"');
    await t.database.sql(
      `UPDATE "NoticeTranslation" SET body = body || ' (edited)' WHERE "versionId" = $1 AND locale = 'de'`,
      [rawId(version.id)],
    );
    await t.database.sql('ALTER TABLE "NoticeTranslation" ENABLE TRIGGER "NoticeTranslation_immutable"');
    const tampered = await verifyVersion(t.database.prisma, controller.slug, 'privacy-policy', 1);
    expect(tampered).toMatchObject({
      matches: false,
      canonicalFormMatches: false,
      storedHash: version.contentHash,
    });
    expect(tampered.recomputedHash).not.toBe(version.contentHash);
  });

  it.runIf(process.env.TEST_DATABASE_URL)('runs from the command line with exit codes', async () => {
    const { controller, keys } = await makeTenant(t.database.prisma);
    await publishedNotice(t.app, keys.EDITOR, 'cli-notice', 'cli-purpose');
    const env = { DATABASE_URL: t.database.url ?? '' };
    const ok = runCli(['verify-version', '--controller', controller.slug, 'cli-notice', '1'], env);
    expect(ok.stdout).toMatch(/MATCH/);
    expect(ok.status).toBe(0);
    const missing = runCli(['verify-version', '--controller', controller.slug, 'cli-notice', '7'], env);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/NOT_FOUND/);
  });
});
