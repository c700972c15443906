import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runVerifyLogCommand } from '../../../src/cli/log-command.js';
import { runWitnessCommand, type WitnessEnvironment } from '../../../src/cli/witness-command.js';
import {
  cosignatureTime,
  parseSignedNote,
  parseVerifierKey,
} from '../../../src/modules/transparency-log/checkpoint.js';
import { completeSubtrees } from '../../../src/modules/transparency-log/log-store.js';
import { runLogCadence } from '../../../src/modules/transparency-log/transparency-log.service.js';
import { rawId } from '../../support/client.js';
import { makeTenant } from '../../support/factories.js';
import { publishedNotice } from '../../support/notice-fixtures.js';
import { useTestApp } from '../../support/test-app.js';
import { heavyTestTimeout } from '../../support/timeouts.js';
import { captured } from './cli-output.js';
import { getText, recordSome } from './log-fixtures.js';

const t = useTestApp();
const dir = mkdtempSync(join(tmpdir(), 'notarium-witness-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a witness of the transparency log', () => {
  it(
    'cosigns heads that extend what it saw, and refuses a rollback and a rewritten log',
    { timeout: heavyTestTimeout },
    async () => {
      const { controller, keys } = await makeTenant(t.database.prisma);
      const base = `http://notarium.test/public/${controller.slug}/log`;
      let clock = 1_800_000_000;
      const environment: WitnessEnvironment = {
        fetch: (url) => t.app.fetch(new Request(url)),
        now: () => clock++,
      };
      await publishedNotice(t.app, keys.EDITOR, 'privacy-policy', 'core');
      const ids = (await recordSome(t.app, keys.NOTIFIER, 'privacy-policy', 3, 'w1')).map(rawId);
      await runLogCadence(t.database, controller.id);

      const witnessKey = join(dir, 'witness.pem');
      const state = join(dir, 'state.json');
      const logKey = (await getText(t.app, `/public/${controller.slug}/log/keys`)).body.trim();
      const keygen = await captured(() =>
        runWitnessCommand(['keygen', '--key', witnessKey, '--name', 'witness.example/w1'], environment),
      );
      expect(keygen.code).toBe(0);
      const witnessVerifier = parseVerifierKey(keygen.stdout.trim());
      const cosign = (...extra: string[]) =>
        captured(() =>
          runWitnessCommand(
            [
              'cosign',
              '--state',
              state,
              '--key',
              witnessKey,
              '--name',
              'witness.example/w1',
              '--log-key',
              logKey,
              ...extra,
            ],
            environment,
          ),
        );

      // First sight: trust on first use of this log key; cosigned.
      const first = await cosign('--log', base);
      expect(first.code).toBe(0);
      const firstNote = parseSignedNote(first.stdout);
      expect(firstNote.checkpoint.treeSize).toBe(4);
      expect(cosignatureTime(firstNote, witnessVerifier)).toBe(1_800_000_000);
      const earlier = join(dir, 'size-4.checkpoint');
      writeFileSync(earlier, (await getText(t.app, `/public/${controller.slug}/log/checkpoint`)).body);

      // The log grows: the witness fetches the consistency proof and cosigns again.
      await recordSome(t.app, keys.NOTIFIER, 'privacy-policy', 2, 'w2');
      await runLogCadence(t.database, controller.id);
      const second = await cosign('--log', base);
      expect([second.code, second.stderr]).toEqual([0, '']);
      expect(parseSignedNote(second.stdout).checkpoint.treeSize).toBe(6);
      expect(JSON.parse(readFileSync(state, 'utf8'))).toMatchObject({ treeSize: 6 });

      // An older head shown again is a rollback.
      const rollback = await cosign('--checkpoint', earlier);
      expect(rollback.code).toBe(1);
      expect(rollback.stderr).toMatch(/^ROLLBACK_REFUSED: /);

      // A hostile controller rewrites a recorded notification and its leaf, bypassing the triggers,
      // recomputes its tree and signs new heads over it.
      await t.database.prisma.$transaction(async (tx) => {
        await tx.$executeRaw`SET LOCAL session_replication_role = replica`;
        const forged = 'f'.repeat(64);
        await tx.$executeRaw`UPDATE "Notification" SET "contentHash" = ${forged} WHERE "id" = ${ids[1]}::uuid`;
        await tx.$executeRaw`
        UPDATE "TransparencyLogLeaf" SET "entryHash" = decode(${forged}, 'hex')
        WHERE "notificationId" = ${ids[1]}::uuid`;
        await tx.$executeRaw`DELETE FROM "TransparencyLogNode" WHERE "controllerId" = ${controller.id}::uuid`;
        await tx.$executeRaw`DELETE FROM "TransparencyLogHead" WHERE "controllerId" = ${controller.id}::uuid`;
        await completeSubtrees(tx, controller.id, 0, 6);
      });
      await recordSome(t.app, keys.NOTIFIER, 'privacy-policy', 1, 'w3');
      const forgedRun = await runLogCadence(t.database, controller.id);
      expect(forgedRun.head?.treeSize).toBe(7);

      // Its heads are validly signed, but not consistent with what the witness cosigned.
      const fork = await cosign('--log', base);
      expect(fork.code).toBe(1);
      expect(fork.stderr).toMatch(/^FORK_DETECTED: /);
      expect(fork.stdout).toBe('');
      expect(JSON.parse(readFileSync(state, 'utf8'))).toMatchObject({ treeSize: 6 });

      // Anyone holding the cosigned size-6 checkpoint sees the same offline.
      const witnessed = join(dir, 'witnessed.checkpoint');
      writeFileSync(witnessed, JSON.parse(readFileSync(state, 'utf8')).checkpoint);
      const proofFile = join(dir, 'consistency.json');
      writeFileSync(
        proofFile,
        (await getText(t.app, `/public/${controller.slug}/log/consistency?from=6&to=7`)).body,
      );
      const offline = await captured(() =>
        runVerifyLogCommand(['verify-consistency', proofFile, '--key', logKey, '--old', witnessed]),
      );
      expect(offline.code).toBe(1);
      expect(offline.stderr).toMatch(/^CONSISTENCY_PROOF_INVALID: /);

      // A checkpoint signed by someone else is refused before anything else.
      const other = join(dir, 'other.checkpoint');
      writeFileSync(other, readFileSync(witnessed, 'utf8').replace(/ (\S+)\n$/, ' AAAA$1\n'));
      const unsigned = await cosign('--checkpoint', other);
      expect(unsigned.code).toBe(1);
      expect(unsigned.stderr).toMatch(/^(CHECKPOINT_SIGNATURE_INVALID|CHECKPOINT_MALFORMED): /);
    },
  );

  it('answers usage errors with exit code 2', async () => {
    expect((await captured(() => runWitnessCommand(['cosign', '--state', 'x']))).code).toBe(2);
    expect((await captured(() => runVerifyLogCommand(['verify-inclusion']))).code).toBe(2);
  });
});
