import { createHash, createPublicKey, type Hash, verify } from 'node:crypto';
import { once } from 'node:events';
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, open, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import { auditHash, genesisHash } from '../audit/audit-hash.js';
import { consentHashMembers } from '../consent-record/consent-record.validation.js';
import { templateCanonicalForm } from '../message-template/template-hash.js';
import { canonicalForm } from '../notice/content-hash.js';
import { notificationHash, responseHash } from '../notification/record-hash.js';
import type { VersionSnapshot } from '../purpose/purpose.snapshot.js';
import {
  type AuditRecord,
  type BundleLayout,
  bundleLayouts,
  csvHeader,
  csvRow,
  currentLayout,
  type EventRecord,
  keyIdOf,
  type Manifest,
  type MessageTemplateRecord,
  manifestSchema,
  type NoticeVersionRecord,
  type NotificationRecord,
  parseCsvRow,
  type RecordPart,
  type RecordTypes,
  type ResponseRecord,
  recordParts,
  signatureSchema,
} from './bundle-format.js';

export interface VerifyBundleOptions {
  /**
   * The key the controller publishes (a `sha256:` key ID or a PEM public key). Without it the
   * signature only shows that the bundle is intact as signed by the key inside it.
   */
  readonly expectedKey?: string;
  /** Problems reported per part and check before the rest are only counted (default 20). */
  readonly maxProblemsPerCheck?: number;
}

export interface BundleVerification {
  readonly valid: boolean;
  /** Each names the part, the record (with its line in the file) and the check that failed. */
  readonly problems: string[];
  /** What could not be checked and why (not failures), e.g. record hashes of erased subjects. */
  readonly notes: string[];
  readonly manifest: Manifest | null;
  readonly signatureValid: boolean;
  /** Whether the signing key was compared with an expected key, and matched. */
  readonly keyMatchesExpected: boolean | null;
  readonly lines: number;
}

const LF = 0x0a;
const controlPrefix = Buffer.from('{"$":');
const maxCsvLag = 50_000;

/**
 * Checks a bundle offline, in one streaming pass after reading the manifest from its end: the
 * signature over the manifest, every part's SHA-256, size and record count, every record's shape,
 * order and scope, the stored record hashes, every notice version's and message template's content
 * hash (from its canonical form and from its structured content), that every template a
 * notification names is in the bundle, the audit chain (links and hashes, up to the head the
 * manifest names) and that each CSV row is the rendition of its JSON record. Reads bundles of
 * every format in `bundleLayouts` (v1 has no templates).
 */
export async function verifyBundle(
  filePath: string,
  options: VerifyBundleOptions = {},
): Promise<BundleVerification> {
  const problems = new Problems(options.maxProblemsPerCheck ?? 20);
  const tail = await readTail(filePath);
  const { manifest, signatureValid, keyMatchesExpected } = checkManifestAndSignature(tail, options, problems);
  const checker = new BundleChecker(manifest, tail, problems);
  await forEachLine(filePath, (line, terminated) => checker.line(line, terminated));
  checker.finish();
  const list = problems.list();
  return {
    valid: list.length === 0,
    problems: list,
    notes: checker.notes(),
    manifest,
    signatureValid,
    keyMatchesExpected,
    lines: checker.lineNumber,
  };
}

class Problems {
  readonly #messages: string[] = [];
  readonly #overflow = new Map<string, number>();
  readonly #counts = new Map<string, number>();

  constructor(private readonly max: number) {}

