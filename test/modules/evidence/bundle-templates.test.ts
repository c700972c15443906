import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { developmentSubjectRefSecret } from '../../../src/config/env.js';
import {
  type AuditRecord,
  BUNDLE_FORMAT_V1,
  bundleLayouts,
  type MessageTemplateRecord,
  type NotificationRecord,
  type RecordPart,
} from '../../../src/modules/evidence/bundle-format.js';
import { getOrCreateSigningKey } from '../../../src/modules/evidence/signing-key.js';
import { verifyBundle } from '../../../src/modules/evidence/verify-bundle.js';
import { templateCanonicalForm, templateHash } from '../../../src/modules/message-template/template-hash.js';
import { SubjectRefHasher } from '../../../src/modules/subject/subject-ref.js';
import type { NotificationInput } from '../../graphql/graphql.js';
import { execute, expectData, rawId } from '../../support/client.js';
import { makeTenant } from '../../support/factories.js';
import { publishedNoticeAsOf } from '../../support/notice-fixtures.js';
import { useTestApp } from '../../support/test-app.js';
import { heavyTestTimeout } from '../../support/timeouts.js';
import { publishTemplate } from '../message-template/template-fixtures.js';
import { exportToFile, type readBundle, records, rewriteBundle, tamper } from './bundle-helpers.js';

// Plain documents (not codegen'd), as in bundle.test.ts.
const RecordNotifications = parse(`
  mutation BundleTemplatedNotifications($input: RecordNotificationsInput!) {
    recordNotifications(input: $input) { __typename ... on RecordNotificationsPayload { accepted rejected } }
  }
`) as TypedDocumentNode<
  { recordNotifications: { __typename: string; accepted?: number; rejected?: number } },
  { input: { items: NotificationInput[] } }
>;
const EraseSubject = parse(`
  mutation BundleTemplatesErase($input: EraseSubjectInput!) { eraseSubject(input: $input) { __typename } }
`) as TypedDocumentNode<{ eraseSubject: { __typename: string } }, { input: { subjectRef: string } }>;

const hasher = new SubjectRefHasher(developmentSubjectRefSecret);
const dayMs = 24 * 60 * 60 * 1000;
/**
 * A v1 bundle as the exporter wrote it before format v2 (the seed of bundle.test.ts, the whole
 * controller: an erased subject, a formula-like sender ID, notice versions in canonical form v2).
 */
const fixture = new URL('./fixtures/bundle-v1.ndjson', import.meta.url).pathname;

type Template = Awaited<ReturnType<typeof publishTemplate>>['messageTemplate'];
type Edit = (part: RecordPart, record: Record<string, unknown>) => Record<string, unknown>;

/** Applies `change` to the record of `part` whose `field` is `value`; leaves every other record alone. */
const editWhere =
  (
    part: RecordPart,
    field: string,
    value: unknown,
    change: (record: Record<string, unknown>) => object,
  ): Edit =>
  (p, record) =>
    p === part && record[field] === value ? { ...record, ...change(record) } : record;

/** A template record changed to say `body`, with its hash and canonical form made to agree again. */
function rewordedTemplate(record: Record<string, unknown>, body: string) {
  const content = { ...(record as unknown as MessageTemplateRecord), body };
  return { body, contentHash: templateHash(content), canonicalForm: templateCanonicalForm(content) };
}

