import { createHash } from 'node:crypto';
import { noteLoaded } from '../../db/analyze-after-load.js';
import { withBulkParameter } from '../../db/bulk-parameters.js';
import type { Database } from '../../db/database.js';
import { jsonParameter, jsonRows } from '../../db/json-rows.js';
import { sqlStateOf } from '../../db/prisma-errors.js';
import { ConflictError } from '../../domain/errors.js';
import { Prisma } from '../../generated/prisma/client.js';
import { decodeGlobalIdOf } from '../../lib/global-id.js';
import { uuidV7 } from '../../lib/uuid-v7.js';
import type { Viewer } from '../access/access.policy.js';
import { actorOf, appendAudit } from '../audit/audit.service.js';
import { referencedTemplates, referenceKey } from '../message-template/message-template.service.js';
import { checkTemplateReference } from '../message-template/template-reference.policy.js';
import type { SubjectRefHasher } from '../subject/subject-ref.js';
import { holdIngestLock } from '../transparency-log/transparency-log.service.js';
import { incrementCounters } from './campaign-counters.js';
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
import { type NotificationItem, notificationItemSchema } from './notification.validation.js';
import { isCleanNotificationItem } from './notification-check.js';
import { notificationHash } from './record-hash.js';
import { sentBeforePublication } from './sent-before-publication.js';
import { ensureSubjects, refuseErasedSubjects } from './subjects.js';

export interface RawNotificationItem {
  readonly subjectRef: string;
  readonly jurisdiction?: string | null;
  readonly subjectLocale?: string | null;
  readonly noticeKey: string;
  readonly versionNumber: number;
  readonly channel: string;
  readonly locale: string;
  readonly occurredAt: Date;
  readonly campaignId?: string | null;
  readonly senderMessageId?: string | null;
  readonly idempotencyKey: string;
  /** The template revision the message was sent with; channel and locale are the item's. */
  readonly template?: { readonly key?: string | null; readonly revision?: number | null } | null;
}

interface Prepared {
  readonly index: number;
  readonly item: NotificationItem;
  readonly refHash: string;
  readonly versionId: string;
  readonly campaignId: string | null;
  /** occurredAt as ISO 8601, as hashed and stored. */
  readonly occurredAt: string;
  /** The content hash as record-hash format 1 computes it: what an item is compared by before its subject is known. */
  readonly contentHash: string;
  /** The content hash of the template revision sent, if any. */
  readonly templateHash: string | null;
  readonly templateId: string | null;
}

interface VersionRow {
  id: string;
  noticeKey: string;
  number: number;
  locales: string[];
  publishedAt: Date;
  /** The controller's clock-skew tolerance, in seconds, read with the version: no extra round trip. */
  toleranceSeconds: number;
}

/**
 * Records up to 10,000 notifications. Each item is checked on its own; the accepted ones are
 * written together in one transaction with set-based SQL. A retried item (same idempotency key,
 * same content) returns the original record; the same key with other content is a conflict.
 */
