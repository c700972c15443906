import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runExportBundleCommand, runVerifyBundleCommand } from '../../../src/cli/verify-bundle-command.js';
import { developmentSubjectRefSecret } from '../../../src/config/env.js';
import { appendAudit } from '../../../src/modules/audit/audit.service.js';
import type { AuditRecord } from '../../../src/modules/evidence/bundle-format.js';
import { exportEvidenceBundle } from '../../../src/modules/evidence/evidence.service.js';
import type { BundleScope } from '../../../src/modules/evidence/evidence.validation.js';
import { getOrCreateSigningKey, listSigningKeys } from '../../../src/modules/evidence/signing-key.js';
import { extractBundle, verifyBundle } from '../../../src/modules/evidence/verify-bundle.js';
import { SubjectRefHasher } from '../../../src/modules/subject/subject-ref.js';
import type { NotificationEventInput, NotificationInput, ResponseInput } from '../../graphql/graphql.js';
import { execute, expectData } from '../../support/client.js';
import { makeTenant } from '../../support/factories.js';
import { publishedNotice } from '../../support/notice-fixtures.js';
import { type TestContext, useTestApp } from '../../support/test-app.js';
import { exportToFile, lineStart, readBundle, records, tamper } from './bundle-helpers.js';

// Plain documents (not codegen'd): this file only seeds through the real mutations.
interface BulkResult {
  readonly __typename: string;
  readonly accepted?: number;
  readonly rejected?: number;
}
const RecordNotifications = parse(`
  mutation BundleRecordNotifications($input: RecordNotificationsInput!) {
    recordNotifications(input: $input) { __typename ... on RecordNotificationsPayload { accepted rejected } }
  }
`) as TypedDocumentNode<{ recordNotifications: BulkResult }, { input: { items: NotificationInput[] } }>;
const RecordEvents = parse(`
  mutation BundleRecordEvents($input: RecordNotificationEventsInput!) {
    recordNotificationEvents(input: $input) { __typename ... on RecordNotificationEventsPayload { accepted rejected } }
  }
`) as TypedDocumentNode<
  { recordNotificationEvents: BulkResult },
  { input: { items: NotificationEventInput[] } }
>;
const RecordResponses = parse(`
  mutation BundleRecordResponses($input: RecordResponsesInput!) {
    recordResponses(input: $input) { __typename ... on RecordResponsesPayload { accepted rejected } }
  }
`) as TypedDocumentNode<{ recordResponses: BulkResult }, { input: { items: ResponseInput[] } }>;

const EraseSubject = parse(`
  mutation BundleEraseSubject($input: EraseSubjectInput!) { eraseSubject(input: $input) { __typename } }
`) as TypedDocumentNode<{ eraseSubject: { __typename: string } }, { input: { subjectRef: string } }>;

const start = Date.now();
const minutesAgo = (minutes: number) => new Date(start - minutes * 60_000);
const at = (minutes: number) => minutesAgo(minutes).toISOString();
const hasher = new SubjectRefHasher(developmentSubjectRefSecret);
const formula = '=HYPERLINK("http://evil.example","click"), really';

interface Seeded {
  controllerId: string;
  otherControllerId: string;
  ids: Record<string, string>;
}

