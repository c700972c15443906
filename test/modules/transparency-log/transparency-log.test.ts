import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import {
  hasLogSignature,
  parseSignedNote,
  parseVerifierKey,
} from '../../../src/modules/transparency-log/checkpoint.js';
import { encodeLeaf } from '../../../src/modules/transparency-log/leaf.js';
import {
  leafHash,
  nodeHash,
  rangeHash,
  verifyConsistency,
  verifyInclusion,
} from '../../../src/modules/transparency-log/merkle.js';
import {
  type ConsistencyProof,
  type InclusionProof,
  inclusionProof,
  runLogCadence,
} from '../../../src/modules/transparency-log/transparency-log.service.js';
import { execute, expectData, rawId } from '../../support/client.js';
import { makeTenant } from '../../support/factories.js';
import { publishedNotice } from '../../support/notice-fixtures.js';
import { useTestApp } from '../../support/test-app.js';
import { heavyTestTimeout } from '../../support/timeouts.js';
import { getJson, getText, recordSome } from './log-fixtures.js';

const t = useTestApp();
const bytes = (hex: string) => Buffer.from(hex, 'hex');

/** The root computed from the stored leaves alone, in memory: what a full auditor would compute. */
async function rootFromLeaves(controllerId: string, size: number): Promise<Buffer> {
  const rows = await t.database.prisma.transparencyLogLeaf.findMany({
    where: { controllerId, index: { lt: size } },
    orderBy: { index: 'asc' },
  });
  const hashes = rows.map((row) => leafHash(encodeLeaf(row.type, Buffer.from(row.entryHash))));
  const subtree = (level: number, index: number): Uint8Array =>
    level === 0 ? hashes[index]! : nodeHash(subtree(level - 1, 2 * index), subtree(level - 1, 2 * index + 1));
  return Buffer.from(rangeHash(0, size, subtree));
}

const NotificationProof = parse(`
  query LogNotificationProof($id: ID!) {
    transparencyLogHead { treeSize checkpoint }
    transparencyLogNotificationProof(notificationId: $id) {
      __typename
      ... on TransparencyLogInclusionProof { leafIndex treeSize entryHash path checkpoint }
      ... on Error { code }
    }
  }
`) as TypedDocumentNode<
  {
    transparencyLogHead: { treeSize: number; checkpoint: string } | null;
    transparencyLogNotificationProof: {
      __typename: string;
      code?: string;
      leafIndex?: number;
      treeSize?: number;
      entryHash?: string;
      path?: string[];
      checkpoint?: string;
    };
  },
  { id: string }
>;

