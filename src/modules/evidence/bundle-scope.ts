import type { Prisma } from '../../generated/prisma/client.js';
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
    const rows = await client.$queryRawUnsafe<{ id: string; refHash: string }[]>(
      `SELECT "id"::text AS "id", "refHash" FROM "Subject"
       WHERE "controllerId" = $1::uuid AND "refHash" = ANY($2::text[])`,
      controllerId,
      scope.subjectRefHashes,
    );
    const found = new Set(rows.map((row) => row.refHash));
    subjectIds = rows.map((row) => row.id);
    unmatched.subjectRefHashes = scope.subjectRefHashes.filter((hash) => !found.has(hash));
  }
  let noticeIds: string[] | null = null;
  if (scope.noticeKeys) {
    const rows = await client.$queryRawUnsafe<{ id: string; key: string }[]>(
      `SELECT "id"::text AS "id", "key" FROM "Notice" WHERE "controllerId" = $1::uuid AND "key" = ANY($2::text[])`,
      controllerId,
      scope.noticeKeys,
    );
    const found = new Set(rows.map((row) => row.key));
    noticeIds = rows.map((row) => row.id);
    unmatched.noticeKeys = scope.noticeKeys.filter((key) => !found.has(key));
  }
  return { ...scope, subjectIds, noticeIds, unmatched };
}

/**
 * Builds the WHERE conditions that put a record in scope, with numbered parameters. One instance
 * per statement; placeholders are reused wherever a statement needs the same value twice.
 */
export class ScopeSql {
  readonly params: unknown[] = [];
  readonly controller: string;
  readonly #subjects: string | null;
  readonly #notices: string | null;
  readonly #from: string | null;
  readonly #to: string | null;

  constructor(
    controllerId: string,
    readonly scope: ResolvedScope,
  ) {
    this.controller = this.param(controllerId, 'uuid');
    this.#subjects = scope.subjectIds ? this.param(scope.subjectIds, 'uuid[]') : null;
    this.#notices = scope.noticeIds ? this.param(scope.noticeIds, 'uuid[]') : null;
    this.#from = scope.from ? this.param(scope.from.toISOString(), 'timestamptz') : null;
    this.#to = scope.to ? this.param(scope.to.toISOString(), 'timestamptz') : null;
  }

  param(value: unknown, cast: string): string {
    this.params.push(value);
    return `$${this.params.length}::${cast}`;
  }

  /** Whether a subject or notice criterion narrows the records (the period alone does not). */
  get narrowed(): boolean {
    return this.#subjects !== null || this.#notices !== null;
  }

  period(column: string): string[] {
    return [
      ...(this.#from ? [`${column} >= ${this.#from}`] : []),
      ...(this.#to ? [`${column} <= ${this.#to}`] : []),
    ];
  }

  /** Notification `n` of version `v`. */
  notification(n = 'n', v = 'v'): string[] {
    return [
      `${n}."controllerId" = ${this.controller}`,
      ...(this.#subjects ? [`${n}."subjectId" = ANY(${this.#subjects})`] : []),
      ...(this.#notices ? [`${v}."noticeId" = ANY(${this.#notices})`] : []),
      ...this.period(`${n}."occurredAt"`),
    ];
  }

  /** Event `e` of notification `n` of version `v`; the period applies to the event's own time. */
  event(e = 'e', n = 'n', v = 'v'): string[] {
    return [
      `${e}."controllerId" = ${this.controller}`,
      ...(this.#subjects ? [`${n}."subjectId" = ANY(${this.#subjects})`] : []),
      ...(this.#notices ? [`${v}."noticeId" = ANY(${this.#notices})`] : []),
      ...this.period(`${e}."occurredAt"`),
    ];
  }

  /** Response `r` with its version `v` (left-joined): one given without a version matches no notice criterion. */
  response(r = 'r', v = 'v'): string[] {
    return [
      `${r}."controllerId" = ${this.controller}`,
      ...(this.#subjects ? [`${r}."subjectId" = ANY(${this.#subjects})`] : []),
      ...(this.#notices ? [`${v}."noticeId" = ANY(${this.#notices})`] : []),
      ...this.period(`${r}."occurredAt"`),
    ];
  }
}

export const and = (conditions: readonly string[]) =>
  conditions.length === 0 ? 'TRUE' : conditions.join(' AND ');

/** ISO 8601 UTC with milliseconds, formatted by the database (no Date round trip per row). */
export const isoOf = (column: string) =>
  `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
