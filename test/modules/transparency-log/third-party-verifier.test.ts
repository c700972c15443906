// Done when: a verifier written from docs/transparency-log.md alone checks proofs obtained over
// HTTP. This file and its verifier import nothing from src/; the harness (test/support) only
// starts the app and seeds it through the API.
import { describe, expect, it } from 'vitest';
import { makeTenant } from '../../support/factories.js';
import { publishedNotice } from '../../support/notice-fixtures.js';
import { useTestApp } from '../../support/test-app.js';
import { heavyTestTimeout } from '../../support/timeouts.js';
import { getJson, getText } from './log-fixtures.js';
import { checkConsistency, checkInclusion, readCheckpoint, readKey } from './third-party-verifier.js';

const t = useTestApp();

describe('a third-party verifier written from the docs', () => {
  it(
    'checks version inclusion and log consistency fetched over HTTP, and catches a wrong entry',
    { timeout: heavyTestTimeout },
    async () => {
      const { controller, keys } = await makeTenant(t.database.prisma);
      const log = `/public/${controller.slug}/log`;
      await publishedNotice(t.app, keys.EDITOR, 'privacy-policy', 'core');
      const key = readKey((await getText(t.app, `${log}/keys`)).body.split('\n')[0]!);
      const kept = (await getText(t.app, `${log}/checkpoint`)).body;
      expect(readCheckpoint(kept, key).size).toBe(1);
      await publishedNotice(t.app, keys.EDITOR, 'cookies', 'analytics');
      await publishedNotice(t.app, keys.EDITOR, 'terms', 'terms-p');

      const version = await t.database.prisma.noticeVersion.findFirstOrThrow({
        where: { controllerId: controller.id, notice: { key: 'cookies' }, number: 1 },
      });
      const expected = version.contentHash!.slice('sha256:'.length);
      const proof = await getJson<Parameters<typeof checkInclusion>[0]>(
        t.app,
        `${log}/notices/cookies/versions/1/inclusion`,
      );
      expect(proof.status).toBe(200);
      expect(checkInclusion(proof.body, key, expected)).toBe(true);
      expect(checkInclusion(proof.body, key, 'a'.repeat(64))).toBe(false);
      expect(checkInclusion({ ...proof.body, entryHash: 'a'.repeat(64) }, key, 'a'.repeat(64))).toBe(false);

      const consistency = await getJson<Parameters<typeof checkConsistency>[0]>(
        t.app,
        `${log}/consistency?from=1`,
      );
      expect(consistency.body.toSize).toBe(3);
      expect(checkConsistency(consistency.body, key, kept)).toBe(true);
      const bent = { ...consistency.body, path: [...consistency.body.path].reverse() };
      expect(checkConsistency(bent, key, kept)).toBe(false);
    },
  );
});
