import { Prisma } from '../../generated/prisma/client.js';

/**
 * The figures of every purpose of the controller (or those named) in one set-based statement:
 * cases counted by outcome, the open ones past the controller's deadline at `at`, and the
 * median and 95th percentile of the time to decide (continuous percentiles, in seconds). Cases
 * opened after `at` are not counted; decisions after `at` count as open.
 */
export function objectionFiguresQuery(
  controllerId: string,
  purposeKeys: readonly string[] | null,
  at: Date,
): Prisma.Sql {
  // From epoch milliseconds: an ISO string of year 0 (1 BC) is not valid PostgreSQL input.
  const instant = Prisma.sql`to_timestamp(${at.getTime()}::float8 / 1000)`;
  const named =
    purposeKeys === null ? Prisma.sql`TRUE` : Prisma.sql`p."key" = ANY(${[...purposeKeys]}::text[])`;
  return Prisma.sql`
    WITH settings AS (
      SELECT c."objectionDecisionDays" AS days FROM "Controller" c WHERE c."id" = ${controllerId}::uuid
    ), cases AS (
      SELECT oc."purposeId", oc."openedAt", oc."directMarketing",
        CASE WHEN oc."decidedAt" <= ${instant} THEN oc."outcome"::text ELSE 'OPEN' END AS outcome,
        CASE WHEN oc."decidedAt" <= ${instant} THEN extract(epoch FROM oc."decidedAt" - oc."openedAt") END AS seconds
      FROM "ObjectionCase" oc
      WHERE oc."controllerId" = ${controllerId}::uuid AND oc."openedAt" <= ${instant}
    )
    SELECT p."key" AS "purposeKey",
      count(k."openedAt")::int AS "received",
      count(*) FILTER (WHERE k.outcome = 'OPEN')::int AS "open",
      count(*) FILTER (WHERE k.outcome = 'HONOURED')::int AS "honoured",
      count(*) FILTER (WHERE k.outcome = 'REFUSED')::int AS "refused",
      count(*) FILTER (WHERE k."directMarketing")::int AS "directMarketing",
      count(*) FILTER (WHERE k.outcome = 'OPEN'
        AND k."openedAt" + s.days * interval '24 hours' < ${instant})::int AS "overdue",
      (percentile_cont(0.5) WITHIN GROUP (ORDER BY k.seconds))::float8 AS "decisionSecondsP50",
      (percentile_cont(0.95) WITHIN GROUP (ORDER BY k.seconds))::float8 AS "decisionSecondsP95",
      s.days AS "decisionDays"
    FROM "Purpose" p
    CROSS JOIN settings s
    LEFT JOIN cases k ON k."purposeId" = p."id"
    WHERE p."controllerId" = ${controllerId}::uuid AND ${named}
    GROUP BY p."id", p."key", s.days
    ORDER BY p."key"`;
}