describe('the transparency log', () => {
  it(
    'logs published versions at once and notifications when sequenced, with signed heads and proofs',
    { timeout: heavyTestTimeout },
    async () => {
      const { controller, keys } = await makeTenant(t.database.prisma);
      const slug = controller.slug;
      await publishedNotice(t.app, keys.EDITOR, 'privacy-policy', 'core');
      await publishedNotice(t.app, keys.EDITOR, 'cookies', 'analytics');

      // Each publication appends its version and signs a head.
      const first = await getText(t.app, `/public/${slug}/log/checkpoint`);
      expect(first.status).toBe(200);
      const note = parseSignedNote(first.body);
      expect(note.checkpoint.treeSize).toBe(2);
      expect(note.checkpoint.origin).toBe(`notarium/log/${controller.id}`);
      const [keyLine] = (await getText(t.app, `/public/${slug}/log/keys`)).body.trim().split('\n');
      const logKey = parseVerifierKey(keyLine!);
      expect(hasLogSignature(note, logKey)).toBe(true);

      // Notifications wait for the sequencer; their batch order is their order in the log.
      const ids = (await recordSome(t.app, keys.NOTIFIER, 'privacy-policy', 5, 'a')).map(rawId);
      expect(
        await t.database.prisma.transparencyLogLeaf.count({ where: { controllerId: controller.id } }),
      ).toBe(2);
      const run = await runLogCadence(t.database, controller.id);
      expect(run.appended).toBe(5);
      expect(run.head?.treeSize).toBe(7);
      const again = await runLogCadence(t.database, controller.id);
      expect(again.appended).toBe(0);
      expect(again.head?.checkpoint).toBe(run.head?.checkpoint);
      expect(run.head!.rootHash).toEqual(await rootFromLeaves(controller.id, 7));

      // A version's inclusion proof, public and keyless, against the latest head.
      const version = await getJson<InclusionProof>(
        t.app,
        `/public/${slug}/log/notices/privacy-policy/versions/1/inclusion`,
      );
      expect(version.status).toBe(200);
      const stored = await t.database.prisma.noticeVersion.findFirstOrThrow({
        where: { controllerId: controller.id, notice: { key: 'privacy-policy' }, number: 1 },
      });
      expect(`sha256:${version.body.entryHash}`).toBe(stored.contentHash);
      expect(version.body).toMatchObject({ leafIndex: 0, treeSize: 7, entryType: 'NOTICE_VERSION' });
      const latest = parseSignedNote(version.body.checkpoint);
      expect(hasLogSignature(latest, logKey)).toBe(true);
      expect(
        verifyInclusion(
          0,
          7,
          bytes(version.body.leafHash),
          version.body.path.map(bytes),
          latest.checkpoint.rootHash,
        ),
      ).toBe(true);

      // A notification's proof (through the service; GraphQL and the CLI use the same function).
      const notification = await inclusionProof(t.database.prisma, controller.id, {
        notificationId: ids[3]!,
      });
      const record = await t.database.prisma.notification.findUniqueOrThrow({ where: { id: ids[3]! } });
      expect(notification.entryHash).toBe(record.contentHash);
      expect(notification.leafIndex).toBe(5);
      expect(
        verifyInclusion(
          5,
          7,
          leafHash(encodeLeaf('NOTIFICATION', bytes(record.contentHash))),
          notification.path.map(bytes),
          latest.checkpoint.rootHash,
        ),
      ).toBe(true);

      // The head of size 2 is a prefix of the head of size 7.
      const consistency = await getJson<ConsistencyProof>(
        t.app,
        `/public/${slug}/log/consistency?from=2&to=7`,
      );
      expect(consistency.status).toBe(200);
      expect(consistency.body.fromCheckpoint).toBe(first.body);
      expect(
        verifyConsistency(
          2,
          7,
          note.checkpoint.rootHash,
          latest.checkpoint.rootHash,
          consistency.body.path.map(bytes),
        ),
      ).toBe(true);
    },
  );

  it(
    'stores subtree hashes from 16 leaves up and proves every leaf across unaligned appends',
    { timeout: heavyTestTimeout },
    async () => {
      const { controller, keys } = await makeTenant(t.database.prisma);
      await publishedNotice(t.app, keys.EDITOR, 'privacy-policy', 'core');
      const sizes: number[] = [];
      for (const [count, prefix] of [
        [20, 'x'],
        [27, 'y'],
        [30, 'z'],
      ] as const) {
        await recordSome(t.app, keys.NOTIFIER, 'privacy-policy', count, prefix);
        const run = await runLogCadence(t.database, controller.id);
        sizes.push(run.head!.treeSize);
        expect(run.head!.rootHash).toEqual(await rootFromLeaves(controller.id, run.head!.treeSize));
      }
      expect(sizes).toEqual([21, 48, 78]);
      // 78 leaves: four subtrees of 16, two of 32, one of 64, and nothing below 16 stored.
      const nodes = await t.database.prisma.transparencyLogNode.groupBy({
        by: ['level'],
        where: { controllerId: controller.id },
        _count: true,
        orderBy: { level: 'asc' },
      });
      expect(nodes.map((row) => [row.level, row._count])).toEqual([
        [4, 4],
        [5, 2],
        [6, 1],
      ]);
      const leaves = await t.database.prisma.transparencyLogLeaf.findMany({
        where: { controllerId: controller.id, type: 'NOTIFICATION' },
        orderBy: { index: 'asc' },
      });
      const root = await rootFromLeaves(controller.id, 78);
      for (const leaf of leaves) {
        const proof = await inclusionProof(t.database.prisma, controller.id, {
          notificationId: leaf.notificationId!,
        });
        expect(proof).toMatchObject({ leafIndex: Number(leaf.index), treeSize: 78 });
        const hash = leafHash(encodeLeaf('NOTIFICATION', Buffer.from(leaf.entryHash)));
        expect(verifyInclusion(Number(leaf.index), 78, hash, proof.path.map(bytes), root)).toBe(true);
      }
      for (const from of [1, 15, 16, 21, 33, 48, 64, 77]) {
        const proof = await getJson<ConsistencyProof>(
          t.app,
          `/public/${controller.slug}/log/consistency?from=${from}&to=78`,
        );
        expect(proof.status).toBe(200);
        const older = await rootFromLeaves(controller.id, from);
        expect(verifyConsistency(from, 78, older, root, proof.body.path.map(bytes)), `from ${from}`).toBe(
          true,
        );
      }
    },
  );

  it('answers coded errors for what is not there', async () => {
    const { controller, keys } = await makeTenant(t.database.prisma);
    const slug = controller.slug;
    expect((await getText(t.app, `/public/${slug}/log/checkpoint`)).status).toBe(404);
    await publishedNotice(t.app, keys.EDITOR, 'terms', 'terms-p');
    const missing = await getJson<{ errors: { extensions: { code: string } }[] }>(
      t.app,
      `/public/${slug}/log/notices/terms/versions/2/inclusion`,
    );
    expect([missing.status, missing.body.errors[0]!.extensions.code]).toEqual([404, 'NOT_FOUND']);
    const beyond = await getJson<{ errors: { extensions: { code: string } }[] }>(
      t.app,
      `/public/${slug}/log/consistency?from=1&to=9`,
    );
    expect([beyond.status, beyond.body.errors[0]!.extensions.code]).toEqual([400, 'LOG_SIZE_OUT_OF_RANGE']);
    const bad = await getJson<{ errors: { extensions: { code: string } }[] }>(
      t.app,
      `/public/${slug}/log/consistency?from=x`,
    );
    expect(bad.body.errors[0]!.extensions.code).toBe('LOG_SIZE_OUT_OF_RANGE');
    expect((await getText(t.app, '/public/no-such-controller/log/checkpoint')).status).toBe(404);
    const post = await t.app.fetch(
      new Request(`http://notarium.test/public/${slug}/log/checkpoint`, { method: 'POST' }),
    );
    expect(post.status).toBe(405);
    // A recorded but not yet sequenced notification has no proof yet.
    const [id] = (await recordSome(t.app, keys.NOTIFIER, 'terms', 1, 'p')).map(rawId);
    await expect(
      inclusionProof(t.database.prisma, controller.id, { notificationId: id! }),
    ).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });

  it("keeps each controller's log to itself", async () => {
    const mine = await makeTenant(t.database.prisma);
    const theirs = await makeTenant(t.database.prisma);
    await publishedNotice(t.app, mine.keys.EDITOR, 'privacy', 'privacy-p');
    const [id] = (await recordSome(t.app, mine.keys.NOTIFIER, 'privacy', 1, 'iso')).map(rawId);
    await runLogCadence(t.database, mine.controller.id);
    await runLogCadence(t.database, theirs.controller.id);
    await expect(
      inclusionProof(t.database.prisma, theirs.controller.id, { notificationId: id! }),
    ).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    const other = await getText(
      t.app,
      `/public/${theirs.controller.slug}/log/notices/privacy/versions/1/inclusion`,
    );
    expect(other.status).toBe(404);
    expect((await getText(t.app, `/public/${theirs.controller.slug}/log/checkpoint`)).status).toBe(404);
  });
});

