import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { verifyAuditChain } from '../../../src/modules/audit/audit.service.js';
import { purgeExpiredRecords } from '../../../src/modules/erasure/retention.service.js';
import { verifyBundle } from '../../../src/modules/evidence/verify-bundle.js';
import { parseVerifierKey } from '../../../src/modules/transparency-log/checkpoint.js';
import {
  consistencyProof,
  inclusionProof,
  logVerifierKeys,
  runLogCadence,
} from '../../../src/modules/transparency-log/transparency-log.service.js';
import {
  verifyConsistencyDocument,
  verifyInclusionDocument,
} from '../../../src/modules/transparency-log/verify-proof.js';
import { graphql } from '../../graphql/index.js';
import { execute, expectData } from '../../support/client.js';
import { useTestApp } from '../../support/test-app.js';
import { exportToFile, records } from '../evidence/bundle-helpers.js';
import {
  event,
  monthsAfter,
  notification,
  record,
  response,
  rowCounts,
  SetRetention,
  scheduledTenant,
  subjectOf,
  testMonths,
} from './retention-fixtures.js';

const Purge = graphql(`
  mutation RetentionPurge($dryRun: Boolean) {
    purgeExpiredRecords(input: { dryRun: $dryRun }) {
      __typename
      ... on PurgeExpiredRecordsPayload {
        dryRun
        retentionMonths
        cutoff
        subjects
        notifications
        events
        responses
        objectionCases
        heldForLegalHold
        heldForOpenObjection
      }
      ... on Error {
        code
      }
    }
  }
`);

const SettingTrail = graphql(`
  query RetentionSettingTrail {
    viewer {
      controller {
        proofRetentionMonths
      }
    }
    auditTrail(first: 1, action: "controller:update") {
      edges {
        node {
          details
        }
      }
    }
  }
`);