export async function recordNotifications(
  database: Database,
  viewer: Viewer,
  hasher: SubjectRefHasher,
  rawItems: readonly RawNotificationItem[],
  now = new Date(),
): Promise<BulkResult> {
  const schema = notificationItemSchema(now);
  const { valid, results } = validateItems(schema, rawItems, (raw) => isCleanNotificationItem(raw, now));

  const prisma = database.prisma;
  const versionKeys = [...new Set(valid.map(({ item }) => `${item.noticeKey}#${item.versionNumber}`))];
  const versions = new Map<string, VersionRow>();
  if (versionKeys.length > 0) {
    const rows = await prisma.$queryRaw<VersionRow[]>`
      SELECT v."id"::text AS id, n."key" AS "noticeKey", v."number", array_agg(t."locale") AS locales,
             v."publishedAt", c."clockSkewToleranceSeconds" AS "toleranceSeconds"
      FROM "NoticeVersion" v JOIN "Notice" n ON n."id" = v."noticeId"
      JOIN "NoticeTranslation" t ON t."versionId" = v."id"
      JOIN "Controller" c ON c."id" = v."controllerId"
      WHERE v."controllerId" = ${viewer.controllerId}::uuid AND v."number" IS NOT NULL
        AND (n."key" || '#' || v."number") = ANY(${versionKeys}::text[])
      GROUP BY v."id", n."key", v."number", v."publishedAt", c."clockSkewToleranceSeconds"`;
    for (const row of rows)
      versions.set(`${row.noticeKey}#${row.number}`, { ...row, publishedAt: new Date(row.publishedAt) });
  }

  // Usually one campaign for the whole batch: decode each distinct global ID once.
  const decodedCampaigns = new Map<string, string | null>();
  const campaignOf = (globalId: string | null | undefined): string | null => {
    if (!globalId) return null;
    let id = decodedCampaigns.get(globalId);
    if (id === undefined) {
      id = decodeGlobalIdOf('Campaign', globalId);
      decodedCampaigns.set(globalId, id);
    }
    return id;
  };
  const campaignIds = [
    ...new Set(valid.map(({ item }) => campaignOf(item.campaignId)).filter((id) => id !== null)),
  ];
  const campaigns = new Map<string, string>();
  if (campaignIds.length > 0) {
    const rows = await prisma.campaign.findMany({
      where: { controllerId: viewer.controllerId, id: { in: campaignIds } },
      select: { id: true, versionId: true },
    });
    for (const row of rows) campaigns.set(row.id, row.versionId);
  }

  // Every template revision the batch names, in one statement.
  const templates = await referencedTemplates(
    prisma,
    viewer.controllerId,
    valid.flatMap(({ item }) => (item.template ? [item.template] : [])),
  );

  const byKey = new Map<string, Prepared>();
  const prepared: Prepared[] = [];
  for (const { index, item } of valid) {
    const version = versions.get(`${item.noticeKey}#${item.versionNumber}`);
    if (!version) {
      results.push(
        rejected(
          index,
          item.idempotencyKey,
          'NOTICE_VERSION_NOT_FOUND',
          `No published version ${item.versionNumber} of notice ${item.noticeKey}.`,
        ),
      );
      continue;
    }
    if (!version.locales.includes(item.locale)) {
      results.push(
        rejected(
          index,
          item.idempotencyKey,
          'LOCALE_NOT_IN_VERSION',
          `Version ${item.versionNumber} has no text in ${item.locale}.`,
        ),
      );
      continue;
    }
    const tooEarly = sentBeforePublication(item.occurredAt, version);
    if (tooEarly) {
      results.push(rejected(index, item.idempotencyKey, tooEarly.code, tooEarly.message));
      continue;
    }
    const campaignId = campaignOf(item.campaignId);
    if (item.campaignId && (campaignId === null || !campaigns.has(campaignId))) {
      results.push(
        rejected(index, item.idempotencyKey, 'CAMPAIGN_NOT_FOUND', 'The campaign does not exist.'),
      );
      continue;
    }
    if (campaignId !== null && campaigns.get(campaignId) !== version.id) {
      results.push(
        rejected(
          index,
          item.idempotencyKey,
          'CAMPAIGN_VERSION_MISMATCH',
          'The campaign is for another notice version.',
        ),
      );
      continue;
    }
    let template: { id: string; contentHash: string } | null = null;
    if (item.template) {
      const verdict = checkTemplateReference(
        item.template,
        templates.get(referenceKey(item.template)) ?? [],
        {
          channel: item.channel,
          locale: item.locale,
          occurredAt: item.occurredAt,
          toleranceSeconds: version.toleranceSeconds,
        },
      );
      if (!('template' in verdict)) {
        results.push(rejected(index, item.idempotencyKey, verdict.code, verdict.message));
        continue;
      }
      template = verdict.template;
    }
    const refHash = hasher.hash(viewer.controllerId, item.subjectRef);
    const occurredAt = item.occurredAt.toISOString();
    const contentHash = notificationHash(
      {
        subject: refHash,
        version: version.id,
        channel: item.channel,
        locale: item.locale,
        occurredAt,
        campaign: campaignId,
        senderMessageId: item.senderMessageId ?? null,
        template: template?.contentHash ?? null,
      },
      1,
    );
    const entry: Prepared = {
      index,
      item,
      refHash,
      versionId: version.id,
      campaignId,
      occurredAt,
      contentHash,
      templateHash: template?.contentHash ?? null,
      templateId: template?.id ?? null,
    };
    const earlier = byKey.get(item.idempotencyKey);
    if (earlier) {
      results.push(repeatInBatch(index, item.idempotencyKey, earlier.contentHash === contentHash));
      continue;
    }
    byKey.set(item.idempotencyKey, entry);
    prepared.push(entry);
  }

  if (prepared.length === 0) return summarize(null, results);

  const written = await commitIfAccepted(
    prisma,
    (tx) => writeNotifications(tx, viewer, prepared, rawItems.length),
    (result) => result.accepted,
    { timeout: 120_000, maxWait: 30_000 },
  );
  void noteLoaded(database, 'Notification', written.accepted);
  const ids = new Map(written.rows.map((row) => [row.key, row]));
  const originals = new Map<string, ItemResult>();
  for (const entry of prepared) {
    const key = entry.item.idempotencyKey;
    const row = ids.get(key)!;
    // A record written before format 2 is compared with the item's format-1 hash.
    const expected = row.hashFormat === 1 ? entry.contentHash : written.hashes.get(key)!;
    const outcome = writtenOutcome(entry.index, key, row, row.inserted, expected);
    results.push(outcome);
    originals.set(key, outcome);
  }
  // A batch that accepted nothing was rolled back: it has no batch record.
  const batchId = written.accepted > 0 ? written.batchId : null;
  return summarize(batchId, pointRepeatsAtOriginal(results, originals));
}

