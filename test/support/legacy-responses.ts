import { developmentSubjectRefSecret } from '../../src/config/env.js';
import type { Database } from '../../src/db/database.js';
import { hashSecret } from '../../src/modules/api-key/api-key.secret.js';
import { recordHash } from '../../src/modules/notification/record-hash.js';
import { SubjectRefHasher } from '../../src/modules/subject/subject-ref.js';

const hasher = new SubjectRefHasher(developmentSubjectRefSecret);

export interface LegacyResponse {
  readonly subjectRef: string;
  readonly purposeKey: string;
  readonly kind: 'CONSENT_GIVEN' | 'CONSENT_REFUSED';
  readonly occurredAt: string;
  readonly channel: string;
  readonly idempotencyKey: string;
}

/**
 * A consent answer as it was recorded before consent records had to name the notice version and
 * locale (ADR 0033): such rows stay in databases, and eligibility still has to judge them
 * (CONSENT_VERSION_UNKNOWN). The API no longer writes them, so they are inserted as recordResponses
 * wrote them then, with the same content hash. Returns the record ID.
 */
export async function insertLegacyResponse(
  database: Database,
  apiKey: string,
  item: LegacyResponse,
): Promise<string> {
  const prisma = database.prisma;
  const { controllerId } = await prisma.apiKey.findUniqueOrThrow({
    where: { secretHash: hashSecret(apiKey) },
    select: { controllerId: true },
  });
  const refHash = hasher.hash(controllerId, item.subjectRef);
  const subject = await prisma.subject.upsert({
    where: { controllerId_refHash: { controllerId, refHash } },
    create: { controllerId, refHash },
    update: {},
  });
  const purpose = await prisma.purpose.findUniqueOrThrow({
    where: { controllerId_key: { controllerId, key: item.purposeKey } },
  });
  const occurredAt = new Date(item.occurredAt);
  const response = await prisma.response.create({
    data: {
      controllerId,
      subjectId: subject.id,
      purposeId: purpose.id,
      kind: item.kind,
      occurredAt,
      channel: item.channel as never,
      idempotencyKey: item.idempotencyKey,
      contentHash: recordHash({
        subject: refHash,
        purpose: purpose.id,
        kind: item.kind,
        occurredAt: occurredAt.toISOString(),
        channel: item.channel,
        version: null,
      }),
    },
  });
  return response.id;
}