async function seed(t: TestContext): Promise<Seeded> {
  const mine = await makeTenant(t.database.prisma);
  const theirs = await makeTenant(t.database.prisma);
  const ppVersion = await publishedNotice(t.app, mine.keys.EDITOR, 'privacy-policy', 'core');
  const aiVersion = await publishedNotice(t.app, mine.keys.EDITOR, 'ai-notice', 'ai-training');
  await publishedNotice(t.app, theirs.keys.EDITOR, 'privacy-policy', 'core');
  // The versions were published a moment ago and the records below are dated up to five hours
  // back: a day of clock-skew tolerance lets them in, as if the versions had been published first.
  await t.database.prisma.controller.updateMany({
    where: { id: { in: [mine.controller.id, theirs.controller.id] } },
    data: { clockSkewToleranceSeconds: 86_400 },
  });

  const notification = (
    subjectRef: string,
    noticeKey: string,
    minutes: number,
    idempotencyKey: string,
    extra: Partial<NotificationInput> = {},
  ): NotificationInput => ({
    subjectRef,
    noticeKey,
    versionNumber: 1,
    channel: 'EMAIL',
    locale: 'en',
    occurredAt: at(minutes),
    idempotencyKey,
    ...extra,
  });
  const record = async (key: string, items: NotificationInput[]) => {
    const result = expectData(
      await execute(t.app, RecordNotifications, { key, variables: { input: { items } } }),
    );
    expect(result.recordNotifications).toMatchObject({ accepted: items.length, rejected: 0 });
  };
  await record(mine.keys.NOTIFIER, [
    notification('alice', 'privacy-policy', 300, 'a-pp-1', { jurisdiction: 'DE' }),
    notification('alice', 'privacy-policy', 120, 'a-pp-2', { channel: 'IN_APP', locale: 'de' }),
    notification('alice', 'ai-notice', 110, 'a-ai-1'),
    notification('bob', 'privacy-policy', 100, 'b-pp-1', { senderMessageId: 'msg-1' }),
    notification('carol', 'ai-notice', 90, 'c-ai-1', { channel: 'PUSH', senderMessageId: formula }),
    notification('erin', 'privacy-policy', 80, 'e-pp-1', {
      senderMessageId: 'erin@example.org',
      jurisdiction: 'FR',
    }),
  ]);
  await record(theirs.keys.NOTIFIER, [
    notification('alice', 'privacy-policy', 120, 'other-a-pp'),
    notification('dave', 'privacy-policy', 100, 'other-d-pp'),
  ]);

  const events: NotificationEventInput[] = [
    { notificationIdempotencyKey: 'a-pp-1', type: 'SENT', occurredAt: at(299) },
    { notificationIdempotencyKey: 'a-pp-1', type: 'DELIVERED', occurredAt: at(298) },
    { notificationIdempotencyKey: 'a-pp-2', type: 'DELIVERED', occurredAt: at(119) },
    { notificationIdempotencyKey: 'a-pp-2', type: 'OPENED', occurredAt: at(30), detail: 'opened, "twice"' },
    { notificationIdempotencyKey: 'a-ai-1', type: 'DELIVERED', occurredAt: at(109) },
    { notificationIdempotencyKey: 'b-pp-1', type: 'BOUNCED', occurredAt: at(99), detail: 'mailbox full' },
    { notificationIdempotencyKey: 'never-recorded', type: 'SENT', occurredAt: at(50) },
  ];
  const eventResult = expectData(
    await execute(t.app, RecordEvents, { key: mine.keys.NOTIFIER, variables: { input: { items: events } } }),
  );
  expect(eventResult.recordNotificationEvents).toMatchObject({ accepted: events.length });
  expectData(
    await execute(t.app, RecordEvents, {
      key: theirs.keys.NOTIFIER,
      variables: {
        input: { items: [{ notificationIdempotencyKey: 'other-a-pp', type: 'SENT', occurredAt: at(119) }] },
      },
    }),
  );

  const responses: ResponseInput[] = [
    {
      subjectRef: 'alice',
      purposeKey: 'core',
      kind: 'OBJECTED',
      occurredAt: at(60),
      channel: 'EMAIL',
      noticeKey: 'privacy-policy',
      versionNumber: 1,
      idempotencyKey: 'r-a-core',
    },
    {
      subjectRef: 'alice',
      purposeKey: 'ai-training',
      kind: 'OBJECTED',
      occurredAt: at(50),
      channel: 'WEB_BANNER',
      noticeKey: 'ai-notice',
      versionNumber: 1,
      idempotencyKey: 'r-a-ai',
    },
    {
      subjectRef: 'bob',
      purposeKey: 'core',
      kind: 'OBJECTED',
      occurredAt: at(40),
      channel: 'IN_APP',
      idempotencyKey: 'r-b-core',
    },
    {
      subjectRef: 'erin',
      purposeKey: 'core',
      kind: 'OBJECTED',
      occurredAt: at(70),
      channel: 'EMAIL',
      noticeKey: 'privacy-policy',
      versionNumber: 1,
      idempotencyKey: 'r-e-core',
    },
  ];
  const responseResult = expectData(
    await execute(t.app, RecordResponses, {
      key: mine.keys.NOTIFIER,
      variables: { input: { items: responses } },
    }),
  );
  expect(responseResult.recordResponses).toMatchObject({ accepted: 4, rejected: 0 });
  // Erin asks to be erased (Art. 17): her records stay, unlinked, and must still verify.
  const erased = expectData(
    await execute(t.app, EraseSubject, {
      key: mine.keys.ADMIN,
      variables: { input: { subjectRef: 'erin' } },
    }),
  );
  expect(erased.eraseSubject.__typename).toBe('EraseSubjectPayload');

  const subject = (ref: string) =>
    t.database.prisma.subject.findFirstOrThrow({
      where: { controllerId: mine.controller.id, refHash: hasher.hash(mine.controller.id, ref) },
    });
  const alice = await subject('alice');
  const bobNotification = await t.database.prisma.notification.findFirstOrThrow({
    where: { controllerId: mine.controller.id, idempotencyKey: 'b-pp-1' },
  });
  const versionId = async (key: string) =>
    (
      await t.database.prisma.noticeVersion.findFirstOrThrow({
        where: { controllerId: mine.controller.id, notice: { key }, number: 1 },
      })
    ).id;
  expect(ppVersion.number).toBe(1);
  expect(aiVersion.number).toBe(1);
  const ids = {
    ppVersion: await versionId('privacy-policy'),
    aiVersion: await versionId('ai-notice'),
    alice: alice.id,
    bobNotification: bobNotification.id,
  };
  const actor = { controllerId: mine.controller.id, apiKeyId: null, role: null };
  const audit = [
    {
      minutes: 310,
      action: 'noticeVersion:annotate',
      targetType: 'NoticeVersion',
      targetId: ids.ppVersion,
    },
    {
      minutes: 305,
      action: 'noticeVersion:annotate',
      targetType: 'NoticeVersion',
      targetId: ids.aiVersion,
    },
    { minutes: 115, action: 'subject:annotate', targetType: 'Subject', targetId: ids.alice },
    { minutes: 105, action: 'apiKey:annotate', targetType: 'ApiKey', targetId: randomUUID() },
    {
      minutes: 95,
      action: 'notification:annotate',
      targetType: 'Notification',
      targetId: ids.bobNotification,
    },
    { minutes: 1, action: 'controller:annotate', targetType: 'Controller', targetId: 'not-a-uuid' },
  ];
  for (const entry of audit) {
    await t.database.prisma.$transaction((tx) =>
      appendAudit(
        tx,
        actor,
        {
          action: entry.action,
          targetType: entry.targetType,
          targetId: entry.targetId,
          details: { note: `é ${entry.action}`, n: 1.5 },
        },
        minutesAgo(entry.minutes),
      ),
    );
  }
  await t.database.prisma.$transaction((tx) =>
    appendAudit(
      tx,
      { controllerId: theirs.controller.id, apiKeyId: null, role: null },
      { action: 'subject:annotate', targetType: 'Subject', targetId: ids.alice },
    ),
  );
  return { controllerId: mine.controller.id, otherControllerId: theirs.controller.id, ids };
}

