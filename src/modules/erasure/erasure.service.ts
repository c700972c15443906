import { createHash, randomUUID } from 'node:crypto';
import type { Database } from '../../db/database.js';
import { NotFoundError } from '../../domain/errors.js';
import { Prisma } from '../../generated/prisma/client.js';
import type { Viewer } from '../access/access.policy.js';
import { actorOf, appendAudit } from '../audit/audit.service.js';
import { notificationHash, responseHash } from '../notification/record-hash.js';
import type { SubjectRefHasher } from '../subject/subject-ref.js';
import { SubjectUnderLegalHoldError } from './erasure.errors.js';
import { holdingRequests } from './legal-hold.js';
import { type PurgeReport, purgeExpiredRecords } from './retention.service.js';

type Tx = Prisma.TransactionClient;

export interface ErasureResult {
  readonly subjectId: string;
  readonly erasedAt: Date;
  readonly notifications: number;
  readonly responses: number;
  /** Records whose hash still covered the person's reference (format 1) and were re-hashed. */
  readonly rehashed: number;
}

/** What an erasure request came to; each is recorded in the audit trail, without the reference. */
type Outcome =
  | { readonly outcome: 'ERASED'; readonly result: ErasureResult }
  | { readonly outcome: 'REFUSED_LEGAL_HOLD'; readonly regulatorRequestIds: string[] }
  | { readonly outcome: 'NOT_FOUND' };

/**
 * Unlinks every record from the person (GDPR Art. 17(1)) while keeping the records themselves
 * (Art. 17(3)(b), (e)): the subject's reference hash becomes a random token, its jurisdiction and
 * locale go, the client-chosen keys, sender message IDs, event details, objection grounds and
 * refusal reasons — which may embed the person's identifiers or words — are replaced or removed, and records whose hash still covered the
 * reference (format 1) are re-hashed to format 2, so no hash can be recomputed from the reference
 * any more. Hashes of format-2 records do not change. A person named in an open regulator request
 * is not erased (`LEGAL_HOLD`). Every request is recorded — erased, refused or not found — in the
 * audit trail, which never holds the reference.
 */
export async function eraseSubject(
  database: Database,
  viewer: Viewer,
  hasher: SubjectRefHasher,
  subjectRef: string,
  now = new Date(),
): Promise<ErasureResult> {
  const refHash = hasher.hash(viewer.controllerId, subjectRef);
  const outcome = await database.prisma.$transaction((tx) => decide(tx, viewer, refHash, now));
  if (outcome.outcome === 'NOT_FOUND') throw new NotFoundError('Subject', 'the given reference');
  if (outcome.outcome === 'REFUSED_LEGAL_HOLD')
    throw new SubjectUnderLegalHoldError(outcome.regulatorRequestIds);
  return outcome.result;
}

async function decide(tx: Tx, viewer: Viewer, refHash: string, now: Date): Promise<Outcome> {
  // Lock the subject first: a batch that has written records for it holds it until it commits,
  // so every record committed before this point is found below and unlinked with the rest.
  const [subject] = await tx.$queryRaw<{ id: string }[]>`
    SELECT "id"::text FROM "Subject"
    WHERE "controllerId" = ${viewer.controllerId}::uuid AND "refHash" = ${refHash} FOR UPDATE`;
  const audit = (targetId: string | null, details: Record<string, unknown>) =>
    appendAudit(
      tx,
      actorOf(viewer),
      { action: 'subject:erase', targetType: 'Subject', targetId, details },
      now,
    );
  if (subject === undefined) {
    await audit(null, { outcome: 'NOT_FOUND' });
    return { outcome: 'NOT_FOUND' };
  }
  const holds = await holdingRequests(tx, viewer.controllerId, refHash);
  if (holds.length > 0) {
    await audit(subject.id, { outcome: 'REFUSED_LEGAL_HOLD', regulatorRequests: holds });
    return { outcome: 'REFUSED_LEGAL_HOLD', regulatorRequestIds: holds };
  }
  await tx.$executeRaw`SELECT set_config('notarium.erasure', 'on', true)`;
  const salt = randomUUID();
  const digest = (value: string) =>
    `erased:${createHash('sha256').update(`${salt}:${value}`).digest('hex').slice(0, 32)}`;
  const notifications = await unlinkNotifications(tx, viewer.controllerId, subject.id, digest);
  const responses = await unlinkResponses(tx, subject.id, digest);
  // The person's own words about their situation go, and so does the controller's refusal
  // reason, which may quote them; outcome, dates and the direct-marketing flag stay, so the case
  // still counts (the decided-once trigger allows exactly this).
  await tx.$executeRaw`
    UPDATE "ObjectionCase" SET "grounds" = NULL, "refusalReason" = NULL
    WHERE "subjectId" = ${subject.id}::uuid AND ("grounds" IS NOT NULL OR "refusalReason" IS NOT NULL)`;
  // Closed requests keep their other criteria; the reference hash of the person goes.
  await tx.$executeRaw`
    UPDATE "RegulatorRequest" SET "subjectRefHashes" = array_replace("subjectRefHashes", ${refHash}, ${`erased:${randomUUID()}`})
    WHERE "controllerId" = ${viewer.controllerId}::uuid AND ${refHash} = ANY("subjectRefHashes")`;
  await tx.subject.update({
    where: { id: subject.id },
    data: { refHash: `erased:${randomUUID()}`, jurisdiction: null, locale: null, erasedAt: now },
  });
  const rehashed = notifications.rehashed + responses.rehashed;
  await audit(subject.id, {
    outcome: 'ERASED',
    notifications: notifications.count,
    responses: responses.count,
    rehashed,
  });
  return {
    outcome: 'ERASED',
    result: {
      subjectId: subject.id,
      erasedAt: now,
      notifications: notifications.count,
      responses: responses.count,
      rehashed,
    },
  };
}

