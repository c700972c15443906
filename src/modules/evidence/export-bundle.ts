import { createHash, type Hash, randomUUID, sign } from 'node:crypto';
import { once } from 'node:events';
import type { Database } from '../../db/database.js';
import { allOf, isoUtc } from '../../db/raw-sql.js';
import { NotFoundError } from '../../domain/errors.js';
import { Prisma } from '../../generated/prisma/client.js';
import { templateCanonicalForm } from '../message-template/template-hash.js';
import { canonicalPurpose } from '../notice/content-hash.js';
import { loadVersionSnapshot } from '../notice/version-snapshot.js';
import {
  type AuditRecord,
  BUNDLE_FORMAT,
  csvHeader,
  csvRow,
  currentLayout,
  keyIdOf,
  type Manifest,
  type ManifestPart,
  type MessageTemplateRecord,
  manifestLine,
  mediaTypeOf,
  type NoticeVersionRecord,
  partLine,
  type RecordPart,
  type RecordTypes,
  SEGMENT_SIZE,
} from './bundle-format.js';
import { type ResolvedScope, resolveScope, ScopeSql } from './bundle-scope.js';
import { type BundleScope, normalizeScope } from './evidence.validation.js';
import type { SigningKey } from './signing-key.js';

type Tx = Prisma.TransactionClient;

export interface ExportBundleRequest {
  readonly controllerId: string;
  readonly scope: BundleScope;
  readonly signingKey: SigningKey;
}

export interface BundleSummary {
  readonly bundleId: string;
  readonly createdAt: Date;
  readonly keyId: string;
  /** SHA-256 (hex) of the signed manifest line: a short reference to the whole bundle. */
  readonly manifestSha256: string;
  readonly parts: readonly ManifestPart[];
  readonly auditHead: { sequence: number; hash: string } | null;
  readonly unmatched: Manifest['unmatched'];
  readonly bytes: number;
}

/**
 * Streams one evidence bundle (docs/evidence-bundle.md) to `output`: the records in scope as
 * JSON Lines with CSV renditions, the notice versions they refer to, the audit trail segment, a
 * manifest with every part's SHA-256, and an Ed25519 signature over the manifest. Reads run in one
 * read-only snapshot, in pages of SEGMENT_SIZE, and part hashes are computed while writing, so
 * memory does not grow with the number of records. Does not end `output`.
 */
