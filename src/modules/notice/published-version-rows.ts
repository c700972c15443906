import type { Database } from '../../db/database.js';
import type { VersionFromFacts } from './version-from-facts.js';

/**
 * The columns of a published version that may still change: retiring it sets them, and nothing
 * else may change (the `NoticeVersion_immutable` trigger, prisma/migrations). A lookup reads them
 * with every statement; a remembered row never answers them.
 */
export const changingVersionColumns = ['status', 'retiredAt', 'retiredByKeyId', 'updatedAt'] as const;
type ChangingColumn = (typeof changingVersionColumns)[number];

/** A published version's row without the columns that may still change. */
export type FixedVersionColumns = Omit<VersionFromFacts, ChangingColumn>;
/** The columns that may still change, as a statement read them. */
export type ChangingVersionColumns = Pick<VersionFromFacts, ChangingColumn>;

/** How much is remembered. */
export interface RememberedLimits {
  /** Versions per controller (their IDs are a parameter of every lookup statement); beyond, lookups read their rows. */
  readonly perController: number;
  /** Rows in all (a row is about 1–2 kB); beyond, the controller remembered first is forgotten. */
  readonly inAll: number;
}

const defaultLimits: RememberedLimits = { perController: 500, inAll: 20_000 };

/**
 * The rows of published notice versions (`VersionFromFacts`) that lookups have read, per
 * controller, so that a lookup statement need not read them again (ADR 0053): it is told the IDs
 * remembered and returns rows only for the others. A published version never changes but for
 * `changingVersionColumns`, which the statements always read; so a remembered row is never stale,
 * in this process or any other. Entries are keyed by the controller that read them and consulted
 * only for version IDs that controller's own statement returned.
 */
export class PublishedVersionRows {
  private readonly byController = new Map<string, Map<string, FixedVersionColumns>>();
  private count = 0;

  constructor(private readonly limits: RememberedLimits = defaultLimits) {}

  /** The IDs of the controller's versions remembered, for a statement's parameter. */
  known(controllerId: string): string[] {
    const rows = this.byController.get(controllerId);
    return rows === undefined ? [] : [...rows.keys()];
  }

  /** Remembers a published version's row read by `controllerId`'s statement. */
  remember(controllerId: string, row: VersionFromFacts): void {
    if (row.number === null || row.controllerId !== controllerId) return;
    const known = this.byController.get(controllerId);
    if (known !== undefined && (known.size >= this.limits.perController || known.has(row.id))) return;
    while (this.count >= this.limits.inAll && this.byController.size > 0) this.forgetOldest();
    let rows = this.byController.get(controllerId);
    if (rows === undefined) {
      rows = new Map();
      this.byController.set(controllerId, rows);
    }
    const {
      status: _status,
      retiredAt: _retiredAt,
      retiredByKeyId: _by,
      updatedAt: _updated,
      ...fixed
    } = row;
    rows.set(row.id, fixed);
    this.count += 1;
  }

  /** Forgets every row of the controller remembered first. */
  private forgetOldest(): void {
    const [oldest] = this.byController;
    if (oldest === undefined) return;
    this.byController.delete(oldest[0]);
    this.count -= oldest[1].size;
  }

  /** The whole row of a remembered version, with the columns that may change as just read; undefined when not remembered. */
  row(controllerId: string, id: string, changing: ChangingVersionColumns): VersionFromFacts | undefined {
    const fixed = this.byController.get(controllerId)?.get(id);
    return fixed === undefined ? undefined : { ...fixed, ...changing };
  }
}

const byDatabase = new WeakMap<Database, PublishedVersionRows>();

/** The remembered version rows of a database, shared by every request that uses it. */
export function publishedVersionRows(database: Database): PublishedVersionRows {
  let rows = byDatabase.get(database);
  if (rows === undefined) {
    rows = new PublishedVersionRows();
    byDatabase.set(database, rows);
  }
  return rows;
}