  add(group: string, check: string, message: string): void {
    const key = `${group}\u0000${check}`;
    const count = (this.#counts.get(key) ?? 0) + 1;
    this.#counts.set(key, count);
    if (count <= this.max) this.#messages.push(message);
    else this.#overflow.set(key, count - this.max);
  }

  list(): string[] {
    const more = [...this.#overflow].map(([key, count]) => {
      const [group, check] = key.split('\u0000');
      return `${group}: ${count} more "${check}" problem${count === 1 ? '' : 's'} not listed`;
    });
    return [...this.#messages, ...more];
  }
}

interface Tail {
  readonly manifestBytes: Buffer | null;
  readonly signatureBytes: Buffer | null;
  readonly endsWithLineFeed: boolean;
  readonly size: number;
}

/** The last two lines (manifest, signature), read from the end so that the pass can use the scope. */
async function readTail(filePath: string): Promise<Tail> {
  const { size } = await stat(filePath);
  const handle = await open(filePath, 'r');
  try {
    let window = 1 << 16;
    for (;;) {
      const start = Math.max(0, size - window);
      const buffer = Buffer.alloc(size - start);
      await handle.read(buffer, 0, buffer.length, start);
      const endsWithLineFeed = buffer.length > 0 && buffer[buffer.length - 1] === LF;
      const body = endsWithLineFeed ? buffer.subarray(0, -1) : buffer;
      const last = body.lastIndexOf(LF);
      const previous = last > 0 ? body.lastIndexOf(LF, last - 1) : -1;
      if (previous >= 0 || start === 0) {
        return {
          manifestBytes: last >= 0 ? Buffer.from(body.subarray(previous + 1, last)) : null,
          signatureBytes: Buffer.from(body.subarray(last + 1)),
          endsWithLineFeed,
          size,
        };
      }
      window *= 4;
    }
  } finally {
    await handle.close();
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function decode(bytes: Buffer): string | null {
  try {
    return utf8.decode(bytes);
  } catch {
    return null;
  }
}

function parseJson(bytes: Buffer): { value: unknown } | { error: string } {
  const text = decode(bytes);
  if (text === null) return { error: 'not valid UTF-8' };
  try {
    return { value: JSON.parse(text) };
  } catch (error) {
    return { error: `not valid JSON (${(error as Error).message})` };
  }
}

function describeIssues(issues: readonly { path: PropertyKey[]; message: string }[]): string {
  return issues
    .slice(0, 3)
    .map(
      (issue) => `${issue.path.length > 0 ? issue.path.map(String).join('.') : '(record)'}: ${issue.message}`,
    )
    .join('; ');
}

function checkManifestAndSignature(
  tail: Tail,
  options: VerifyBundleOptions,
  problems: Problems,
): { manifest: Manifest | null; signatureValid: boolean; keyMatchesExpected: boolean | null } {
  let manifest: Manifest | null = null;
  if (tail.manifestBytes === null) {
    problems.add('manifest', 'present', 'manifest: missing (the file has fewer than two lines)');
  } else {
    const parsed = parseJson(tail.manifestBytes);
    if ('error' in parsed)
      problems.add('manifest', 'json', `manifest (second-to-last line): ${parsed.error}`);
    else {
      const result = manifestSchema.safeParse(parsed.value);
      if (result.success) manifest = result.data;
      else
        problems.add(
          'manifest',
          'shape',
          `manifest (second-to-last line): not a ${currentLayout.format} or earlier manifest: ${describeIssues(result.error.issues)}`,
        );
    }
  }
  let signatureValid = false;
  let keyMatchesExpected: boolean | null = null;
  const signatureParsed = tail.signatureBytes ? parseJson(tail.signatureBytes) : { error: 'missing' };
  const signature =
    'error' in signatureParsed ? null : (signatureSchema.safeParse(signatureParsed.value).data ?? null);
  if (signature === null) {
    problems.add(
      'signature',
      'shape',
      `signature (last line): not a signature line${'error' in signatureParsed ? ` (${signatureParsed.error})` : ''}`,
    );
  } else if (manifest !== null && tail.manifestBytes !== null) {
    try {
      const publicKey = createPublicKey(manifest.signingKey.publicKey);
      if (publicKey.asymmetricKeyType !== 'ed25519') throw new Error('not an Ed25519 key');
      const keyId = keyIdOf(publicKey);
      if (keyId !== manifest.signingKey.keyId)
        problems.add(
          'manifest',
          'key-id',
          `manifest: signingKey.keyId ${manifest.signingKey.keyId} is not the ID of the public key beside it (${keyId})`,
        );
      if (signature.keyId !== manifest.signingKey.keyId)
        problems.add(
          'signature',
          'key-id',
          `signature (last line): keyId ${signature.keyId} differs from the manifest's ${manifest.signingKey.keyId}`,
        );
      signatureValid = verify(null, tail.manifestBytes, publicKey, Buffer.from(signature.value, 'base64'));
      if (!signatureValid)
        problems.add(
          'signature',
          'verify',
          'signature (last line): the Ed25519 signature does not verify over the manifest line with the public key in the manifest — the manifest or the signature was altered',
        );
      if (options.expectedKey !== undefined) {
        const expected = options.expectedKey.startsWith('sha256:')
          ? options.expectedKey.trim()
          : keyIdOf(options.expectedKey);
        keyMatchesExpected = expected === keyId;
        if (!keyMatchesExpected)
          problems.add(
            'signature',
            'expected-key',
            `signature: signed with key ${keyId}, not with the expected published key ${expected}`,
          );
      }
    } catch (error) {
      problems.add(
        'manifest',
        'key',
        `manifest: signingKey.publicKey is unusable: ${(error as Error).message}`,
      );
    }
  }
  return { manifest, signatureValid, keyMatchesExpected };
}

interface PartState {
  readonly hash: Hash;
  bytes: number;
  records: number;
  headerSeen: boolean;
}

interface ExpectedRow {
  readonly row: string | null;
  readonly where: string;
}

/** A template revision as the notifications name it (by hash) and as the bundle holds it. */
interface TemplateUse {
  readonly hash: string;
  readonly channel: string;
  readonly locale: string;
  readonly where: string;
}

class BundleChecker {
  lineNumber = 0;
  readonly #manifest: Manifest | null;
  #layout: BundleLayout;
  readonly #tail: Tail;
  readonly #problems: Problems;
  readonly #parts = new Map<string, PartState>();
  #current: { name: string; part: RecordPart; csv: boolean } | null = null;
  #phase: 'start' | 'parts' | 'manifest' | 'signature' = 'start';
  readonly #lastId = new Map<RecordPart, string>();
  readonly #csvQueue = new Map<RecordPart, { rows: ExpectedRow[]; head: number; overflow: boolean }>();
  readonly #subjects: Set<string> | null;
  readonly #notices: Set<string> | null;
  readonly #from: string | null;
  readonly #to: string | null;
  readonly #versionsPresent = new Set<string>();
  readonly #versionsReferenced = new Map<string, string>();
  readonly #templatesPresent = new Map<string, TemplateUse>();
  /** The first notification naming each template hash in each channel and locale. */
  readonly #templatesReferenced = new Map<string, TemplateUse>();
  readonly #erased = new Map<RecordPart, number>();
  #auditFirst: number | null = null;
  #auditLast: { sequence: number; hash: string } | null = null;

  constructor(manifest: Manifest | null, tail: Tail, problems: Problems) {
    this.#manifest = manifest;
    this.#layout = manifest ? bundleLayouts[manifest.format] : currentLayout;
    this.#tail = tail;
    this.#problems = problems;
    this.#subjects = manifest?.scope.subjectRefHashes ? new Set(manifest.scope.subjectRefHashes) : null;
    this.#notices = manifest?.scope.noticeKeys ? new Set(manifest.scope.noticeKeys) : null;
    this.#from = manifest?.scope.from ?? null;
    this.#to = manifest?.scope.to ?? null;
    for (const part of recordParts) this.#csvQueue.set(part, { rows: [], head: 0, overflow: false });
  }

  line(bytes: Buffer, terminated: boolean): void {
    this.lineNumber += 1;
    const n = this.lineNumber;
    if (!terminated && bytes.length === 0) return;
    if (!terminated)
      this.#problems.add(
        'file',
        'truncated',
        `line ${n}: the file does not end with a line feed (truncated?)`,
      );
    if (n === 1) {
      const header = bytes.toString('utf8');
      // Without a manifest, the header line says which layout the rest is checked against.
      const named = Object.values(bundleLayouts).find((layout) => layout.headerLine === header);
      if (this.#manifest === null && named) this.#layout = named;
      if (header !== this.#layout.headerLine)
        this.#problems.add(
          'file',
          'header',
          `line 1: not the header line of ${this.#layout.format}${this.#manifest ? ', the format the manifest names' : ''}: ${this.#layout.headerLine}`,
        );
      this.#phase = 'parts';
      return;
    }
    if (this.#phase === 'signature') {
      this.#problems.add('file', 'trailing', `line ${n}: unexpected line after the signature`);
      return;
    }
    if (bytes.subarray(0, controlPrefix.length).equals(controlPrefix)) {
      this.#control(bytes, n);
      return;
    }
    if (this.#phase !== 'parts' || this.#current === null) {
      this.#problems.add('file', 'structure', `line ${n}: a record outside any part`);
      return;
    }
    const { name, part, csv } = this.#current;
    const state = this.#parts.get(name)!;
    if (csv) this.#csvLine(bytes, n, part, state);
    else this.#jsonLine(bytes, n, part, state);
  }

  #control(bytes: Buffer, n: number): void {
    const parsed = parseJson(bytes);
    const value = 'value' in parsed ? (parsed.value as { $?: unknown; name?: unknown }) : null;
    if (value?.$ === 'part' && typeof value.name === 'string' && this.#phase === 'parts') {
      const name = value.name;
      if (!this.#layout.partNames.includes(name)) {
        this.#problems.add(
          'file',
          'structure',
          `line ${n}: unknown part "${name}" (not a part of ${this.#layout.format})`,
        );
        this.#current = null;
        return;
      }
      const csv = name.endsWith('.csv');
      this.#current = { name, part: name.slice(0, name.lastIndexOf('.')) as RecordPart, csv };
      if (!this.#parts.has(name))
        this.#parts.set(name, { hash: createHash('sha256'), bytes: 0, records: 0, headerSeen: false });
      return;
    }
    if (value?.$ === 'manifest' && this.#phase === 'parts') {
      this.#phase = 'manifest';
      this.#current = null;
      if (this.#tail.manifestBytes === null || !bytes.equals(this.#tail.manifestBytes))
        this.#problems.add(
          'manifest',
          'position',
          `line ${n}: a manifest that is not the second-to-last line`,
        );
      return;
    }
    if (value?.$ === 'signature' && this.#phase === 'manifest') {
      this.#phase = 'signature';
      return;
    }
    this.#problems.add(
      'file',
      'structure',
      `line ${n}: unexpected control line${'error' in parsed ? ` (${parsed.error})` : ` "${String(value?.$)}"`}`,
    );
  }

  #jsonLine(bytes: Buffer, n: number, part: RecordPart, state: PartState): void {
    state.hash.update(bytes);
    state.hash.update('\n');
    state.bytes += bytes.length + 1;
    state.records += 1;
    const where = `${part}.jsonl record ${state.records} (line ${n}`;
    const parsed = parseJson(bytes);
    if ('error' in parsed) {
      this.#problems.add(`${part}.jsonl`, 'json', `${where}): ${parsed.error}`);
      this.#expectRow(part, null, `${where})`);
      return;
    }
    const result = this.#layout.schemas[part].safeParse(parsed.value);
    const id = (parsed.value as { id?: unknown; sequence?: unknown } | null)?.id ?? null;
    const at = `${where}${typeof id === 'string' ? `, id ${id}` : ''})`;
    if (!result.success) {
      this.#problems.add(
        `${part}.jsonl`,
        'shape',
        `${at}: unexpected shape: ${describeIssues(result.error.issues)}`,
      );
      this.#expectRow(part, null, at);
      return;
    }
    const report = (check: string, message: string) =>
      this.#problems.add(`${part}.jsonl`, check, `${at}: ${check}: ${message}`);
    switch (part) {
      case 'notifications':
        this.#notification(result.data as NotificationRecord, report, at);
        break;
      case 'events':
        this.#event(result.data as EventRecord, report, at);
        break;
      case 'responses':
        this.#response(result.data as ResponseRecord, report, at);
        break;
      case 'notice-versions':
        this.#noticeVersion(result.data as NoticeVersionRecord, report);
        break;
      case 'message-templates':
        this.#messageTemplate(result.data as MessageTemplateRecord, report, at);
        break;
      case 'audit-entries':
        this.#auditEntry(result.data as AuditRecord, report);
        break;
    }
    let row: string | null = null;
    try {
      row = csvRow(part, result.data as RecordTypes[typeof part], this.#layout);
    } catch (error) {
      report('csv-rendition', `cannot be rendered as CSV: ${(error as Error).message}`);
    }
    this.#expectRow(part, row, at);
  }