export async function exportBundle(
  database: Database,
  request: ExportBundleRequest,
  output: NodeJS.WritableStream,
): Promise<BundleSummary> {
  const scope = normalizeScope(request.scope);
  const { signingKey, controllerId } = request;
  if (keyIdOf(signingKey.publicKey) !== signingKey.keyId)
    throw new Error('The signing key ID does not match its key');
  const postgres = database.kind === 'postgres';
  return database.prisma.$transaction(
    async (tx) => {
      await tx.$executeRaw`SET TRANSACTION READ ONLY`;
      const createdAt = new Date();
      const controller = await tx.controller.findUnique({ where: { id: controllerId } });
      if (controller === null) throw new NotFoundError('Controller', controllerId);
      const resolved = await resolveScope(tx, controllerId, scope);
      const [head] = await tx.$queryRaw<{ sequence: number; hash: string }[]>`
        SELECT "sequence", "hash" FROM "AuditEntry" WHERE "controllerId" = ${controllerId}::uuid
        ORDER BY "sequence" DESC LIMIT 1`;
      const auditHead = head ? { sequence: Number(head.sequence), hash: head.hash } : null;

      const writer = new BundleWriter(output);
      await writer.line(currentLayout.headerLine);
      const versionIds = new Set<string>();
      const batchIds = new Set<string>();
      const templateHashes = new Set<string>();
      for await (const page of notificationPages(tx, controllerId, resolved)) {
        for (const record of page) {
          versionIds.add(record.versionId);
          batchIds.add(record.batchId);
          if (record.templateHash) templateHashes.add(record.templateHash);
        }
        await writer.segment('notifications', page);
      }
      await writer.emptySegment('notifications');
      for await (const page of eventPages(tx, controllerId, resolved)) {
        for (const record of page) versionIds.add(record.versionId);
        await writer.segment('events', page);
      }
      await writer.emptySegment('events');
      for await (const page of responsePages(tx, controllerId, resolved)) {
        for (const record of page) if (record.versionId) versionIds.add(record.versionId);
        await writer.segment('responses', page);
      }
      await writer.emptySegment('responses');
      const versions = await noticeVersionRecords(tx, controllerId, resolved, versionIds);
      for (let i = 0; i < versions.length; i += SEGMENT_SIZE) {
        await writer.segment('notice-versions', versions.slice(i, i + SEGMENT_SIZE));
      }
      await writer.emptySegment('notice-versions');
      const templateIds: string[] = [];
      for await (const page of templatePages(tx, controllerId, templateHashes)) {
        for (const record of page) templateIds.push(record.id);
        await writer.segment('message-templates', page);
      }
      await writer.emptySegment('message-templates');
      const relatedIds = [
        ...(resolved.subjectIds ?? []),
        ...(resolved.noticeIds ?? []),
        ...versions.flatMap((version) => [version.id, version.noticeId]),
        ...batchIds,
        ...templateIds,
      ];
      for await (const page of auditPages(tx, controllerId, resolved, auditHead, relatedIds)) {
        await writer.segment('audit-entries', page);
      }
      await writer.emptySegment('audit-entries');

      const manifest: Manifest = {
        format: BUNDLE_FORMAT,
        bundleId: randomUUID(),
        createdAt: createdAt.toISOString(),
        controller: {
          id: controller.id,
          slug: controller.slug,
          name: controller.name,
          legalName: controller.legalName,
        },
        scope: {
          subjectRefHashes: scope.subjectRefHashes,
          noticeKeys: scope.noticeKeys,
          from: scope.from?.toISOString() ?? null,
          to: scope.to?.toISOString() ?? null,
        },
        unmatched: resolved.unmatched,
        auditHead,
        signingKey: { algorithm: 'Ed25519', keyId: signingKey.keyId, publicKey: signingKey.publicKey },
        parts: writer.manifestParts(),
      };
      const signed = manifestLine(manifest);
      const signature = sign(null, Buffer.from(signed, 'utf8'), signingKey.privateKey).toString('base64');
      await writer.line(signed);
      await writer.line(
        JSON.stringify({ $: 'signature', algorithm: 'Ed25519', keyId: signingKey.keyId, value: signature }),
      );
      await writer.flush();
      return {
        bundleId: manifest.bundleId,
        createdAt,
        keyId: signingKey.keyId,
        manifestSha256: createHash('sha256').update(signed, 'utf8').digest('hex'),
        parts: manifest.parts,
        auditHead,
        unmatched: manifest.unmatched,
        bytes: writer.bytes,
      };
    },
    {
      // A regulator's bundle can take minutes; PGlite has no isolation levels to set (one connection).
      isolationLevel: postgres ? Prisma.TransactionIsolationLevel.RepeatableRead : undefined,
      timeout: 24 * 60 * 60 * 1000,
      maxWait: 60_000,
    },
  );
}

interface PartState {
  readonly hash: Hash;
  records: number;
  bytes: number;
}

/** Writes container lines with backpressure and hashes each part's content as it goes. */
class BundleWriter {
  readonly #output: NodeJS.WritableStream;
  readonly #parts = new Map<string, PartState>();
  #chunks: string[] = [];
  #buffered = 0;
  bytes = 0;

  constructor(output: NodeJS.WritableStream) {
    this.#output = output;
    for (const name of currentLayout.partNames)
      this.#parts.set(name, { hash: createHash('sha256'), records: 0, bytes: 0 });
  }

  line(text: string): Promise<void> {
    return this.raw(`${text}\n`);
  }