describe('evidence bundle with message templates', () => {
  const t = useTestApp();
  let directory: string;
  let controllerId: string;
  let templates: { emailEn1: Template; emailEn2: Template; pushDe1: Template; smsUnused: Template };

  beforeAll(async () => {
    directory = mkdtempSync(join(tmpdir(), 'notarium-bundle-templates-'));
    const { controller, keys } = await makeTenant(t.database.prisma);
    controllerId = controller.id;
    await publishedNoticeAsOf(
      t.app,
      t.database,
      keys.EDITOR,
      'privacy-policy',
      new Date(Date.now() - 2 * dayMs),
      'core',
    );
    const publish = async (overrides: Parameters<typeof publishTemplate>[2]) =>
      (await publishTemplate(t.app, keys.EDITOR, overrides)).messageTemplate;
    templates = {
      emailEn1: await publish({ body: 'First wording: {{link}}' }),
      emailEn2: await publish({ body: 'Second wording: {{link}}' }),
      pushDe1: await publish({
        channel: 'PUSH',
        locale: 'de',
        subject: '=Änderung unserer Datenschutzhinweise',
        body: 'Wir haben „Datenschutz“ geändert.\nMehr: {{link}}',
        linkTarget: '/privacy?from=push',
      }),
      smsUnused: await publish({ channel: 'SMS', subject: null, body: 'Never sent', linkTarget: null }),
    };
    // Sent after the templates were published.
    const now = new Date().toISOString();
    const item = (
      subjectRef: string,
      idempotencyKey: string,
      extra: Partial<NotificationInput> = {},
    ): NotificationInput => ({
      subjectRef,
      idempotencyKey,
      noticeKey: 'privacy-policy',
      versionNumber: 1,
      channel: 'EMAIL',
      locale: 'en',
      occurredAt: now,
      ...extra,
    });
    const revision = (number: number) => ({ template: { key: 'notice-change', revision: number } });
    const items = [
      item('alice', 'a-1', revision(1)),
      item('alice', 'a-2'),
      item('bob', 'b-1', revision(2)),
      item('carol', 'c-1', { channel: 'PUSH', locale: 'de', ...revision(1) }),
      item('erin', 'e-1', revision(1)),
    ];
    const recorded = expectData(
      await execute(t.app, RecordNotifications, { key: keys.NOTIFIER, variables: { input: { items } } }),
    );
    expect(recorded.recordNotifications).toMatchObject({ accepted: items.length, rejected: 0 });
    const erased = expectData(
      await execute(t.app, EraseSubject, { key: keys.ADMIN, variables: { input: { subjectRef: 'erin' } } }),
    );
    expect(erased.eraseSubject.__typename).toBe('EraseSubjectPayload');
  });
  afterAll(() => {
    if (directory) rmSync(directory, { recursive: true, force: true });
  });

  let full: Awaited<ReturnType<typeof exportToFile>>;
  const fullBundle = async () => {
    full ??= await exportToFile(t.database, directory, controllerId);
    return full;
  };
  const privateKey = async () => (await getOrCreateSigningKey(t.database, controllerId)).privateKey;
  const notificationsByKey = (bundle: ReturnType<typeof readBundle>) =>
    Object.fromEntries(
      // Erasure replaced Erin's idempotency key.
      records<NotificationRecord>(bundle, 'notifications').map((n) => [
        n.subjectErased ? 'erased' : n.idempotencyKey,
        n,
      ]),
    );

  it('gives each notification its template hash, carries the templates used, and verifies', async () => {
    const { file, summary, bundle } = await fullBundle();
    const result = await verifyBundle(file);
    expect(result.problems).toEqual([]);
    expect(result).toMatchObject({ valid: true, signatureValid: true });
    // The erased subject's notification is of record-hash format 2: its hash is recomputed too.
    expect(result.notes).toEqual([]);

    const byKey = notificationsByKey(bundle);
    expect(byKey.erased).toMatchObject({ hashFormat: 2, subjectId: expect.any(String) });
    expect(Object.fromEntries(Object.entries(byKey).map(([key, n]) => [key, n.templateHash]))).toEqual({
      'a-1': templates.emailEn1.contentHash,
      'a-2': null,
      'b-1': templates.emailEn2.contentHash,
      'c-1': templates.pushDe1.contentHash,
      erased: templates.emailEn1.contentHash,
    });
    const stored = await t.database.prisma.notification.findMany({
      where: { controllerId },
      select: { contentHash: true },
    });
    expect(
      Object.values(byKey)
        .map((n) => n.contentHash)
        .sort(),
    ).toEqual(stored.map((n) => n.contentHash).sort());

    // Exactly the revisions the notifications name, in ID order, each with its exact wording.
    const exported = records<MessageTemplateRecord>(bundle, 'message-templates');
    const used = [templates.emailEn1, templates.emailEn2, templates.pushDe1];
    expect(exported.map((template) => template.id)).toEqual(
      used.map((template) => rawId(template.id)).sort(),
    );
    const push = templates.pushDe1;
    expect(exported.find((template) => template.contentHash === push.contentHash)).toEqual({
      id: rawId(push.id),
      key: 'notice-change',
      channel: 'PUSH',
      locale: 'de',
      revision: 1,
      publishedAt: push.publishedAt,
      subject: push.subject,
      body: push.body,
      linkTarget: push.linkTarget,
      contentHash: push.contentHash,
      canonicalForm: push.canonicalForm,
    });
    expect(bundle.text).not.toContain('Never sent');
    expect(summary.parts.find((part) => part.name === 'message-templates.jsonl')?.records).toBe(3);
    expect(bundle.manifest.parts.map((part) => part.name)).toContain('message-templates.csv');

    const csv = (part: string) => bundle.parts.get(`${part}.csv`) as string[];
    expect(csv('notifications')[0]).toMatch(/,batchId,templateHash,hashFormat,contentHash\r\n$/);
    expect(csv('message-templates')[0]).toBe(
      '\uFEFFid,key,channel,locale,revision,publishedAt,subject,linkTarget,contentHash\r\n',
    );
    // The subject starts with "=": a spreadsheet shows it, it does not evaluate it.
    expect(csv('message-templates').find((row) => row.includes(',PUSH,'))).toContain(
      ",'=Änderung unserer Datenschutzhinweise,",
    );

    // The rewriting helper the tests below rely on is faithful: unchanged, it writes the same bytes.
    const same = rewriteBundle(file, await privateKey(), (_, record) => record);
    expect(readFileSync(same, 'utf8')).toBe(bundle.text);
  });

  it('holds only the templates of the notifications in scope, and discloses their publication', async () => {
    const { file, bundle } = await exportToFile(t.database, directory, controllerId, {
      subjectRefHashes: [hasher.hash(controllerId, 'bob')],
    });
    expect((await verifyBundle(file)).problems).toEqual([]);
    expect(records(bundle, 'message-templates').map((template) => template.id)).toEqual([
      rawId(templates.emailEn2.id),
    ]);
    const published = records<AuditRecord>(bundle, 'audit-entries').flatMap((entry) =>
      !entry.withheld && entry.action === 'messageTemplate:publish' ? [entry.targetId] : [],
    );
    expect(published).toEqual([rawId(templates.emailEn2.id)]);

    const untemplated = await exportToFile(t.database, directory, controllerId, {
      subjectRefHashes: [hasher.hash(controllerId, 'nobody')],
    });
    expect((await verifyBundle(untemplated.file)).problems).toEqual([]);
    expect(untemplated.bundle.parts.get('message-templates.jsonl')).toEqual([]);
    expect(untemplated.bundle.parts.get('message-templates.csv')).toHaveLength(1);
  });

  it('reads the templates in one statement, however many notifications name them', async () => {
    const templateReads = async (scope: Parameters<typeof exportToFile>[3]) => {
      const { statements } = await t.database.counter.measure(() =>
        exportToFile(t.database, directory, controllerId, scope),
      );
      return statements.filter((sql) => sql.includes('FROM "MessageTemplate"')).length;
    };
    expect(await templateReads({})).toBe(1);
    expect(await templateReads({ subjectRefHashes: [hasher.hash(controllerId, 'bob')] })).toBe(1);
    expect(await templateReads({ subjectRefHashes: [hasher.hash(controllerId, 'nobody')] })).toBe(0);
  });

  it.each([
    {
      place: "a template's body",
      locate: (text: string) => text.indexOf('"body":"Second wording') + 8,
      expected: [
        /^message-templates\.jsonl record \d+ \(line \d+, id [0-9a-f-]+\): content-hash \(fields\): the key, channel, locale, revision, subject, body and linkTarget hash to sha256:[0-9a-f]{64}, but contentHash is sha256:/,
        /^message-templates\.jsonl record \d+ .*: canonical-form: canonicalForm is not the canonical form of the key, channel, locale, revision, subject, body and linkTarget beside it$/,
        /^message-templates\.jsonl: sha256: /,
      ],
    },
    {
      place: "a notification's templateHash",
      locate: (text: string) => {
        // A digit of the hash: it stays lowercase hex when changed, so the record keeps its shape.
        const hash = text.indexOf('"templateHash":"sha256:', text.indexOf('"idempotencyKey":"b-1"')) + 23;
        return hash + text.slice(hash).search(/[0-9]/);
      },
      expected: [
        /^notifications\.jsonl record \d+ \(line \d+, id [0-9a-f-]+\): record-hash: the record's content \(with template sha256:[0-9a-f]{64}\) hashes to /,
        /^message-templates\.jsonl: template sha256:[0-9a-f]{64}, named by notifications\.jsonl record \d+ \(line \d+, id [0-9a-f-]+\), is not in the bundle$/,
        /^message-templates\.jsonl record \d+ .*: reference: no notification in the bundle names this template$/,
        /^notifications\.csv row \d+ .*csv-rendition: .*column templateHash/,
        /^notifications\.jsonl: sha256: /,
      ],
    },
  ])('reports one changed byte in $place', async ({ locate, expected }) => {
    const { file } = await fullBundle();
    const result = await verifyBundle(tamper(file, locate));
    expect(result.valid).toBe(false);
    for (const pattern of expected)
      expect(result.problems, pattern.source).toContainEqual(expect.stringMatching(pattern));
  });

  // Re-signed after the change: the signature and every part hash hold, so only the checks of the
  // records themselves can find it.
  it.each([
    {
      change: "a template's body, with its hash and canonical form made to agree",
      edit: () =>
        editWhere('message-templates', 'contentHash', templates.pushDe1.contentHash, (record) =>
          rewordedTemplate(record, 'Wir haben nichts geändert.'),
        ),
      expected: [
        /^message-templates\.jsonl: template sha256:[0-9a-f]{64}, named by notifications\.jsonl record \d+ \(line \d+, id [0-9a-f-]+\), is not in the bundle$/,
        /^message-templates\.jsonl record \d+ \(line \d+, id [0-9a-f-]+\): reference: no notification in the bundle names this template$/,
      ],
    },
    {
      change: "a template's body alone",
      edit: () =>
        editWhere('message-templates', 'contentHash', templates.pushDe1.contentHash, () => ({
          body: 'Wir haben nichts geändert.',
        })),
      expected: [
        /^message-templates\.jsonl record \d+ .*: content-hash \(fields\): /,
        /^message-templates\.jsonl record \d+ .*: canonical-form: /,
      ],
    },
    {
      change: "a notification's templateHash swapped for another template's",
      edit: () =>
        editWhere('notifications', 'idempotencyKey', 'b-1', () => ({
          templateHash: templates.pushDe1.contentHash,
        })),
      expected: [
        /^notifications\.jsonl record \d+ .*: record-hash: the record's content \(with template sha256:[0-9a-f]{64}\) hashes to [0-9a-f]{64}, but its contentHash is /,
        /^notifications\.jsonl record \d+ .*: template: sha256:[0-9a-f]{64} is the template for PUSH\/de \(message-templates\.jsonl record \d+ .*\), not for the notification's EMAIL\/en$/,
        /^message-templates\.jsonl record \d+ .*: reference: no notification in the bundle names this template$/,
      ],
    },
    {
      change: "a notification's template left out",
      edit: () => editWhere('notifications', 'idempotencyKey', 'a-1', () => ({ templateHash: null })),
      expected: [
        /^notifications\.jsonl record \d+ .*: record-hash: the record's content \(sent without a template\) hashes to /,
      ],
    },
    {
      change: "an erased subject's templateHash swapped (its format-2 record hash is recomputed too)",
      edit: () =>
        editWhere('notifications', 'subjectErased', true, () => ({
          templateHash: templates.pushDe1.contentHash,
        })),
      expected: [
        /^notifications\.jsonl record \d+ .*: record-hash: the record's content \(with template sha256:[0-9a-f]{64}\) hashes to /,
        /^notifications\.jsonl record \d+ .*: template: .* is the template for PUSH\/de .*EMAIL\/en$/,
      ],
    },
    {
      change: "a notification's templateHash member removed",
      edit: (): Edit => (part, record) => {
        if (part !== 'notifications' || record.idempotencyKey !== 'a-2') return record;
        const { templateHash: _, ...rest } = record;
        return rest;
      },
      expected: [/^notifications\.jsonl record \d+ .*: unexpected shape: templateHash: /],
    },
  ])('reports $change in a bundle signed again', async ({ edit, expected }) => {
    const { file } = await fullBundle();
    const result = await verifyBundle(rewriteBundle(file, await privateKey(), edit()));
    expect(result.signatureValid).toBe(true);
    expect(result.problems).toEqual(expected.map((pattern) => expect.stringMatching(pattern)));
  });

  it('still verifies a v1 bundle, written before templates, and holds v1 to its own layout', async () => {
    const v1 = await verifyBundle(fixture);
    expect(v1.problems).toEqual([]);
    expect(v1).toMatchObject({ valid: true, signatureValid: true, manifest: { format: BUNDLE_FORMAT_V1 } });
    expect(v1.manifest?.parts.map((part) => part.name)).not.toContain('message-templates.jsonl');
    expect(v1.notes).toHaveLength(2);
    // The header line is not signed, but it must name the manifest's format.
    const text = readFileSync(fixture, 'utf8');
    const relabelled = join(directory, 'v1-relabelled.ndjson');
    writeFileSync(relabelled, text.replace('evidence-bundle.v1', 'evidence-bundle.v2'));
    expect((await verifyBundle(relabelled)).problems).toEqual([
      `line 1: not the header line of ${BUNDLE_FORMAT_V1}, the format the manifest names: ${bundleLayouts[BUNDLE_FORMAT_V1].headerLine}`,
    ]);

    // Today's records written as v1: every part and record verifies but the templated
    // notifications, whose hashes cover a template a v1 record cannot name.
    const { file } = await fullBundle();
    const key = await privateKey();
    const v1Layout = bundleLayouts[BUNDLE_FORMAT_V1];
    const strip: Edit = (part, record) => {
      if (part !== 'notifications' && part !== 'responses') return record;
      const { templateHash: _t, subjectId: _s, hashFormat: _f, ...rest } = record;
      return rest;
    };
    const stripped = await verifyBundle(rewriteBundle(file, key, strip, v1Layout));
    expect(stripped).toMatchObject({ signatureValid: true, manifest: { format: BUNDLE_FORMAT_V1 } });
    // A v1 record is of record-hash format 1, but today's are of format 2: every notification of a
    // subject not erased fails (a-1, a-2, b-1, c-1); the erased subject's is counted, not checked.
    expect(stripped.problems).toEqual(
      Array(4).fill(
        expect.stringMatching(
          /^notifications\.jsonl record \d+ .*: record-hash: the record's content \(sent without a template\) hashes to /,
        ),
      ),
    );
    expect(stripped.notes).toEqual([
      expect.stringMatching(/^notifications\.jsonl: 1 record of erased subjects in record-hash format 1; /),
    ]);
    const kept = await verifyBundle(rewriteBundle(file, key, (_, record) => record, v1Layout));
    expect(kept.problems).toContainEqual(
      expect.stringMatching(/^notifications\.jsonl record 1 .*: unexpected shape: .*templateHash/),
    );
  });

  it.skipIf(spawnSync('python3', ['--version']).status !== 0)(
    'agrees with the Python scripts and the OpenSSL command in docs/evidence-bundle.md',
    async () => {
      const doc = readFileSync(new URL('../../../docs/evidence-bundle.md', import.meta.url), 'utf8');
      const script = (name: string) => {
        const start = doc.indexOf(`"""${name}`);
        return doc.slice(start, doc.indexOf('\n```', start));
      };
      const work = mkdtempSync(join(directory, 'python-'));
      writeFileSync(join(work, 'notarium_bundle.py'), script('notarium_bundle.py'));
      writeFileSync(join(work, 'notarium_records.py'), script('notarium_records.py'));
      const run = (bundleFile: string) => {
        const out = mkdtempSync(join(work, 'out-'));
        const container = spawnSync('python3', [join(work, 'notarium_bundle.py'), bundleFile, out], {
          encoding: 'utf8',
        });
        const hashes = spawnSync('python3', [join(work, 'notarium_records.py'), out], { encoding: 'utf8' });
        return { out, container, hashes };
      };
      const { file, bundle } = await fullBundle();
      const tampered = rewriteBundle(
        file,
        await privateKey(),
        editWhere('message-templates', 'contentHash', templates.pushDe1.contentHash, (record) =>
          rewordedTemplate(record, 'Wir haben nichts geändert.'),
        ),
      );

      const outputs: string[] = [];
      for (const valid of [file, fixture]) {
        const { out, container, hashes } = run(valid);
        outputs.push(out);
        expect(container.stderr).toBe('');
        expect(container.status, container.stdout).toBe(0);
        expect(hashes.stderr).toBe('');
        expect(hashes.stdout.trim()).toBe('all record, content and audit hashes check out');
        expect(hashes.status).toBe(0);
        if (spawnSync('openssl', ['version']).status === 0) {
          const args = ['pkeyutl', '-verify', '-pubin', '-inkey', join(out, 'public-key.pem'), '-rawin'];
          const openssl = spawnSync(
            'openssl',
            [...args, '-in', join(out, 'manifest.bin'), '-sigfile', join(out, 'signature.bin')],
            { encoding: 'utf8' },
          );
          expect(openssl.stdout).toContain('Signature Verified Successfully');
        }
      }
      const { container, hashes } = run(tampered);
      expect(container.status).toBe(0);
      expect(hashes.status).toBe(1);
      expect(hashes.stdout.trim().split('\n')).toEqual([
        expect.stringMatching(
          /^notifications\.jsonl record \d+: template sha256:[0-9a-f]{64} is not in the bundle$/,
        ),
        expect.stringMatching(/^message-templates\.jsonl record \d+: no notification names this template$/),
      ]);
      // The extracted templates are the manifest's part, byte for byte.
      const part = bundle.manifest.parts.find((entry) => entry.name === 'message-templates.jsonl')!;
      const extracted = readFileSync(join(outputs[0]!, 'message-templates.jsonl'));
      expect(createHash('sha256').update(extracted).digest('hex')).toBe(part.sha256);
    },
    heavyTestTimeout,
  );
});