  #ascending(part: RecordPart, id: string, report: Report): void {
    const last = this.#lastId.get(part);
    if (last !== undefined && !(last < id))
      report('order', `id is not greater than the previous record's ${last}`);
    this.#lastId.set(part, id);
  }

  #inScope(
    report: Report,
    subjectRefHash: string | null,
    noticeKey: string | null,
    occurredAt: string,
    noticeCheck = true,
  ): void {
    if (this.#subjects && subjectRefHash !== null && !this.#subjects.has(subjectRefHash))
      report('scope', `subject ${subjectRefHash} is not among the scope's subjects`);
    if (noticeCheck && this.#notices && (noticeKey === null || !this.#notices.has(noticeKey)))
      report('scope', `notice ${noticeKey} is not among the scope's notices`);
    if (this.#from && occurredAt < this.#from)
      report('scope', `occurredAt ${occurredAt} is before the period`);
    if (this.#to && occurredAt >= this.#to)
      report('scope', `occurredAt ${occurredAt} is not before the period's end`);
  }

  #reference(versionId: string, at: string): void {
    if (!this.#versionsReferenced.has(versionId)) this.#versionsReferenced.set(versionId, at);
  }

  /**
   * A record of record-hash format 1 (every record of a v1 or v2 bundle) commits to the subject's
   * reference hash and sender message ID, which an erasure (GDPR Art. 17) replaced before it
   * re-hashed the record, so for an erased subject's format-1 records the hash cannot be
   * recomputed; they are counted, not failed. Format 2 commits to the subject's ID, which stays:
   * those are always recomputed.
   */
  #unverifiable(part: RecordPart, record: { subjectErased: boolean; hashFormat?: 1 | 2 }): boolean {
    const unverifiable = record.subjectErased && (record.hashFormat ?? 1) === 1;
    if (unverifiable) this.#erased.set(part, (this.#erased.get(part) ?? 0) + 1);
    return unverifiable;
  }

  notes(): string[] {
    return [...this.#erased].map(
      ([part, count]) =>
        `${part}.jsonl: ${count} record${count === 1 ? '' : 's'} of erased subjects in record-hash format 1; their record hashes cover data the erasure replaced and were not recomputed`,
    );
  }

  #notification(record: NotificationRecord, report: Report, at: string): void {
    this.#ascending('notifications', record.id, report);
    // A v1 bundle has no templateHash: its notifications were recorded without a template.
    const template = record.templateHash ?? null;
    if (!this.#unverifiable('notifications', record)) {
      const format = record.hashFormat ?? 1;
      const recomputed = notificationHash(
        {
          subject: format === 2 ? (record.subjectId ?? '') : record.subjectRefHash,
          version: record.versionId,
          channel: record.channel,
          locale: record.locale,
          occurredAt: record.occurredAt,
          campaign: record.campaignId,
          senderMessageId: record.senderMessageId,
          template,
        },
        format,
      );
      if (recomputed !== record.contentHash)
        report(
          'record-hash',
          `the record's content${template === null ? ' (sent without a template)' : ` (with template ${template})`} hashes to ${recomputed}, but its contentHash is ${record.contentHash}`,
        );
    }
    this.#inScope(report, record.subjectRefHash, record.noticeKey, record.occurredAt);
    this.#reference(record.versionId, at);
    if (template !== null) {
      const key = `${template} ${record.channel} ${record.locale}`;
      if (!this.#templatesReferenced.has(key))
        this.#templatesReferenced.set(key, {
          hash: template,
          channel: record.channel,
          locale: record.locale,
          where: at,
        });
    }
  }

  #event(record: EventRecord, report: Report, at: string): void {
    this.#ascending('events', record.id, report);
    this.#inScope(report, record.subjectRefHash, record.noticeKey, record.occurredAt);
    this.#reference(record.versionId, at);
  }

  #response(record: ResponseRecord, report: Report, at: string): void {
    this.#ascending('responses', record.id, report);
    const format = record.hashFormat ?? 1;
    const recomputed = this.#unverifiable('responses', record)
      ? record.contentHash
      : responseHash(
          {
            subject: format === 2 ? (record.subjectId ?? '') : record.subjectRefHash,
            purpose: record.purposeId,
            kind: record.kind,
            occurredAt: record.occurredAt,
            channel: record.channel,
            version: record.versionId,
            members: consentHashMembers(record),
          },
          format,
        );
    if (recomputed !== record.contentHash)
      report(
        'record-hash',
        `the record's content hashes to ${recomputed}, but its contentHash is ${record.contentHash}`,
      );
    this.#inScope(report, record.subjectRefHash, record.noticeKey, record.occurredAt);
    if (record.versionId !== null) this.#reference(record.versionId, at);
  }

  #noticeVersion(record: NoticeVersionRecord, report: Report): void {
    this.#ascending('notice-versions', record.id, report);
    this.#versionsPresent.add(record.id);
    if (this.#notices && !this.#notices.has(record.noticeKey))
      report('scope', `notice ${record.noticeKey} is not among the scope's notices`);
    const snapshot: VersionSnapshot = {
      controller: record.controller ?? null,
      noticeKey: record.noticeKey,
      number: record.number,
      effectiveFrom: new Date(record.effectiveFrom),
      translations: record.translations,
      purposes: record.purposes,
    };
    checkHashedText(record, report, 'content-hash (structured content)', 'the texts and purposes', () =>
      canonicalForm(snapshot),
    );
  }

  /** A template's hash is recomputed from its canonical form and from its fields (picked one by one). */
  #messageTemplate(record: MessageTemplateRecord, report: Report, at: string): void {
    this.#ascending('message-templates', record.id, report);
    if (!this.#templatesPresent.has(record.contentHash))
      this.#templatesPresent.set(record.contentHash, {
        hash: record.contentHash,
        channel: record.channel,
        locale: record.locale,
        where: at,
      });
    const fields = 'the key, channel, locale, revision, subject, body and linkTarget';
    checkHashedText(record, report, 'content-hash (fields)', fields, () => templateCanonicalForm(record));
  }

  /**
   * Every template a notification names is in the bundle, for the notification's channel and
   * locale (a template's hash covers both), and every template in the bundle is named by one.
   */
  #checkTemplateReferences(): void {
    const used = new Set<string>();
    for (const reference of this.#templatesReferenced.values()) {
      const template = this.#templatesPresent.get(reference.hash);
      used.add(reference.hash);
      if (template === undefined)
        this.#problems.add(
          'message-templates.jsonl',
          'reference',
          `message-templates.jsonl: template ${reference.hash}, named by ${reference.where}, is not in the bundle`,
        );
      else if (template.channel !== reference.channel || template.locale !== reference.locale)
        this.#problems.add(
          'notifications.jsonl',
          'template',
          `${reference.where}: template: ${reference.hash} is the template for ${template.channel}/${template.locale} (${template.where}), not for the notification's ${reference.channel}/${reference.locale}`,
        );
    }
    for (const template of this.#templatesPresent.values()) {
      if (!used.has(template.hash))
        this.#problems.add(
          'message-templates.jsonl',
          'reference',
          `${template.where}: reference: no notification in the bundle names this template`,
        );
    }
  }

  #auditEntry(record: AuditRecord, report: Report): void {
    const last = this.#auditLast;
    if (last === null) {
      this.#auditFirst = record.sequence;
      if (record.sequence === 1 && record.previousHash !== genesisHash)
        report('chain-link', `the first entry's previousHash is not the genesis hash ${genesisHash}`);
    } else {
      if (record.sequence !== last.sequence + 1)
        report('chain-sequence', `sequence ${record.sequence} does not follow ${last.sequence}`);
      if (record.previousHash !== last.hash)
        report(
          'chain-link',
          `previousHash ${record.previousHash} is not the hash of entry ${last.sequence} (${last.hash})`,
        );
    }
    if (!record.withheld) {
      if (this.#manifest) {
        try {
          const recomputed = auditHash({
            controllerId: this.#manifest.controller.id,
            sequence: record.sequence,
            occurredAt: new Date(record.occurredAt),
            actorKeyId: record.actorKeyId,
            actorRole: record.actorRole,
            action: record.action,
            targetType: record.targetType,
            targetId: record.targetId,
            details: record.details,
            previousHash: record.previousHash,
          });
          if (recomputed !== record.hash)
            report(
              'chain-hash',
              `entry ${record.sequence}'s content hashes to ${recomputed}, but its hash is ${record.hash}`,
            );
        } catch (error) {
          report('chain-hash', `entry ${record.sequence} cannot be hashed: ${(error as Error).message}`);
        }
      }
      this.#inScope(report, null, null, record.occurredAt, false);
    }
    this.#auditLast = { sequence: record.sequence, hash: record.hash };
  }

  #expectRow(part: RecordPart, row: string | null, where: string): void {
    const queue = this.#csvQueue.get(part)!;
    if (queue.overflow) return;
    if (queue.rows.length - queue.head >= maxCsvLag) {
      queue.overflow = true;
      this.#problems.add(
        `${part}.csv`,
        'csv-rendition',
        `${part}.csv: not compared with ${part}.jsonl: more than ${maxCsvLag} records without their CSV rows (the format interleaves them)`,
      );
      return;
    }
    queue.rows.push({ row, where });
  }

  #csvLine(bytes: Buffer, n: number, part: RecordPart, state: PartState): void {
    const parsed = parseJson(bytes);
    const name = `${part}.csv`;
    if ('error' in parsed || typeof parsed.value !== 'string') {
      this.#problems.add(
        name,
        'json',
        `${name} line ${n}: not a JSON string${'error' in parsed ? ` (${parsed.error})` : ''}`,
      );
      state.records += 1;
      return;
    }
    const row = parsed.value;
    state.hash.update(row, 'utf8');
    state.bytes += Buffer.byteLength(row, 'utf8');
    if (!state.headerSeen) {
      state.headerSeen = true;
      const header = csvHeader(part, this.#layout);
      if (row !== header)
        this.#problems.add(
          name,
          'csv-header',
          `${name} header row (line ${n}): not the ${this.#layout.format} header ${JSON.stringify(header)}`,
        );
      return;
    }
    state.records += 1;
    const queue = this.#csvQueue.get(part)!;
    if (queue.overflow) return;
    const expected = queue.rows[queue.head];
    if (expected === undefined) {
      this.#problems.add(
        name,
        'csv-rendition',
        `${name} row ${state.records} (line ${n}): no JSON record for this row`,
      );
      return;
    }
    queue.head += 1;
    if (queue.head > 4096 && queue.head * 2 > queue.rows.length) {
      queue.rows.splice(0, queue.head);
      queue.head = 0;
    }
    if (expected.row === null || expected.row === row) return;
    const actualCells = parseCsvRow(row);
    const expectedCells = parseCsvRow(expected.row);
    const columns = this.#layout.csvColumns[part];
    const column = columns.findIndex((_, i) => actualCells[i] !== expectedCells[i]);
    const detail =
      column >= 0
        ? `column ${columns[column]![0]} is ${JSON.stringify(actualCells[column] ?? null)}, the JSON record says ${JSON.stringify(expectedCells[column])}`
        : `it has ${actualCells.length} columns`;
    this.#problems.add(
      name,
      'csv-rendition',
      `${name} row ${state.records} (line ${n}): csv-rendition: differs from ${expected.where}: ${detail}`,
    );
  }

  finish(): void {
    const problems = this.#problems;
    if (this.lineNumber === 0) problems.add('file', 'header', 'the file is empty');
    if (this.#phase === 'parts' || this.#phase === 'start')
      problems.add('manifest', 'present', 'manifest: no manifest line after the parts (truncated?)');
    if (this.#phase === 'manifest')
      problems.add('signature', 'present', 'signature: missing after the manifest');
    for (const part of this.#layout.recordParts) {
      const queue = this.#csvQueue.get(part)!;
      const missing = queue.rows.length - queue.head;
      if (!queue.overflow && missing > 0)
        problems.add(
          `${part}.csv`,
          'csv-rendition',
          `${part}.csv: no CSV row for ${missing} JSON record${missing === 1 ? '' : 's'}, the first being ${queue.rows[queue.head]!.where}`,
        );
    }
    for (const [versionId, where] of this.#versionsReferenced) {
      if (!this.#versionsPresent.has(versionId))
        problems.add(
          'notice-versions.jsonl',
          'reference',
          `notice-versions.jsonl: version ${versionId}, referred to by ${where}, is not in the bundle`,
        );
    }
    this.#checkTemplateReferences();
    this.#checkAuditEnds();
    this.#checkParts();
  }

  #checkAuditEnds(): void {
    const manifest = this.#manifest;
    if (!manifest) return;
    const head = manifest.auditHead;
    const last = this.#auditLast;
    const where = 'audit-entries.jsonl';
    if (head === null) {
      if (last !== null)
        this.#problems.add(
          where,
          'chain-head',
          `${where}: has entries, but the manifest names no audit head`,
        );
      return;
    }
    if (last === null) {
      if (manifest.scope.from === null)
        this.#problems.add(
          where,
          'chain-head',
          `${where}: empty, but the manifest names audit head #${head.sequence}`,
        );
      return;
    }
    if (last.sequence !== head.sequence || last.hash !== head.hash)
      this.#problems.add(
        where,
        'chain-head',
        `${where}: the chain ends at #${last.sequence} ${last.hash}, not at the manifest's head #${head.sequence} ${head.hash}`,
      );
    if (manifest.scope.from === null && this.#auditFirst !== 1)
      this.#problems.add(where, 'chain-sequence', `${where}: starts at #${this.#auditFirst}, not at #1`);
  }

  #checkParts(): void {
    const manifest = this.#manifest;
    const partNames = this.#layout.partNames;
    for (const name of partNames) {
      if (!this.#parts.has(name)) this.#problems.add(name, 'present', `${name}: missing from the file`);
    }
    if (!manifest) return;
    const listed = new Set<string>();
    for (const entry of manifest.parts) {
      if (listed.has(entry.name) || !partNames.includes(entry.name)) {
        this.#problems.add('manifest', 'parts', `manifest: lists part "${entry.name}" twice or unknown`);
        continue;
      }
      listed.add(entry.name);
      const state = this.#parts.get(entry.name);
      if (!state) continue;
      const sha256 = state.hash.digest('hex');
      if (sha256 !== entry.sha256)
        this.#problems.add(
          entry.name,
          'sha256',
          `${entry.name}: sha256: the content hashes to ${sha256}, the manifest says ${entry.sha256}`,
        );
      if (state.records !== entry.records)
        this.#problems.add(
          entry.name,
          'count',
          `${entry.name}: count: ${state.records} records, the manifest says ${entry.records}`,
        );
      if (state.bytes !== entry.bytes)
        this.#problems.add(
          entry.name,
          'bytes',
          `${entry.name}: size: ${state.bytes} bytes, the manifest says ${entry.bytes}`,
        );
    }
    for (const name of partNames) {
      if (!listed.has(name)) this.#problems.add('manifest', 'parts', `manifest: does not list part ${name}`);
    }
  }
}