  /** Text that is already whole lines. */
  async raw(text: string): Promise<void> {
    this.#chunks.push(text);
    this.#buffered += text.length;
    if (this.#buffered >= 1 << 20) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.#chunks.length === 0) return;
    const data = this.#chunks.join('');
    this.#chunks = [];
    this.#buffered = 0;
    this.bytes += Buffer.byteLength(data, 'utf8');
    if (!this.#output.write(data)) await once(this.#output, 'drain');
  }

  /** One JSON Lines segment of the records, then the CSV segment of the same records. */
  async segment<P extends RecordPart>(part: P, records: readonly RecordTypes[P][]): Promise<void> {
    const jsonl = this.#parts.get(`${part}.jsonl`)!;
    const csv = this.#parts.get(`${part}.csv`)!;
    let content = '';
    for (const record of records) content += `${JSON.stringify(record)}\n`;
    this.#count(jsonl, content, records.length);
    await this.line(partLine(`${part}.jsonl`));
    if (content.length > 0) await this.raw(content);
    const rows = csv.bytes === 0 ? [csvHeader(part)] : [];
    for (const record of records) rows.push(csvRow(part, record));
    this.#count(csv, rows.join(''), records.length);
    await this.line(partLine(`${part}.csv`));
    await this.raw(`${rows.map((row) => JSON.stringify(row)).join('\n')}\n`);
  }

  /** Makes sure a part appears (with its CSV header) even when no record is in scope. */
  async emptySegment(part: RecordPart): Promise<void> {
    if (this.#parts.get(`${part}.csv`)!.bytes === 0) await this.segment(part, []);
  }

  #count(state: PartState, content: string, records: number): void {
    state.hash.update(content, 'utf8');
    state.bytes += Buffer.byteLength(content, 'utf8');
    state.records += records;
  }

  manifestParts(): ManifestPart[] {
    return currentLayout.partNames.map((name) => {
      const state = this.#parts.get(name)!;
      return {
        name,
        mediaType: mediaTypeOf(name),
        records: state.records,
        bytes: state.bytes,
        sha256: state.hash.digest('hex'),
      };
    });
  }
}

/**
 * Keyset pagination: each page starts after the last key of the one before. The next page is
 * requested before the current one is handed out, so the database works while the page is written.
 */
async function* pages<R, K>(
  tx: Tx,
  statement: (after: K) => Prisma.Sql,
  first: K,
  keyOf: (row: R) => K,
): AsyncGenerator<R[]> {
  const fetch = (after: K) => tx.$queryRaw<R[]>(statement(after));
  let next: Promise<R[]> | null = fetch(first);
  try {
    while (next !== null) {
      const rows: R[] = await next;
      next = null;
      if (rows.length === SEGMENT_SIZE) next = fetch(keyOf(rows[rows.length - 1]!));
      if (rows.length > 0) yield rows;
    }
  } finally {
    // A consumer that stops early must not leave a rejected prefetch unobserved.
    await next?.catch(() => undefined);
  }
}

const beforeAnyUuid = '00000000-0000-0000-0000-000000000000';
const pageSize = Prisma.sql`LIMIT ${SEGMENT_SIZE}::int`;

function notificationPages(tx: Tx, controllerId: string, scope: ResolvedScope) {
  const sql = new ScopeSql(controllerId, scope);
  return pages<RecordTypes['notifications'], string>(
    tx,
    (after) => Prisma.sql`
      SELECT n."id"::text AS "id", s."refHash" AS "subjectRefHash", s."erasedAt" IS NOT NULL AS "subjectErased",
        n."subjectId"::text AS "subjectId", n."jurisdiction", nt."key" AS "noticeKey",
        v."number" AS "versionNumber", n."versionId"::text AS "versionId", n."channel"::text AS "channel",
        n."locale", ${isoUtc(Prisma.sql`n."occurredAt"`)} AS "occurredAt",
        ${isoUtc(Prisma.sql`n."recordedAt"`)} AS "recordedAt",
        n."campaignId"::text AS "campaignId", c."name" AS "campaignName", n."senderMessageId",
        n."idempotencyKey", n."batchId"::text AS "batchId", mt."contentHash" AS "templateHash",
        n."hashFormat"::int AS "hashFormat", n."contentHash"
      FROM "Notification" n
      JOIN "Subject" s ON s."id" = n."subjectId"
      JOIN "NoticeVersion" v ON v."id" = n."versionId"
      JOIN "Notice" nt ON nt."id" = v."noticeId"
      LEFT JOIN "Campaign" c ON c."id" = n."campaignId"
      LEFT JOIN "MessageTemplate" mt ON mt."id" = n."templateId" AND mt."controllerId" = n."controllerId"
      WHERE ${allOf(sql.notification())} AND n."id" > ${after}::uuid
      ORDER BY n."id" ${pageSize}`,
    beforeAnyUuid,
    (row) => row.id,
  );
}

/** Events are exported with their notification; one whose notification was never recorded has no subject. */
function eventPages(tx: Tx, controllerId: string, scope: ResolvedScope) {
  const sql = new ScopeSql(controllerId, scope);
  return pages<RecordTypes['events'], string>(
    tx,
    (after) => Prisma.sql`
      SELECT e."id"::text AS "id", n."id"::text AS "notificationId", e."notificationKey",
        s."refHash" AS "subjectRefHash", s."erasedAt" IS NOT NULL AS "subjectErased", nt."key" AS "noticeKey",
        v."number" AS "versionNumber",
        n."versionId"::text AS "versionId", e."type"::text AS "type",
        ${isoUtc(Prisma.sql`e."occurredAt"`)} AS "occurredAt", ${isoUtc(Prisma.sql`e."recordedAt"`)} AS "recordedAt",
        e."detail"
      FROM "NotificationEvent" e
      JOIN "Notification" n ON n."controllerId" = e."controllerId" AND n."idempotencyKey" = e."notificationKey"
      JOIN "Subject" s ON s."id" = n."subjectId"
      JOIN "NoticeVersion" v ON v."id" = n."versionId"
      JOIN "Notice" nt ON nt."id" = v."noticeId"
      WHERE ${allOf(sql.event())} AND e."id" > ${after}::uuid
      ORDER BY e."id" ${pageSize}`,
    beforeAnyUuid,
    (row) => row.id,
  );
}

function responsePages(tx: Tx, controllerId: string, scope: ResolvedScope) {
  const sql = new ScopeSql(controllerId, scope);
  return pages<RecordTypes['responses'], string>(
    tx,
    (after) => Prisma.sql`
      SELECT r."id"::text AS "id", s."refHash" AS "subjectRefHash", s."erasedAt" IS NOT NULL AS "subjectErased",
        r."subjectId"::text AS "subjectId", r."purposeId"::text AS "purposeId",
        p."key" AS "purposeKey", r."kind"::text AS "kind", ${isoUtc(Prisma.sql`r."occurredAt"`)} AS "occurredAt",
        ${isoUtc(Prisma.sql`r."recordedAt"`)} AS "recordedAt", r."channel"::text AS "channel",
        r."versionId"::text AS "versionId", nt."key" AS "noticeKey", v."number" AS "versionNumber",
        r."idempotencyKey", r."hashFormat"::int AS "hashFormat", r."contentHash", r."actor"::text AS "actor",
        r."collectionMethod"::text AS "collectionMethod", r."explicit", r."locale"
      FROM "Response" r
      JOIN "Subject" s ON s."id" = r."subjectId"
      JOIN "Purpose" p ON p."id" = r."purposeId"
      LEFT JOIN "NoticeVersion" v ON v."id" = r."versionId"
      LEFT JOIN "Notice" nt ON nt."id" = v."noticeId"
      WHERE ${allOf(sql.response())} AND r."id" > ${after}::uuid
      ORDER BY r."id" ${pageSize}`,
    beforeAnyUuid,
    (row) => row.id,
  );
}

/**
 * The template revisions the bundle's notifications were sent with, by content hash (which covers
 * key, channel, locale and revision, so it names one revision of the controller). The canonical
 * form is rebuilt from the stored fields: should they disagree with the stored hash, the verifier
 * says so.
 */
async function* templatePages(
  tx: Tx,
  controllerId: string,
  hashes: ReadonlySet<string>,
): AsyncGenerator<MessageTemplateRecord[]> {
  if (hashes.size === 0) return;
  const wanted = [...hashes];
  const rows = pages<Omit<MessageTemplateRecord, 'canonicalForm'>, string>(
    tx,
    (after) => Prisma.sql`
      SELECT t."id"::text AS "id", t."key", t."channel"::text AS "channel", t."locale", t."revision",
        ${isoUtc(Prisma.sql`t."createdAt"`)} AS "publishedAt", t."subject", t."body", t."linkTarget",
        t."contentHash"
      FROM "MessageTemplate" t
      WHERE t."controllerId" = ${controllerId}::uuid AND t."contentHash" = ANY(${wanted}::text[])
        AND t."id" > ${after}::uuid
      ORDER BY t."id" ${pageSize}`,
    beforeAnyUuid,
    (row) => row.id,
  );
  for await (const page of rows)
    yield page.map((row) => ({ ...row, canonicalForm: templateCanonicalForm(row) }));
}

/** The versions records refer to, plus every published version of the notices named in the scope. */
async function noticeVersionRecords(
  tx: Tx,
  controllerId: string,
  scope: ResolvedScope,
  referenced: ReadonlySet<string>,
): Promise<NoticeVersionRecord[]> {
  const named = scope.noticeIds
    ? await tx.noticeVersion.findMany({
        where: { controllerId, noticeId: { in: [...scope.noticeIds] }, number: { not: null } },
        select: { id: true },
      })
    : [];
  const ids = [...new Set([...referenced, ...named.map((version) => version.id)])];
  const versions = await tx.noticeVersion.findMany({
    where: { controllerId, id: { in: ids } },
    include: { notice: { select: { key: true, title: true } } },
    orderBy: { id: 'asc' },
  });
  const records: NoticeVersionRecord[] = [];
  for (const version of versions) {
    const snapshot = await loadVersionSnapshot(tx, version.id, version.number);
    records.push({
      id: version.id,
      noticeId: version.noticeId,
      noticeKey: version.notice.key,
      noticeTitle: version.notice.title,
      number: version.number!,
      status: version.status as NoticeVersionRecord['status'],
      effectiveFrom: version.effectiveFrom.toISOString(),
      publishedAt: version.publishedAt?.toISOString() ?? null,
      retiredAt: version.retiredAt?.toISOString() ?? null,
      changeSummary: version.changeSummary,
      changeMessage: version.changeMessage,
      classification: version.classification,
      classificationReasons: version.classificationReasons ?? null,
      leadTimeOverrideReason: version.leadTimeOverrideReason,
      // Written as stored, even if missing: the verifier then says exactly what is wrong.
      contentHash: version.contentHash as string,
      canonicalForm: version.canonicalForm as string,
      controller: snapshot.controller ?? null,
      translations: snapshot.translations.map(({ locale, title, body }) => ({ locale, title, body })),
      purposes: snapshot.purposes.map(
        (purpose) => canonicalPurpose(purpose) as NoticeVersionRecord['purposes'][number],
      ),
    });
  }
  return records;
}

interface AuditRow {
  sequence: number;
  id: string;
  occurredAt: string;
  actorKeyId: string | null;
  actorRole: string | null;
  action: string;
  targetType: string;
  targetId: string | null;
  details: string;
  previousHash: string;
  hash: string;
  relevant: boolean;
}

/**
 * The controller's chain from the first entry of the period (or the first ever) up to the head at
 * export time. Entries in scope are exported whole; the others only as links (sequence, previous
 * hash, hash), so the chain can be followed from the period to the head without disclosing them.
 */
async function* auditPages(
  tx: Tx,
  controllerId: string,
  scope: ResolvedScope,
  head: { sequence: number } | null,
  relatedIds: readonly string[],
): AsyncGenerator<AuditRecord[]> {
  if (head === null) return;
  let start = 1;
  if (scope.from) {
    const [first] = await tx.$queryRaw<{ sequence: number | null }[]>`
      SELECT min("sequence") AS "sequence" FROM "AuditEntry"
      WHERE "controllerId" = ${controllerId}::uuid AND "occurredAt" >= ${scope.from.toISOString()}::timestamptz
        AND "sequence" <= ${head.sequence}::int`;
    if (first?.sequence === null || first?.sequence === undefined) return;
    start = Number(first.sequence);
  }
  const sql = new ScopeSql(controllerId, scope);
  const relevance = auditRelevance(sql, relatedIds);
  const range = Prisma.sql`a."controllerId" = ${sql.controller} AND a."sequence" >= ${start}::int
    AND a."sequence" <= ${head.sequence}::int`;
  const rows = pages<AuditRow, number>(
    tx,
    (after) => Prisma.sql`
      SELECT a."sequence", a."id"::text AS "id", ${isoUtc(Prisma.sql`a."occurredAt"`)} AS "occurredAt",
        a."actorKeyId"::text AS "actorKeyId", a."actorRole", a."action", a."targetType", a."targetId",
        a."details"::text AS "details", a."previousHash", a."hash", (${relevance}) AS "relevant"
      FROM "AuditEntry" a
      WHERE ${range} AND a."sequence" > ${after}::int
      ORDER BY a."sequence" ${pageSize}`,
    0,
    (row) => row.sequence,
  );
  for await (const page of rows) {
    yield page.map(
      (row): AuditRecord =>
        row.relevant
          ? {
              sequence: Number(row.sequence),
              withheld: false,
              id: row.id,
              occurredAt: row.occurredAt,
              actorKeyId: row.actorKeyId,
              actorRole: row.actorRole,
              action: row.action,
              targetType: row.targetType,
              targetId: row.targetId,
              details: JSON.parse(row.details),
              previousHash: row.previousHash,
              hash: row.hash,
            }
          : {
              sequence: Number(row.sequence),
              withheld: true,
              previousHash: row.previousHash,
              hash: row.hash,
            },
    );
  }
}

/**
 * An entry is in scope when it lies in the period and — if subjects or notices narrow the scope —
 * its target is one of them, a notice or version in the bundle, the batch that recorded a
 * notification in the bundle, or a notification, event or response in scope.
 */
function auditRelevance(sql: ScopeSql, relatedIds: readonly string[]): Prisma.Sql {
  const period = sql.period(Prisma.sql`a."occurredAt"`);
  if (!sql.narrowed) return allOf(period);
  const target = Prisma.sql`(CASE WHEN a."targetId" ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
    THEN a."targetId"::uuid END)`;
  const related = Prisma.sql`(a."targetId" = ANY(${relatedIds}::text[])
    OR EXISTS (SELECT 1 FROM "Notification" n JOIN "NoticeVersion" v ON v."id" = n."versionId"
      WHERE n."id" = ${target} AND ${allOf(sql.notification())})
    OR EXISTS (SELECT 1 FROM "Response" r LEFT JOIN "NoticeVersion" v ON v."id" = r."versionId"
      WHERE r."id" = ${target} AND ${allOf(sql.response())})
    OR EXISTS (SELECT 1 FROM "NotificationEvent" e
      JOIN "Notification" n ON n."controllerId" = e."controllerId" AND n."idempotencyKey" = e."notificationKey"
      JOIN "NoticeVersion" v ON v."id" = n."versionId"
      WHERE e."id" = ${target} AND ${allOf(sql.event())}))`;
  return allOf([...period, related]);
}
