import { createHash, randomUUID } from 'node:crypto';
import type { Database } from '../../db/database.js';
import { NotFoundError } from '../../domain/errors.js';
import { Prisma } from '../../generated/prisma/client.js';
import type { Viewer } from '../access/access.policy.js';
import { actorOf, appendAudit } from '../audit/audit.service.js';
import type { SubjectRefHasher } from '../subject/subject-ref.js';

export interface ErasureResult {
  readonly subjectId: string;
  readonly erasedAt: Date;
  readonly notifications: number;
  readonly responses: number;
}

/**
 * Unlinks every record from the person (GDPR Art. 17) while keeping the records themselves:
 * the subject's reference hash becomes a random token, its jurisdiction and locale go, and the
 * client-chosen keys and sender message IDs — which may embed the person's identifiers — are
 * replaced by one-way digests. Counts, campaign figures and the audit chain are untouched.
 */
export async function eraseSubject(
  database: Database,
  viewer: Viewer,
  hasher: SubjectRefHasher,
  subjectRef: string,
  now = new Date(),
): Promise<ErasureResult> {
  const refHash = hasher.hash(viewer.controllerId, subjectRef);
  return database.prisma.$transaction(async (tx) => {
    // Lock the subject first: a batch that has written records for it holds it until it commits,
    // so every record committed before this point is found below and unlinked with the rest.
    const [subject] = await tx.$queryRaw<{ id: string }[]>`
      SELECT "id"::text FROM "Subject"
      WHERE "controllerId" = ${viewer.controllerId}::uuid AND "refHash" = ${refHash} FOR UPDATE`;
    if (subject === undefined) throw new NotFoundError('Subject', 'the given reference');
    await tx.$executeRaw`SELECT set_config('notarium.erasure', 'on', true)`;
    const salt = randomUUID();
    const digest = (value: string) =>
      `erased:${createHash('sha256').update(`${salt}:${value}`).digest('hex').slice(0, 32)}`;
    const notifications = await tx.notification.findMany({
      where: { subjectId: subject.id },
      select: { id: true, idempotencyKey: true },
    });
    const keys = notifications.map((notification) => notification.idempotencyKey);
    const newKeys = keys.map(digest);
    if (keys.length > 0) {
      const controller = Prisma.sql`${viewer.controllerId}::uuid`;
      const remap = Prisma.sql`FROM unnest(${keys}::text[], ${newKeys}::text[]) AS m(old, new)`;
      await tx.$executeRaw`
        UPDATE "NotificationEvent" e SET "notificationKey" = m.new ${remap}
        WHERE e."controllerId" = ${controller} AND e."notificationKey" = m.old`;
      await tx.$executeRaw`
        UPDATE "NotificationMilestone" e SET "notificationKey" = m.new ${remap}
        WHERE e."controllerId" = ${controller} AND e."notificationKey" = m.old`;
      await tx.$executeRaw`
        UPDATE "Notification" n SET "idempotencyKey" = m.new, "senderMessageId" = NULL, "jurisdiction" = NULL ${remap}
        WHERE n."controllerId" = ${controller} AND n."idempotencyKey" = m.old`;
    }
    const responses = await tx.response.findMany({
      where: { subjectId: subject.id },
      select: { id: true, idempotencyKey: true },
    });
    for (const response of responses) {
      await tx.response.update({
        where: { id: response.id },
        data: { idempotencyKey: digest(response.idempotencyKey) },
      });
    }
    await tx.subject.update({
      where: { id: subject.id },
      data: { refHash: `erased:${randomUUID()}`, jurisdiction: null, locale: null, erasedAt: now },
    });
    await appendAudit(
      tx,
      actorOf(viewer),
      {
        action: 'subject:erase',
        targetType: 'Subject',
        targetId: subject.id,
        details: { notifications: notifications.length, responses: responses.length },
      },
      now,
    );
    return {
      subjectId: subject.id,
      erasedAt: now,
      notifications: notifications.length,
      responses: responses.length,
    };
  });
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
}