describe('evidence bundle', () => {
  const t = useTestApp();
  let seeded: Seeded;
  let directory: string;

  beforeAll(async () => {
    directory = mkdtempSync(join(tmpdir(), 'notarium-bundle-'));
    seeded = await seed(t);
  });
  afterAll(() => {
    if (directory) rmSync(directory, { recursive: true, force: true });
  });

  const exportTo = (controllerId: string, scope: BundleScope = {}) =>
    exportToFile(t.database, directory, controllerId, scope);

  let full: Awaited<ReturnType<typeof exportTo>>;
  const fullBundle = async () => {
    full ??= await exportTo(seeded.controllerId);
    return full;
  };

  it('exports everything of the controller and verifies offline', async () => {
    const { file, summary, bundle } = await fullBundle();
    const result = await verifyBundle(file);
    expect(result.problems).toEqual([]);
    expect(result).toMatchObject({ valid: true, signatureValid: true, keyMatchesExpected: null });
    // Erased subjects' records are of record-hash format 2, so their hashes are recomputed too.
    expect(result.notes).toEqual([]);
    const erin = records(bundle, 'notifications').find((n) => n.subjectErased);
    expect(erin).toMatchObject({
      subjectRefHash: expect.stringMatching(/^erased:/),
      senderMessageId: null,
      hashFormat: 2,
    });
    expect(bundle.text).not.toContain('erin@example.org');

    const counts = Object.fromEntries(summary.parts.map((part) => [part.name, part.records]));
    expect(counts).toMatchObject({
      'notifications.jsonl': 6,
      'notifications.csv': 6,
      'events.jsonl': 6,
      'responses.jsonl': 4,
      'notice-versions.jsonl': 2,
    });
    expect(bundle.text.split('\n', 1)[0]).toBe('{"$":"bundle","format":"notarium.evidence-bundle.v3"}');
    expect(records(bundle, 'notifications').every((n) => n.templateHash === null)).toBe(true);
    expect(counts['message-templates.jsonl']).toBe(0);
    expect(records(bundle, 'events').map((event) => event.notificationKey)).not.toContain('never-recorded');
    expect(records<AuditRecord>(bundle, 'audit-entries').every((entry) => !entry.withheld)).toBe(true);
    const versions = records(bundle, 'notice-versions');
    expect(versions.map((version) => version.noticeKey).sort()).toEqual(['ai-notice', 'privacy-policy']);
    expect(versions[0]).toMatchObject({
      contentHash: expect.stringMatching(/^sha256:/),
      canonicalForm: expect.any(String),
    });
    const entries = await t.database.prisma.auditEntry.count({
      where: { controllerId: seeded.controllerId },
    });
    expect(summary.parts.find((part) => part.name === 'audit-entries.jsonl')?.records).toBe(entries);
    expect(bundle.manifest).toMatchObject({
      auditHead: { sequence: entries },
      scope: { subjectRefHashes: null },
    });
  });

  it('keeps other controllers out', async () => {
    const { bundle } = await fullBundle();
    expect(bundle.text).not.toContain(seeded.otherControllerId);
    expect(bundle.text).not.toContain('other-');
    expect(bundle.text).not.toContain(hasher.hash(seeded.otherControllerId, 'alice'));
    expect(bundle.text).toContain(hasher.hash(seeded.controllerId, 'alice'));

    const theirs = await exportTo(seeded.otherControllerId);
    expect((await verifyBundle(theirs.file)).valid).toBe(true);
    expect(
      records(theirs.bundle, 'notifications')
        .map((n) => n.idempotencyKey)
        .sort(),
    ).toEqual(['other-a-pp', 'other-d-pp']);
    expect(theirs.bundle.text).not.toContain(seeded.controllerId);
    const theirEntries = records<AuditRecord>(theirs.bundle, 'audit-entries');
    expect(theirEntries.length).toBe(
      await t.database.prisma.auditEntry.count({ where: { controllerId: seeded.otherControllerId } }),
    );
    expect(theirEntries.map((entry) => (entry.withheld ? null : entry.action))).toContain('subject:annotate');
    expect(theirs.bundle.manifest.signingKey.keyId).not.toBe(full.bundle.manifest.signingKey.keyId);
  });

  it('renders CSV for spreadsheets and extracts parts whose hashes match the manifest', async () => {
    const { file, bundle } = await fullBundle();
    const rows = bundle.parts.get('notifications.csv') as string[];
    expect(rows[0]!.startsWith('\uFEFFid,subjectRefHash,')).toBe(true);
    expect(rows.find((row) => row.includes('c-ai-1'))).toContain(
      `"'=HYPERLINK(""http://evil.example"",""click""), really"`,
    );
    const extracted = join(directory, `extract-${randomUUID()}`);
    const written = await extractBundle(file, extracted);
    expect(written).toEqual(expect.arrayContaining(['notifications.csv', 'manifest.json', 'signature.json']));
    for (const part of bundle.manifest.parts) {
      const content = readFileSync(join(extracted, part.name));
      expect(createHash('sha256').update(content).digest('hex'), part.name).toBe(part.sha256);
      expect(content.length).toBe(part.bytes);
    }
  });

  it.each([
    {
      place: 'a notification line',
      locate: (text: string) =>
        text.indexOf('"locale":"de"', text.indexOf('"idempotencyKey":"a-pp-2"') - 400) + 11,
      expected: [
        /^notifications\.jsonl record \d+ \(line \d+, id [0-9a-f-]+\): record-hash: /,
        /^notifications\.jsonl: sha256: /,
        /^notifications\.csv row \d+ \(line \d+\): csv-rendition: differs from notifications\.jsonl record \d+ .*column locale/,
      ],
    },
    {
      place: 'a notice body',
      locate: (text: string) => text.indexOf('"body":"# Privacy\\n\\nWe process') + 21,
      expected: [
        /^notice-versions\.jsonl record \d+ \(line \d+, id [0-9a-f-]+\): content-hash \(structured content\): /,
        /^notice-versions\.jsonl record \d+ .*: canonical-form: /,
        /^notice-versions\.jsonl: sha256: /,
      ],
    },
    {
      place: 'a CSV row',
      locate: (text: string) =>
        text.indexOf('a-pp-2', lineStart(text, '{"$":"part","name":"notifications.csv"}')),
      expected: [
        /^notifications\.csv row \d+ .*csv-rendition: .*column idempotencyKey/,
        /^notifications\.csv: sha256: /,
      ],
    },
    {
      place: 'an audit entry',
      locate: (text: string) => text.indexOf('"action":"subject:annotate"') + 10,
      expected: [
        /^audit-entries\.jsonl record \d+ \(line \d+, id [0-9a-f-]+\): chain-hash: entry \d+'s content hashes to /,
      ],
    },
    {
      place: 'the manifest',
      locate: (text: string) => text.indexOf('"legalName":"', lineStart(text, '{"$":"manifest"')) + 13,
      expected: [/^signature \(last line\): the Ed25519 signature does not verify over the manifest line/],
    },
    {
      place: 'the signature',
      locate: (text: string) => text.indexOf('"value":"', lineStart(text, '{"$":"signature"')) + 12,
      expected: [/^signature \(last line\): the Ed25519 signature does not verify/],
    },
  ])('reports one changed byte in $place, naming the part, record and check', async ({
    locate,
    expected,
  }) => {
    const { file } = await fullBundle();
    const result = await verifyBundle(tamper(file, locate));
    expect(result.valid).toBe(false);
    for (const pattern of expected)
      expect(result.problems, pattern.source).toContainEqual(expect.stringMatching(pattern));
  });

  it('reports a removed record, a truncated file and a key other than the published one', async () => {
    const { file, bundle } = await fullBundle();
    const lines = bundle.text.split('\n');
    const removed = join(directory, `removed-${randomUUID()}.ndjson`);
    writeFileSync(removed, lines.filter((line) => !line.includes('"idempotencyKey":"b-pp-1"')).join('\n'));
    const removedResult = await verifyBundle(removed);
    expect(removedResult.problems).toContainEqual(
      'notifications.jsonl: count: 5 records, the manifest says 6',
    );
    expect(removedResult.problems).toContainEqual(
      expect.stringMatching(/^notifications\.csv row \d+ \(line \d+\): /),
    );

    const truncated = join(directory, `truncated-${randomUUID()}.ndjson`);
    writeFileSync(
      truncated,
      bundle.text.slice(0, bundle.text.indexOf('{"$":"part","name":"responses.jsonl"}') + 5),
    );
    const truncatedResult = await verifyBundle(truncated);
    expect(truncatedResult.valid).toBe(false);
    expect(truncatedResult.problems).toContainEqual(expect.stringMatching(/^manifest/));

    const [published] = await listSigningKeys(t.database, seeded.controllerId);
    expect((await verifyBundle(file, { expectedKey: published!.keyId })).keyMatchesExpected).toBe(true);
    expect((await verifyBundle(file, { expectedKey: published!.publicKey })).valid).toBe(true);
    const [otherKey] = await listSigningKeys(t.database, seeded.otherControllerId);
    const wrongKey = await verifyBundle(file, { expectedKey: otherKey!.keyId });
    expect(wrongKey.valid).toBe(false);
    expect(wrongKey.problems).toContainEqual(expect.stringMatching(/^signature: signed with key sha256:/));
  });

  it('includes only records matching every criterion: subjects, notices and period', async () => {
    const aliceHash = hasher.hash(seeded.controllerId, 'alice');
    const { file, bundle } = await exportTo(seeded.controllerId, {
      subjectRefHashes: [aliceHash, hasher.hash(seeded.controllerId, 'nobody')],
      noticeKeys: ['privacy-policy'],
      from: minutesAgo(200),
      to: minutesAgo(10),
    });
    const result = await verifyBundle(file);
    expect(result.problems).toEqual([]);
    expect(records(bundle, 'notifications').map((n) => n.idempotencyKey)).toEqual(['a-pp-2']);
    expect(
      records(bundle, 'events')
        .map((e) => `${e.notificationKey}:${e.type}`)
        .sort(),
    ).toEqual(['a-pp-2:DELIVERED', 'a-pp-2:OPENED']);
    expect(records(bundle, 'responses').map((r) => r.idempotencyKey)).toEqual(['r-a-core']);
    expect(records(bundle, 'notice-versions').map((v) => v.id)).toEqual([seeded.ids.ppVersion]);
    // The chain runs whole from the first entry of the period to the head; only Alice's entry
    // within the period is disclosed, the others are links.
    const audit = records<AuditRecord>(bundle, 'audit-entries');
    const head = await t.database.prisma.auditEntry.count({ where: { controllerId: seeded.controllerId } });
    expect(audit.map((entry) => entry.sequence)).toEqual(Array.from({ length: head }, (_, i) => i + 1));
    expect(audit.flatMap((entry) => (entry.withheld ? [] : [[entry.action, entry.targetId]]))).toEqual([
      ['subject:annotate', seeded.ids.alice],
    ]);
    expect(audit.find((entry) => entry.withheld)).toEqual({
      sequence: expect.any(Number),
      withheld: true,
      previousHash: expect.any(String),
      hash: expect.any(String),
    });
    expect(bundle.manifest.unmatched).toEqual({
      subjectRefHashes: [hasher.hash(seeded.controllerId, 'nobody')],
      noticeKeys: [],
    });
    expect(bundle.text).not.toContain('apiKey:annotate');
    expect(bundle.text).not.toContain(hasher.hash(seeded.controllerId, 'bob'));
  });

  it('narrows by notice alone, disclosing the audit entries about that notice and its records', async () => {
    const { file, bundle } = await exportTo(seeded.controllerId, { noticeKeys: ['ai-notice'] });
    expect((await verifyBundle(file)).problems).toEqual([]);
    expect(
      records(bundle, 'notifications')
        .map((n) => n.idempotencyKey)
        .sort(),
    ).toEqual(['a-ai-1', 'c-ai-1']);
    expect(records(bundle, 'events').map((e) => e.notificationKey)).toEqual(['a-ai-1']);
    expect(records(bundle, 'responses').map((r) => r.idempotencyKey)).toEqual(['r-a-ai']);
    const versions = records(bundle, 'notice-versions');
    expect(versions.map((v) => v.id)).toEqual([seeded.ids.aiVersion]);
    const batchId = records(bundle, 'notifications')[0]!.batchId;
    const allowed = [seeded.ids.aiVersion, versions[0]!.noticeId, batchId];
    const disclosed = records<AuditRecord>(bundle, 'audit-entries').flatMap((entry) =>
      entry.withheld ? [] : [entry],
    );
    expect(disclosed.map((entry) => entry.targetId).filter((id) => !allowed.includes(id as string))).toEqual(
      [],
    );
    expect(disclosed.map((entry) => entry.action)).toEqual(
      expect.arrayContaining(['noticeVersion:annotate', 'notifications:record']),
    );
  });

  it('writes an empty but verifiable bundle when nothing matches, and rejects an inverted period', async () => {
    const { file, bundle } = await exportTo(seeded.controllerId, {
      from: minutesAgo(5000),
      to: minutesAgo(4000),
    });
    expect((await verifyBundle(file)).problems).toEqual([]);
    for (const part of ['notifications', 'events', 'responses', 'notice-versions'])
      expect(records(bundle, part)).toEqual([]);
    expect((bundle.parts.get('notifications.csv') as string[]).length).toBe(1);
    await expect(
      exportTo(seeded.controllerId, { from: minutesAgo(10), to: minutesAgo(20) }),
    ).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
  });

  it('keeps one signing key per controller, records the export in the audit trail, and the CLI reports', async () => {
    const first = await getOrCreateSigningKey(t.database, seeded.controllerId);
    const again = await getOrCreateSigningKey(t.database, seeded.controllerId);
    expect(again.keyId).toBe(first.keyId);

    const file = join(directory, `service-${randomUUID()}.ndjson`);
    const output = createWriteStream(file);
    const actor = { controllerId: seeded.controllerId, apiKeyId: null, role: null };
    const summary = await exportEvidenceBundle(
      t.database,
      actor,
      { noticeKeys: ['ai-notice'] },
      output,
      'DPA-2026-17',
    );
    output.end();
    await finished(output);
    const entry = await t.database.prisma.auditEntry.findFirstOrThrow({
      where: { controllerId: seeded.controllerId, targetId: summary.bundleId },
    });
    expect(entry).toMatchObject({ action: 'evidenceBundle:export', details: { purpose: 'DPA-2026-17' } });
    expect(readBundle(file).manifest.auditHead?.sequence).toBe(entry.sequence - 1);

    const printed: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      printed.push(String(chunk));
      return true;
    });
    expect(await runVerifyBundleCommand([file, '--expect-key', first.keyId])).toBe(0);
    const tampered = tamper(file, (text) => text.indexOf('"idempotencyKey":"c-ai-1"') + 18);
    expect(await runVerifyBundleCommand([tampered])).toBe(1);
    vi.mocked(process.stdout.write).mockRestore();
    const report = printed.join('');
    expect(report).toContain('VALID: ');
    expect(report).toContain('the expected published key');
    expect(report).toMatch(/INVALID: \d+ problems:\n {2}- notifications\.csv row/);
  });

  it('exports from the command line by user reference, atomically, and extracts for spreadsheets', async () => {
    const { slug } = await t.database.prisma.controller.findUniqueOrThrow({
      where: { id: seeded.controllerId },
    });
    const open = async () => ({ ...t.database, close: async () => {} });
    const file = join(directory, `cli-${randomUUID()}.ndjson`);
    const printed: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      printed.push(String(chunk));
      return true;
    });
    const args = ['--controller', slug, '--output', file, '--subject-ref', 'bob', '--purpose', 'DPA-1'];
    expect(await runExportBundleCommand(args, open, hasher)).toBe(0);
    const extracted = join(directory, `cli-extract-${randomUUID()}`);
    expect(await runVerifyBundleCommand([file, '--extract', extracted])).toBe(0);
    await expect(
      runExportBundleCommand(['--controller', 'no-such-controller', '--output', `${file}.2`], open, hasher),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    vi.mocked(process.stdout.write).mockRestore();

    expect(existsSync(`${file}.partial`)).toBe(false);
    expect(existsSync(`${file}.2`)).toBe(false);
    const bundle = readBundle(file);
    expect(bundle.manifest.scope.subjectRefHashes).toEqual([hasher.hash(seeded.controllerId, 'bob')]);
    expect(records(bundle, 'notifications').map((n) => n.idempotencyKey)).toEqual(['b-pp-1']);
    expect(readFileSync(join(extracted, 'responses.csv'), 'utf8')).toContain('r-b-core');
    expect(printed.join('')).toMatch(/Wrote .*cli-.*\.ndjson: bundle [0-9a-f-]+/);
  });
});
