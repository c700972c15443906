import { createHash } from 'node:crypto';
import type { Database } from '../../db/database.js';
import type { Viewer } from '../access/access.policy.js';
import { actorOf, appendAudit } from '../audit/audit.service.js';
import { consentHashMembers, consentNoticeProblem } from '../consent-record/consent-record.validation.js';
import type { ObjectionDetails } from '../objection/objection.validation.js';
import { openObjectionCases } from '../objection/open-cases.js';
import type { SubjectRefHasher } from '../subject/subject-ref.js';
import { commitIfAccepted } from './commit-if-accepted.js';
import {
  type BulkResult,
  type ItemResult,
  pointRepeatsAtOriginal,
  rejected,
  repeatInBatch,
  summarize,
  validateItems,
  writtenOutcome,
} from './item-result.js';
import { type ResponseItem, responseItemSchema } from './notification.validation.js';
import { type ResponseContent, responseHash } from './record-hash.js';
import { ensureSubjects, refuseErasedSubjects } from './subjects.js';

export interface RawResponseItem {
  readonly subjectRef: string;
  readonly purposeKey: string;
  readonly kind: string;
  readonly occurredAt: Date;
  readonly channel: string;
  readonly noticeKey?: string | null;
  readonly versionNumber?: number | null;
  readonly idempotencyKey: string;
  readonly actor?: string | null;
  readonly collectionMethod?: string | null;
  readonly explicit?: boolean | null;
  readonly locale?: string | null;
  /** OBJECTED only: the grounds and whether it is against direct marketing (its case, docs/objections.md). */
  readonly objection?: ObjectionDetails | null;
}