type Report = (check: string, message: string) => void;

const prefixedSha256 = (text: string) => `sha256:${createHash('sha256').update(text, 'utf8').digest('hex')}`;

/**
 * A hashed text (notice version, message template): its `contentHash` is the hash of its
 * `canonicalForm`, and that is the canonical form of the structured content beside it (`what`,
 * rebuilt by `form`), so both are recomputed.
 */
function checkHashedText(
  record: { readonly canonicalForm: string; readonly contentHash: string },
  report: Report,
  check: string,
  what: string,
  form: () => string,
): void {
  const formHash = prefixedSha256(record.canonicalForm);
  if (formHash !== record.contentHash)
    report(
      'content-hash (canonical form)',
      `canonicalForm hashes to ${formHash}, but contentHash is ${record.contentHash}`,
    );
  let rebuilt: string;
  try {
    rebuilt = form();
  } catch (error) {
    report(check, `cannot be canonicalised: ${(error as Error).message}`);
    return;
  }
  const recomputed = prefixedSha256(rebuilt);
  if (recomputed !== record.contentHash)
    report(check, `${what} hash to ${recomputed}, but contentHash is ${record.contentHash}`);
  if (rebuilt !== record.canonicalForm)
    report('canonical-form', `canonicalForm is not the canonical form of ${what} beside it`);
}

