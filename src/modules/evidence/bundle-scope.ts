import { Prisma } from '../../generated/prisma/client.js';
import type { NormalizedScope } from './evidence.validation.js';

type Client = Prisma.TransactionClient;

/** A scope with its keys looked up: the database IDs the SQL filters on. */
export interface ResolvedScope extends NormalizedScope {
  /** null: no subject criterion; empty: a criterion nothing matches. */
  readonly subjectIds: readonly string[] | null;
  readonly noticeIds: readonly string[] | null;
  readonly unmatched: { readonly subjectRefHashes: string[]; readonly noticeKeys: string[] };
}

export async function resolveScope(
  client: Client,
  controllerId: string,
  scope: NormalizedScope,
): Promise<ResolvedScope> {
  let subjectIds: string[] | null = null;
  const unmatched = { subjectRefHashes: [] as string[], noticeKeys: [] as string[] };
  if (scope.subjectRefHashes) {
    const rows = await client.$queryRaw<{ id: string; refHash: string }[]>`
      SELECT "id"::text AS "id", "refHash" FROM "Subject"
      WHERE "controllerId" = ${controllerId}::uuid AND "refHash" = ANY(${scope.subjectRefHashes}::text[])`;
    const found = new Set(rows.map((row) => row.refHash));
    subjectIds = rows.map((row) => row.id);
    unmatched.subjectRefHashes = scope.subjectRefHashes.filter((hash) => !found.has(hash));
  }
  let noticeIds: string[] | null = null;
  if (scope.noticeKeys) {
    const rows = await client.$queryRaw<{ id: string; key: string }[]>`
      SELECT "id"::text AS "id", "key" FROM "Notice"
      WHERE "controllerId" = ${controllerId}::uuid AND "key" = ANY(${scope.noticeKeys}::text[])`;
    const found = new Set(rows.map((row) => row.key));
    noticeIds = rows.map((row) => row.id);
    unmatched.noticeKeys = scope.noticeKeys.filter((key) => !found.has(key));
  }
  return { ...scope, subjectIds, noticeIds, unmatched };
}

/**
 * The conditions that put a record in scope, as SQL fragments with bound values: the SQL form of
 * `recordInScope` in src/modules/regulator/regulator.scope.ts (every criterion given must hold;
 * the period is closed). Records are
 * always read under the same aliases: notification `n`, event `e`, response `r`, and the notice
 * version `v` they refer to.
 */
export class ScopeSql {
  readonly controller: Prisma.Sql;
  readonly #subjects: Prisma.Sql | null;
  readonly #notices: Prisma.Sql | null;
  readonly #from: Prisma.Sql | null;
  readonly #to: Prisma.Sql | null;

  constructor(controllerId: string, scope: ResolvedScope) {
    this.controller = Prisma.sql`${controllerId}::uuid`;
    this.#subjects = scope.subjectIds ? Prisma.sql`${scope.subjectIds}::uuid[]` : null;
    this.#notices = scope.noticeIds ? Prisma.sql`${scope.noticeIds}::uuid[]` : null;
    this.#from = scope.from ? Prisma.sql`${scope.from.toISOString()}::timestamptz` : null;
    this.#to = scope.to ? Prisma.sql`${scope.to.toISOString()}::timestamptz` : null;
  }

  /** Whether a subject or notice criterion narrows the records (the period alone does not). */
  get narrowed(): boolean {
    return this.#subjects !== null || this.#notices !== null;
  }

  period(column: Prisma.Sql): Prisma.Sql[] {
    return [
      ...(this.#from ? [Prisma.sql`${column} >= ${this.#from}`] : []),
      ...(this.#to ? [Prisma.sql`${column} <= ${this.#to}`] : []),
    ];
  }

  /** Notification `n` of version `v`. */
  notification(): Prisma.Sql[] {
    return this.#conditions(
      Prisma.sql`n."controllerId"`,
      Prisma.sql`n."subjectId"`,
      Prisma.sql`n."occurredAt"`,
    );
  }

  /** Event `e` of notification `n` of version `v`; the period applies to the event's own time. */
  event(): Prisma.Sql[] {
    return this.#conditions(
      Prisma.sql`e."controllerId"`,
      Prisma.sql`n."subjectId"`,
      Prisma.sql`e."occurredAt"`,
    );
  }

  /** Response `r` with its version `v` (left-joined): one given without a version matches no notice criterion. */
  response(): Prisma.Sql[] {
    return this.#conditions(
      Prisma.sql`r."controllerId"`,
      Prisma.sql`r."subjectId"`,
      Prisma.sql`r."occurredAt"`,
    );
  }

  #conditions(controller: Prisma.Sql, subject: Prisma.Sql, time: Prisma.Sql): Prisma.Sql[] {
    return [
      Prisma.sql`${controller} = ${this.controller}`,
      ...(this.#subjects ? [Prisma.sql`${subject} = ANY(${this.#subjects})`] : []),
      ...(this.#notices ? [Prisma.sql`v."noticeId" = ANY(${this.#notices})`] : []),
      ...this.period(time),
    ];
  }
}