/** Records what subjects answered, per purpose. Idempotent by key; append-only. */
export async function recordResponses(
  database: Database,
  viewer: Viewer,
  hasher: SubjectRefHasher,
  rawItems: readonly RawResponseItem[],
  now = new Date(),
): Promise<BulkResult> {
  const schema = responseItemSchema(now);
  const { valid, results } = validateItems(schema, rawItems);
  const prisma = database.prisma;
  const purposes = new Map(
    (
      await prisma.purpose.findMany({
        where: {
          controllerId: viewer.controllerId,
          key: { in: [...new Set(valid.map(({ item }) => item.purposeKey))] },
        },
        select: { id: true, key: true },
      })
    ).map((purpose) => [purpose.key, purpose.id]),
  );
  const versionKeys = [
    ...new Set(
      valid.filter(({ item }) => item.noticeKey).map(({ item }) => `${item.noticeKey}#${item.versionNumber}`),
    ),
  ];
  const versions = new Map<string, { id: string; purposeIds: string[]; locales: string[] }>();
  if (versionKeys.length > 0) {
    const rows = await prisma.$queryRaw<
      { id: string; ref: string; purposeIds: string[]; locales: string[] }[]
    >`
      SELECT v."id"::text, n."key" || '#' || v."number" AS ref, array_agg(p."purposeId"::text) AS "purposeIds",
        ARRAY(SELECT t."locale" FROM "NoticeTranslation" t WHERE t."versionId" = v."id") AS locales
      FROM "NoticeVersion" v JOIN "Notice" n ON n."id" = v."noticeId"
      JOIN "NoticeVersionPurpose" p ON p."versionId" = v."id"
      WHERE v."controllerId" = ${viewer.controllerId}::uuid AND v."number" IS NOT NULL
        AND (n."key" || '#' || v."number") = ANY(${versionKeys}::text[])
      GROUP BY v."id", n."key", v."number"`;
    for (const row of rows) versions.set(row.ref, row);
  }

  const prepared: {
    index: number;
    item: ResponseItem;
    refHash: string;
    purposeId: string;
    versionId: string | null;
    hash: string;
  }[] = [];
  const byKey = new Map<string, string>();
  for (const { index, item } of valid) {
    const purposeId = purposes.get(item.purposeKey);
    if (!purposeId) {
      results.push(
        rejected(index, item.idempotencyKey, 'PURPOSE_NOT_FOUND', `No purpose ${item.purposeKey}.`),
      );
      continue;
    }
    const version = item.noticeKey ? versions.get(`${item.noticeKey}#${item.versionNumber}`) : null;
    if (item.noticeKey && !version) {
      results.push(
        rejected(
          index,
          item.idempotencyKey,
          'NOTICE_VERSION_NOT_FOUND',
          `No published version ${item.versionNumber} of ${item.noticeKey}.`,
        ),
      );
      continue;
    }
    if (version && !version.purposeIds.includes(purposeId)) {
      results.push(
        rejected(
          index,
          item.idempotencyKey,
          'PURPOSE_NOT_IN_VERSION',
          `That version does not cover ${item.purposeKey}.`,
        ),
      );
      continue;
    }
    const problem = consentNoticeProblem(item, version?.locales ?? null);
    if (problem) {
      results.push(rejected(index, item.idempotencyKey, problem.code, problem.message));
      continue;
    }
    const refHash = hasher.hash(viewer.controllerId, item.subjectRef);
    const hash = responseHash(contentOf(refHash, purposeId, item, version?.id ?? null), 1);
    const earlier = byKey.get(item.idempotencyKey);
    if (earlier !== undefined) {
      results.push(repeatInBatch(index, item.idempotencyKey, earlier === hash));
      continue;
    }
    byKey.set(item.idempotencyKey, hash);
    prepared.push({ index, item, refHash, purposeId, versionId: version?.id ?? null, hash });
  }
  if (prepared.length === 0) return summarize(null, results);

  const keys = prepared.map((entry) => entry.item.idempotencyKey);
  const rows = await commitIfAccepted(
    prisma,
    async (tx) => {
      const subjectIds = await ensureSubjects(
        tx,
        viewer.controllerId,
        prepared.map((entry) => ({ refHash: entry.refHash, jurisdiction: null, locale: null })),
      );
      // The stored hash commits to the subject's record ID (format 2), known from here on.
      const hashes = prepared.map((entry) =>
        responseHash(
          contentOf(subjectIds.byRef.get(entry.refHash)!, entry.purposeId, entry.item, entry.versionId),
        ),
      );
      const inserted = await tx.$queryRaw<{ key: string; id: string; contentHash: string }[]>`
        INSERT INTO "Response" ("id", "controllerId", "subjectId", "purposeId", "kind", "occurredAt", "channel",
          "versionId", "idempotencyKey", "contentHash", "actor", "collectionMethod", "explicit", "locale")
        SELECT gen_random_uuid(), ${viewer.controllerId}::uuid, s, p, k::"ResponseKind", o, c::"NotificationChannel",
          v, i, h, a::"ResponseActor", m::"CollectionMethod", x, l
        FROM unnest(
          ${prepared.map((entry) => subjectIds.byRef.get(entry.refHash)!)}::uuid[],
          ${prepared.map((entry) => entry.purposeId)}::uuid[],
          ${prepared.map((entry) => entry.item.kind)}::text[],
          ${prepared.map((entry) => entry.item.occurredAt.toISOString())}::timestamptz[],
          ${prepared.map((entry) => entry.item.channel)}::text[],
          ${prepared.map((entry) => entry.versionId)}::uuid[],
          ${keys}::text[],
          ${hashes}::text[],
          ${prepared.map((entry) => entry.item.actor ?? null)}::text[],
          ${prepared.map((entry) => entry.item.collectionMethod ?? null)}::text[],
          ${prepared.map((entry) => entry.item.explicit ?? null)}::boolean[],
          ${prepared.map((entry) => entry.item.locale ?? null)}::text[]
        ) AS t(s, p, k, o, c, v, i, h, a, m, x, l)
        ON CONFLICT ("controllerId", "idempotencyKey") DO NOTHING
        RETURNING "idempotencyKey" AS key, "id"::text, "contentHash"`;
      await refuseErasedSubjects(tx, subjectIds.known);
      await openObjectionCases(
        tx,
        viewer.controllerId,
        inserted.map((row) => row.id),
        prepared.map((entry) => ({
          idempotencyKey: entry.item.idempotencyKey,
          details: entry.item.objection,
        })),
      );
      if (inserted.length > 0) {
        await appendAudit(tx, actorOf(viewer), {
          action: 'responses:record',
          targetType: 'Response',
          details: {
            submitted: rawItems.length,
            accepted: inserted.length,
            itemsHash: createHash('sha256')
              .update(
                inserted
                  .map((row) => `${row.key}\u0000${row.contentHash}`)
                  .sort()
                  .join('\n'),
              )
              .digest('hex'),
          },
        });
      }
      const existing = await tx.$queryRaw<
        { key: string; id: string; contentHash: string; hashFormat: number }[]
      >`
        SELECT r."idempotencyKey" AS key, r."id"::text, r."contentHash", r."hashFormat"
        FROM unnest(${keys}::text[]) AS t(k)
        CROSS JOIN LATERAL (
          SELECT "idempotencyKey", "id", "contentHash", "hashFormat" FROM "Response"
          WHERE "controllerId" = ${viewer.controllerId}::uuid AND "idempotencyKey" = t.k LIMIT 1
        ) r`;
      return {
        hashes: new Map(prepared.map((entry, row) => [entry.item.idempotencyKey, hashes[row]!])),
        inserted: new Set(inserted.map((row) => row.id)),
        existing: new Map(existing.map((row) => [row.key, row])),
      };
    },
    (written) => written.inserted.size,
    { timeout: 60_000, maxWait: 30_000 },
  );
  const originals = new Map<string, ItemResult>();
  for (const entry of prepared) {
    const row = rows.existing.get(entry.item.idempotencyKey);
    if (!row) continue;
    const outcome = writtenOutcome(
      entry.index,
      entry.item.idempotencyKey,
      row,
      rows.inserted.has(row.id),
      // A record written before format 2 is compared with the item's format-1 hash.
      row.hashFormat === 1 ? entry.hash : rows.hashes.get(entry.item.idempotencyKey)!,
    );
    results.push(outcome);
    originals.set(entry.item.idempotencyKey, outcome);
  }
  return summarize(null, pointRepeatsAtOriginal(results, originals));
}

/** What a response says, for its record hash; `subject` is the reference hash (format 1) or the subject's ID (format 2). */
function contentOf(
  subject: string,
  purposeId: string,
  item: ResponseItem,
  versionId: string | null,
): ResponseContent {
  return {
    subject,
    purpose: purposeId,
    kind: item.kind,
    occurredAt: item.occurredAt.toISOString(),
    channel: item.channel,
    version: versionId,
    // The consent-record fields, when stated. An objection's grounds live in its case
    // (docs/objections.md), not in the record hash: bundles carry the hashed members only.
    members: consentHashMembers(item),
  };
}