/** Calls `onLine` for every line (without its LF), streaming; `terminated` is false for a last line without LF. */
async function forEachLine(
  filePath: string,
  onLine: (line: Buffer, terminated: boolean) => void,
  afterChunk?: () => Promise<void>,
): Promise<void> {
  let pending: Buffer[] = [];
  for await (const chunk of createReadStream(filePath, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    let start = 0;
    for (;;) {
      const end = chunk.indexOf(LF, start);
      if (end === -1) break;
      const piece = chunk.subarray(start, end);
      if (pending.length > 0) {
        pending.push(piece);
        onLine(Buffer.concat(pending), true);
        pending = [];
      } else onLine(piece, true);
      start = end + 1;
    }
    if (start < chunk.length) pending.push(chunk.subarray(start));
    if (afterChunk) await afterChunk();
  }
  if (pending.length > 0) onLine(Buffer.concat(pending), false);
}

/**
 * Writes each part as its own file (notifications.csv, …) plus manifest.json and signature.json
 * into `directory`: what a regulator opens in a spreadsheet. Does not verify; run verifyBundle too.
 */
export async function extractBundle(filePath: string, directory: string): Promise<string[]> {
  await mkdir(directory, { recursive: true });
  const outputs = new Map<string, WriteStream>();
  const written: string[] = [];
  const openPart = (name: string) => {
    let stream = outputs.get(name);
    if (!stream) {
      stream = createWriteStream(join(directory, name));
      outputs.set(name, stream);
      written.push(name);
    }
    return stream;
  };
  let current: WriteStream | null = null;
  let csv = false;
  let failure: Error | null = null;
  await forEachLine(
    filePath,
    (bytes) => {
      if (failure) return;
      if (bytes.subarray(0, controlPrefix.length).equals(controlPrefix)) {
        const control = JSON.parse(bytes.toString('utf8')) as { $: string; name?: string };
        current = null;
        if (control.$ === 'part' && control.name && currentLayout.partNames.includes(control.name)) {
          current = openPart(control.name);
          csv = control.name.endsWith('.csv');
        } else if (control.$ === 'manifest' || control.$ === 'signature') {
          openPart(`${control.$}.json`).write(Buffer.concat([bytes, Buffer.from('\n')]));
        } else if (control.$ !== 'bundle') failure = new Error(`Unexpected control line ${control.$}`);
        return;
      }
      if (current === null) return;
      if (csv) (current as WriteStream).write(JSON.parse(bytes.toString('utf8')) as string);
      else (current as WriteStream).write(Buffer.concat([bytes, Buffer.from('\n')]));
    },
    async () => {
      for (const stream of outputs.values()) if (stream.writableNeedDrain) await once(stream, 'drain');
    },
  );
  for (const stream of outputs.values()) {
    stream.end();
    await finished(stream);
  }
  if (failure) throw failure;
  return written;
}