describe('the transparency log over GraphQL', () => {
  it("proves a notification's record to ADMIN and AUDITOR keys, and to nobody else's controller", async () => {
    const mine = await makeTenant(t.database.prisma);
    const theirs = await makeTenant(t.database.prisma);
    await publishedNotice(t.app, mine.keys.EDITOR, 'privacy', 'privacy-p');
    const [globalId] = await recordSome(t.app, mine.keys.NOTIFIER, 'privacy', 2, 'gql');
    const pending = expectData(
      await execute(t.app, NotificationProof, { key: mine.keys.AUDITOR, variables: { id: globalId! } }),
    );
    expect(pending.transparencyLogNotificationProof.code).toBe('NOT_FOUND');
    await runLogCadence(t.database, mine.controller.id);
    const proved = expectData(
      await execute(t.app, NotificationProof, { key: mine.keys.AUDITOR, variables: { id: globalId! } }),
    );
    const proof = proved.transparencyLogNotificationProof;
    expect(proof).toMatchObject({ leafIndex: 1, treeSize: 3 });
    expect(proof.checkpoint).toBe(proved.transparencyLogHead?.checkpoint);
    const root = parseSignedNote(proof.checkpoint!).checkpoint.rootHash;
    const leaf = leafHash(encodeLeaf('NOTIFICATION', bytes(proof.entryHash!)));
    expect(verifyInclusion(1, 3, leaf, proof.path!.map(bytes), root)).toBe(true);
    const reader = await execute(t.app, NotificationProof, {
      key: mine.keys.READER,
      variables: { id: globalId! },
    });
    expect(reader.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const other = expectData(
      await execute(t.app, NotificationProof, { key: theirs.keys.AUDITOR, variables: { id: globalId! } }),
    );
    expect(other.transparencyLogNotificationProof.code).toBe('NOT_FOUND');
    expect(other.transparencyLogHead).toBeNull();
  });
});