interface WrittenRow {
  key: string;
  id: string;
  contentHash: string;
  hashFormat: number;
  inserted: boolean;
}

/** The record hash (current format) of each item, by idempotency key, once its subject's ID is known. */
function recordHashes(prepared: readonly Prepared[], subjectIds: ReadonlyMap<string, string>) {
  return new Map(
    prepared.map((entry) => [
      entry.item.idempotencyKey,
      notificationHash({
        subject: subjectIds.get(entry.refHash)!,
        version: entry.versionId,
        channel: entry.item.channel,
        locale: entry.item.locale,
        occurredAt: entry.occurredAt,
        campaign: entry.campaignId,
        senderMessageId: null,
        template: entry.templateHash,
      }),
    ]),
  );
}

async function writeNotifications(
  tx: Prisma.TransactionClient,
  viewer: Viewer,
  prepared: readonly Prepared[],
  total: number,
): Promise<{ batchId: string; accepted: number; rows: WrittenRow[]; hashes: Map<string, string> }> {
  const subjectIds = await ensureSubjects(
    tx,
    viewer.controllerId,
    prepared.map(({ refHash, item }) => ({
      refHash,
      jurisdiction: item.jurisdiction ?? null,
      locale: item.subjectLocale ?? null,
    })),
  );
  const hashes = recordHashes(prepared, subjectIds.byRef);
  const itemsHash = createHash('sha256')
    .update(
      prepared.map(({ item }) => `${item.idempotencyKey}\u0000${hashes.get(item.idempotencyKey)}`).join('\n'),
    )
    .digest('hex');
  await holdIngestLock(tx, viewer.controllerId);
  const [batch] = await tx.$queryRaw<{ id: string }[]>`
    INSERT INTO "NotificationBatch" ("id", "controllerId", "apiKeyId", "itemCount", "itemsHash")
    VALUES (gen_random_uuid(), ${viewer.controllerId}::uuid, ${viewer.apiKeyId}::uuid, ${total}, ${itemsHash})
    RETURNING "id"::text`;
  const batchId = batch!.id;
  // Time-ordered IDs (cheap appends to the primary key); the rows travel as one parameter (jsonRows).
  const newIds = prepared.map(() => uuidV7());
  // A batch is usually of one version and one campaign: those go once, as parameters.
  const shared = (value: (entry: Prepared) => string | null) => {
    const first = value(prepared[0]!);
    return prepared.every((entry) => value(entry) === first) ? first : undefined;
  };
  const version = shared((entry) => entry.versionId);
  const campaign = shared((entry) => entry.campaignId);
  const rowsParam = jsonRows(
    prepared.map(({ item, refHash, versionId, campaignId, occurredAt, templateId }, row) => ({
      i: newIds[row],
      s: subjectIds.byRef.get(refHash),
      v: version === undefined ? versionId : undefined,
      c: item.channel,
      l: item.locale,
      o: occurredAt,
      cp: campaign === undefined ? campaignId : undefined,
      m: item.senderMessageId ?? null,
      k: item.idempotencyKey,
      h: hashes.get(item.idempotencyKey),
      j: item.jurisdiction ?? null,
      tp: templateId ?? undefined,
    })),
  );
  const insertedKeys = await insertNotifications(tx, {
    controllerId: viewer.controllerId,
    batchId,
    rows: rowsParam,
    version: version ?? null,
    campaign: campaign ?? null,
  });
  await refuseErasedSubjects(tx, subjectIds.known);
  const rows: WrittenRow[] = [];
  const fresh: Prepared[] = [];
  for (const [row, entry] of prepared.entries()) {
    const key = entry.item.idempotencyKey;
    if (insertedKeys && !insertedKeys.has(key)) continue;
    fresh.push(entry);
    rows.push({ key, id: newIds[row]!, contentHash: hashes.get(key)!, hashFormat: 2, inserted: true });
  }
  if (fresh.length < prepared.length) {
    const others = prepared
      .filter((entry) => !insertedKeys?.has(entry.item.idempotencyKey))
      .map((entry) => entry.item.idempotencyKey);
    const existing = await existingNotifications(tx, viewer.controllerId, others);
    // A key that neither went in nor is there was changed meanwhile (an erasure renames the keys
    // of the notifications it unlinks): refuse the batch rather than leave an item unanswered.
    if (existing.length < others.length)
      throw new ConflictError(
        'Some of these notifications changed while the batch was written; send it again.',
      );
    rows.push(...existing);
  }
  // Nothing new: commitIfAccepted rolls the batch record and any subject created back.
  if (fresh.length === 0) return { batchId, accepted: 0, rows, hashes };
  await incrementCounters(tx, viewer.controllerId, {
    recorded: fresh.map(({ campaignId, item }) => ({
      campaignId,
      channel: item.channel,
      jurisdiction: item.jurisdiction ?? null,
      occurredAt: item.occurredAt,
    })),
    notificationKeys: fresh.map((entry) => entry.item.idempotencyKey),
  });
  await appendAudit(tx, actorOf(viewer), {
    action: 'notifications:record',
    targetType: 'NotificationBatch',
    targetId: batchId,
    details: {
      submitted: total,
      accepted: fresh.length,
      alreadyRecorded: prepared.length - fresh.length,
      itemsHash,
    },
  });
  return { batchId, accepted: fresh.length, rows, hashes };
}

