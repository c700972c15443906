import { objectionBases, type PurposeContext, type VersionRules } from './eligibility.policy.js';

export interface EligibleSetQuery {
  readonly sql: string;
  readonly params: unknown[];
}

/** SHA-256 (hex) of the empty string: the hash of an empty eligible set. */
export const emptySetHash = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

/** Numbers parameters as they are first used, so every statement uses all it is given. */
class Parameters {
  readonly values: unknown[] = [];
  private readonly placeholders = new Map<string, string>();

  bind(name: string, value: unknown, type: string): string {
    let placeholder = this.placeholders.get(name);
    if (placeholder === undefined) {
      this.values.push(value);
      placeholder = `$${this.values.length}::${type}`;
      this.placeholders.set(name, placeholder);
    }
    return placeholder;
  }
}

/**
 * The eligible subjects, as one statement over all subjects of the controller: the subject-level
 * part of `decideEligibility` in SQL. The version-level part (which versions count) is computed
 * once in TypeScript by `versionRules` and passed in as arrays, so both paths share it. Records
 * recorded after `knownAt` are ignored, so that a manifest can be recomputed later.
 *
 * `summary` returns the count and the set hash: SHA-256 over the subject IDs (lower-case UUID
 * text) sorted ascending and joined by "\n" (no trailing newline), hex-encoded; `list` returns the
 * same set as rows. Null when nobody can be eligible (purpose archived or not yet defined).
 */
export function eligibleSetQueries(
  controllerId: string,
  context: PurposeContext,
  rules: VersionRules,
  knownAt: Date,
): { summary: EligibleSetQuery; list: EligibleSetQuery } | null {
  const { revision } = context;
  if (revision === null) return null;
  if (context.archivedAt !== null && context.archivedAt.getTime() <= context.at.getTime()) return null;
  const p = new Parameters();
  const controller = () => p.bind('controller', controllerId, 'uuid');
  const at = () => p.bind('at', context.at.toISOString(), 'timestamptz');
  const known = () => p.bind('knownAt', knownAt.toISOString(), 'timestamptz');

  /** Per subject, the latest response of two kinds by time; among equal times `winner`, then the greater ID. */
  const latestResponse = (kinds: [string, string], winner: string) => `
    SELECT DISTINCT ON (r."subjectId") r."subjectId", r."kind", r."occurredAt", r."versionId"
    FROM "Response" r
    WHERE r."controllerId" = ${controller()} AND r."purposeId" = ${p.bind('purpose', context.purposeId, 'uuid')}
      AND r."kind" IN ('${kinds[0]}', '${kinds[1]}')
      AND r."occurredAt" <= ${at()} AND r."recordedAt" <= ${known()}
    ORDER BY r."subjectId", r."occurredAt" DESC, (r."kind" = '${winner}') DESC, r."id" DESC`;
  const standingObjection = () => `
    SELECT o."subjectId" FROM (${latestResponse(['OBJECTED', 'OBJECTION_WITHDRAWN'], 'OBJECTED')}) o
    WHERE o."kind" = 'OBJECTED'`;
  const notifiedOf = (versionIds: Iterable<string>) => `
    SELECT n."subjectId", n."channel", n."occurredAt", n."idempotencyKey"
    FROM "Notification" n
    WHERE n."controllerId" = ${controller()} AND n."versionId" = ANY(${p.bind('versions', [...versionIds], 'uuid[]')})
      AND n."occurredAt" <= ${at()} AND n."recordedAt" <= ${known()}`;

  let eligible: string;
  if (revision.legalBasis === 'CONSENT') {
    const validity = p.bind('validityDays', revision.consentValidityDays, 'int');
    eligible = `
      SELECT c."subjectId" AS id
      FROM (${latestResponse(['CONSENT_GIVEN', 'CONSENT_WITHDRAWN'], 'CONSENT_WITHDRAWN')}) c
      WHERE c."kind" = 'CONSENT_GIVEN'
        AND ((c."versionId" IS NULL AND c."occurredAt" >= ${p.bind('revisionCreatedAt', revision.createdAt.toISOString(), 'timestamptz')})
          OR c."versionId" = ANY(${p.bind('consentVersions', [...rules.consentCurrent], 'uuid[]')}))
        AND (${validity} IS NULL OR c."occurredAt" + ${validity} * interval '24 hours' > ${at()})`;
  } else if (revision.legalBasis === 'LEGITIMATE_INTERESTS') {
    eligible = `
      SELECT n."subjectId" AS id
      FROM (${notifiedOf(rules.notifiable.keys())}) n
      LEFT JOIN (
        SELECT e."notificationKey", min(e."occurredAt") AS "reachedAt"
        FROM "NotificationEvent" e
        WHERE e."controllerId" = ${controller()} AND e."type" IN ('DELIVERED', 'OPENED', 'ACKNOWLEDGED')
          AND e."occurredAt" <= ${at()} AND e."recordedAt" <= ${known()}
        GROUP BY e."notificationKey"
      ) e ON e."notificationKey" = n."idempotencyKey"
      GROUP BY n."subjectId"
      HAVING min(CASE WHEN n."channel" IN ('IN_APP', 'WEB_BANNER') THEN n."occurredAt" ELSE e."reachedAt" END)
        <= ${at()} - ${p.bind('noticeDays', context.minimumNoticeDays, 'int')} * interval '24 hours'
      EXCEPT ${standingObjection()}`;
  } else {
    eligible = `SELECT DISTINCT n."subjectId" AS id FROM (${notifiedOf(rules.covering)}) n`;
    if (objectionBases.includes(revision.legalBasis)) eligible += ` EXCEPT ${standingObjection()}`;
  }
  // Erased subjects (Art. 17) are never eligible from their erasure on.
  eligible = `${eligible}
    EXCEPT SELECT s."id" FROM "Subject" s
    WHERE s."controllerId" = ${controller()} AND s."erasedAt" <= ${at()} AND s."erasedAt" <= ${known()}`;
  return {
    summary: {
      sql: `WITH eligible AS (${eligible})
        SELECT count(*)::int AS "eligible",
          encode(sha256(convert_to(coalesce(string_agg(id::text, E'\\n' ORDER BY id), ''), 'UTF8')), 'hex') AS "setHash"
        FROM eligible`,
      params: p.values,
    },
    list: {
      sql: `WITH eligible AS (${eligible}) SELECT id::text AS id FROM eligible ORDER BY id`,
      params: p.values,
    },
  };
}