const t = useTestApp();
const directory = mkdtempSync(join(tmpdir(), 'notarium-retention-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

describe('after a purge', () => {
  it('the audit chain, the transparency log and an exported evidence bundle still verify', async () => {
    const { controller, keys, actor } = await scheduledTenant(t);
    const t0 = new Date(Date.now() - 60_000);
    const at = (ms: number) => new Date(t0.getTime() + ms);
    await record(t, keys, {
      notifications: [
        notification('a', 'n-a', t0),
        notification('b', 'n-b', t0),
        notification('kept', 'n-kept', at(2_000)),
      ],
      events: [event('n-a', t0), event('n-kept', at(2_000))],
      responses: [response('b', 'r-b', t0), response('kept', 'r-kept', at(2_000))],
    });
    const sequenced = await runLogCadence(t.database, controller.id);
    expect(sequenced.appended).toBe(3);
    const oldHead = sequenced.head!;
    const [keyLine] = await logVerifierKeys(t.database.prisma, controller.id);
    const logKey = parseVerifierKey(keyLine!);
    const purgedNotification = await t.database.prisma.notification.findFirstOrThrow({
      where: { controllerId: controller.id, idempotencyKey: 'n-a' },
    });
    // Recorded, not yet sequenced, and purged before the sequencer runs again.
    await record(t, keys, { notifications: [notification('unsequenced', 'n-u', t0)] });

    const now = monthsAfter(at(1_000), testMonths);
    const report = await purgeExpiredRecords(t.database, controller.id, { actor, now });
    expect(report).toMatchObject({ subjects: 3, notifications: 3, events: 1, responses: 1 });
    expect(await subjectOf(t, controller.id, 'kept')).not.toBeNull();

    expect(await verifyAuditChain(t.database, controller.id)).toMatchObject({ valid: true, problem: null });

    // The sequencer takes what is left of the batch whose notification went, and the log grows on.
    expect((await runLogCadence(t.database, controller.id)).appended).toBe(0);
    await record(t, keys, { notifications: [notification('kept', 'n-kept-2', at(3_000))] });
    const grown = await runLogCadence(t.database, controller.id);
    expect(grown.appended).toBe(1);
    const version = await t.database.prisma.noticeVersion.findFirstOrThrow({
      where: { controllerId: controller.id, number: 1 },
    });
    for (const entry of [{ versionId: version.id }, { notificationId: purgedNotification.id }]) {
      const proof = await inclusionProof(t.database.prisma, controller.id, entry);
      expect(proof.treeSize).toBe(grown.head!.treeSize);
      expect(() => verifyInclusionDocument(JSON.parse(JSON.stringify(proof)), logKey)).not.toThrow();
    }
    const consistency = await consistencyProof(t.database.prisma, controller.id, oldHead.treeSize);
    const checked = verifyConsistencyDocument(
      JSON.parse(JSON.stringify(consistency)),
      logKey,
      oldHead.checkpoint,
    );
    expect([checked.from.treeSize, checked.to.treeSize]).toEqual([oldHead.treeSize, grown.head!.treeSize]);

    const { file, bundle } = await exportToFile(t.database, directory, controller.id);
    expect(records(bundle, 'notifications')).toHaveLength(2);
    expect(records(bundle, 'responses')).toHaveLength(1);
    const verification = await verifyBundle(file);
    expect(verification.problems).toEqual([]);
    expect(verification.valid).toBe(true);
  });
});

describe('the setting and the API', () => {
  it('is set by an ADMIN, audited, checked, and cleared with null', async () => {
    const { keys } = await scheduledTenant(t, null);
    const set = async (key: string, months: number | null) =>
      expectData(await execute(t.app, SetRetention, { key, variables: { months } })).updateControllerSettings;
    expect(await set(keys.ADMIN, 72)).toMatchObject({ controller: { proofRetentionMonths: 72 } });
    const trail = expectData(await execute(t.app, SettingTrail, { key: keys.ADMIN }));
    expect(trail.viewer.controller?.proofRetentionMonths).toBe(72);
    expect(trail.auditTrail.edges[0]?.node.details).toEqual({ changed: { proofRetentionMonths: 72 } });
    for (const months of [0, 1_201]) {
      expect(await set(keys.ADMIN, months)).toMatchObject({
        __typename: 'InputValidationError',
        issues: [{ path: ['input', 'proofRetentionMonths'] }],
      });
    }
    const refused = await execute(t.app, SetRetention, { key: keys.EDITOR, variables: { months: 1 } });
    expect(refused.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(await set(keys.ADMIN, null)).toMatchObject({ controller: { proofRetentionMonths: null } });
  });

  it('purgeExpiredRecords runs the schedule for an ADMIN, counts in a dry run, and is refused to other roles', async () => {
    const { controller, keys } = await scheduledTenant(t);
    await record(t, keys, { notifications: [notification('p', 'n-p', new Date(Date.now() - 60_000))] });
    const dry = expectData(await execute(t.app, Purge, { key: keys.ADMIN, variables: { dryRun: true } }));
    expect(dry.purgeExpiredRecords).toMatchObject({
      __typename: 'PurgeExpiredRecordsPayload',
      dryRun: true,
      retentionMonths: testMonths,
      subjects: 0,
      heldForLegalHold: 0,
      heldForOpenObjection: 0,
    });
    const before = await rowCounts(t, controller.id);
    for (const role of ['EDITOR', 'NOTIFIER', 'READER', 'AUDITOR'] as const) {
      const refused = await execute(t.app, Purge, { key: keys[role], variables: { dryRun: false } });
      expect(refused.body.errors?.[0]?.extensions?.code, role).toBe('FORBIDDEN');
    }
    expect(await rowCounts(t, controller.id)).toEqual(before);
    const real = expectData(await execute(t.app, Purge, { key: keys.ADMIN, variables: {} }));
    expect(real.purgeExpiredRecords).toMatchObject({ dryRun: false, subjects: 0 });
    const run = await t.database.prisma.auditEntry.findFirstOrThrow({
      where: { controllerId: controller.id, action: 'retention:run' },
    });
    expect(run.actorRole).toBe('ADMIN');
  });
});