/**
 * The notifications already recorded under these keys. One index probe per key (LATERAL … LIMIT
 * 1): with a large `= ANY(array)` the planner may scan the controller's whole key range instead.
 */
async function existingNotifications(
  tx: Prisma.TransactionClient,
  controllerId: string,
  keys: readonly string[],
): Promise<WrittenRow[]> {
  const existing = await tx.$queryRaw<{ key: string; id: string; contentHash: string; hashFormat: number }[]>`
    SELECT n."idempotencyKey" AS key, n."id"::text, n."contentHash", n."hashFormat"
    FROM unnest(${keys}::text[]) AS t(k)
    CROSS JOIN LATERAL (
      SELECT "idempotencyKey", "id", "contentHash", "hashFormat" FROM "Notification"
      WHERE "controllerId" = ${controllerId}::uuid AND "idempotencyKey" = t.k LIMIT 1
    ) n`;
  return existing.map((row) => ({ ...row, inserted: false }));
}

interface InsertParameters {
  readonly controllerId: string;
  readonly batchId: string;
  /** The rows, as jsonRows. */
  readonly rows: Buffer;
  /** The version and campaign of rows that leave them out (a batch-wide value goes once). */
  readonly version: string | null;
  readonly campaign: string | null;
}

function insertColumns({ controllerId, batchId, version, campaign }: InsertParameters, token: string) {
  return Prisma.sql`
    INSERT INTO "Notification" ("id", "controllerId", "subjectId", "versionId", "channel", "locale",
      "occurredAt", "campaignId", "senderMessageId", "idempotencyKey", "contentHash", "jurisdiction", "batchId",
      "templateId")
    SELECT t.i, ${controllerId}::uuid, t.s, COALESCE(t.v, ${version}::uuid), t.c::"NotificationChannel", t.l, t.o,
           COALESCE(t.cp, ${campaign}::uuid), t.m, t.k, t.h, t.j, ${batchId}::uuid, t.tp
    FROM json_to_recordset(${jsonParameter(token)})
      AS t(i uuid, s uuid, v uuid, c text, l text, o timestamptz, cp uuid, m text, k text, h text, j text,
           tp uuid)`;
}

/**
 * Inserts the rows; returns the idempotency keys inserted now, or null when all were. New keys
 * are the rule and retries the exception, so a plain INSERT goes first: ~20 % cheaper than
 * ON CONFLICT (no speculative insertion) and nothing to send back. A key that is already there,
 * or that a concurrent batch is inserting, makes it fail as a whole; the savepoint undoes it
 * and the ON CONFLICT form decides row by row.
 */
const retryAsConflict = new Set(['23505', '40P01']);

async function insertNotifications(
  tx: Prisma.TransactionClient,
  parameters: InsertParameters,
): Promise<Set<string> | null> {
  return withBulkParameter(parameters.rows, async (token) => {
    const insert = insertColumns(parameters, token);
    await tx.$executeRaw`SAVEPOINT notarium_notifications`;
    try {
      await tx.$executeRaw(insert);
      await tx.$executeRaw`RELEASE SAVEPOINT notarium_notifications`;
      return null;
    } catch (error) {
      // A key already there (23505) or a deadlock with a batch inserting the same keys in
      // another order (40P01): ON CONFLICT decides. Anything else fails the call as it is.
      if (!retryAsConflict.has(sqlStateOf(error) ?? '')) throw error;
      await tx.$executeRaw`ROLLBACK TO SAVEPOINT notarium_notifications`;
    }
    const inserted = await tx.$queryRaw<{ key: string }[]>`
      ${insert}
      ON CONFLICT ("controllerId", "idempotencyKey") DO NOTHING
      RETURNING "idempotencyKey" AS key`;
    return new Set(inserted.map((row) => row.key));
  });
}