interface Unlinked {
  readonly count: number;
  readonly rehashed: number;
}

/** New keys for the notifications and their events and milestones; event details go; format-1 hashes are re-hashed. */
async function unlinkNotifications(
  tx: Tx,
  controllerId: string,
  subjectId: string,
  digest: (value: string) => string,
): Promise<Unlinked> {
  const rows = await tx.$queryRaw<
    {
      key: string;
      hashFormat: number;
      contentHash: string;
      versionId: string;
      channel: string;
      locale: string;
      occurredAt: Date;
      campaignId: string | null;
      templateHash: string | null;
    }[]
  >`
    SELECT n."idempotencyKey" AS key, n."hashFormat", n."contentHash", n."versionId"::text AS "versionId",
      n."channel"::text AS channel, n."locale", n."occurredAt", n."campaignId"::text AS "campaignId",
      t."contentHash" AS "templateHash"
    FROM "Notification" n
    LEFT JOIN "MessageTemplate" t ON t."id" = n."templateId"
    WHERE n."subjectId" = ${subjectId}::uuid`;
  if (rows.length === 0) return { count: 0, rehashed: 0 };
  const keys = rows.map((row) => row.key);
  const newKeys = keys.map(digest);
  const hashes = rows.map((row) =>
    row.hashFormat === 1
      ? notificationHash({
          subject: subjectId,
          version: row.versionId,
          channel: row.channel,
          locale: row.locale,
          occurredAt: row.occurredAt.toISOString(),
          campaign: row.campaignId,
          senderMessageId: null,
          template: row.templateHash,
        })
      : row.contentHash,
  );
  const controller = Prisma.sql`${controllerId}::uuid`;
  const remap = Prisma.sql`FROM unnest(${keys}::text[], ${newKeys}::text[], ${hashes}::text[]) AS m(old, new, hash)`;
  await tx.$executeRaw`
    UPDATE "NotificationEvent" e SET "notificationKey" = m.new, "detail" = NULL ${remap}
    WHERE e."controllerId" = ${controller} AND e."notificationKey" = m.old`;
  await tx.$executeRaw`
    UPDATE "NotificationMilestone" e SET "notificationKey" = m.new ${remap}
    WHERE e."controllerId" = ${controller} AND e."notificationKey" = m.old`;
  await tx.$executeRaw`
    UPDATE "Notification" n SET "idempotencyKey" = m.new, "senderMessageId" = NULL, "jurisdiction" = NULL,
      "contentHash" = m.hash, "hashFormat" = 2 ${remap}
    WHERE n."controllerId" = ${controller} AND n."idempotencyKey" = m.old`;
  return { count: rows.length, rehashed: rows.filter((row) => row.hashFormat === 1).length };
}

async function unlinkResponses(
  tx: Tx,
  subjectId: string,
  digest: (value: string) => string,
): Promise<Unlinked> {
  const rows = await tx.$queryRaw<
    {
      id: string;
      key: string;
      hashFormat: number;
      contentHash: string;
      purposeId: string;
      kind: string;
      occurredAt: Date;
      channel: string;
      versionId: string | null;
    }[]
  >`
    SELECT "id"::text, "idempotencyKey" AS key, "hashFormat", "contentHash", "purposeId"::text AS "purposeId",
      "kind"::text AS kind, "occurredAt", "channel"::text AS channel, "versionId"::text AS "versionId"
    FROM "Response" WHERE "subjectId" = ${subjectId}::uuid`;
  if (rows.length === 0) return { count: 0, rehashed: 0 };
  const hashes = rows.map((row) =>
    row.hashFormat === 1
      ? responseHash({
          subject: subjectId,
          purpose: row.purposeId,
          kind: row.kind,
          occurredAt: row.occurredAt.toISOString(),
          channel: row.channel,
          version: row.versionId,
        })
      : row.contentHash,
  );
  await tx.$executeRaw`
    UPDATE "Response" r SET "idempotencyKey" = m.key, "contentHash" = m.hash, "hashFormat" = 2
    FROM unnest(${rows.map((row) => row.id)}::uuid[], ${rows.map((row) => digest(row.key))}::text[], ${hashes}::text[])
      AS m(id, key, hash)
    WHERE r."id" = m.id`;
  return { count: rows.length, rehashed: rows.filter((row) => row.hashFormat === 1).length };
}

export class ErasureService {
  constructor(
    private readonly database: Database,
    private readonly viewer: Viewer,
    private readonly hasher: SubjectRefHasher,
  ) {}

  erase(subjectRef: string): Promise<ErasureResult> {
    return eraseSubject(this.database, this.viewer, this.hasher, subjectRef);
  }

  /** The retention schedule's purge for the caller's controller (docs/retention.md). */
  purgeExpired(dryRun: boolean): Promise<PurgeReport> {
    return purgeExpiredRecords(this.database, this.viewer.controllerId, {
      actor: actorOf(this.viewer),
      dryRun,
    });
  }
}
