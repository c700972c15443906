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
 * Values kept per controller, at most `perController` for one and `inAll` in all; past the total,
 * every value of the controller remembered first is forgotten.
 */
class PerController<V> {
  private readonly byController = new Map<string, Map<string, V>>();
  private count = 0;

  constructor(private readonly limits: RememberedLimits) {}

  keys(controllerId: string): string[] {
    const values = this.byController.get(controllerId);
    return values === undefined ? [] : [...values.keys()];
  }

  values(controllerId: string): ReadonlyMap<string, V> {
    return this.byController.get(controllerId) ?? new Map();
  }

  clear(): void {
    this.byController.clear();
    this.count = 0;
  }

  get(controllerId: string, key: string): V | undefined {
    return this.byController.get(controllerId)?.get(key);
  }

  set(controllerId: string, key: string, value: V): void {
    const known = this.byController.get(controllerId);
    if (known !== undefined && (known.size >= this.limits.perController || known.has(key))) return;
    while (this.count >= this.limits.inAll && this.byController.size > 0) this.forgetOldest();
    let values = this.byController.get(controllerId);
    if (values === undefined) {
      values = new Map();
      this.byController.set(controllerId, values);
    }
    values.set(key, value);
    this.count += 1;
  }

  private forgetOldest(): void {
    const [oldest] = this.byController;
    if (oldest === undefined) return;
    this.byController.delete(oldest[0]);
    this.count -= oldest[1].size;
  }
}

/**
 * What lookups have read of published notice versions, per controller, so that a lookup statement
 * need not read it again (ADR 0053): a version's row (`VersionFromFacts`) for the eligibility
 * statement, and the hash of a version's text in a locale (`translationHash`) for the proof
 * statement. Each statement is told what is remembered and returns only the rest. A published
 * version never changes but for `changingVersionColumns`, which the statements always read, and
 * its texts never change (the `NoticeTranslation_immutable` trigger); so nothing remembered is ever
 * stale, in this process or any other. Entries are keyed by the controller that read them and
 * consulted only for version IDs that controller's own statement returned.
 */
export class PublishedVersionRows {
  private readonly rows: PerController<FixedVersionColumns>;
  private readonly textHashes: PerController<string>;

  constructor(limits: RememberedLimits = defaultLimits) {
    this.rows = new PerController(limits);
    this.textHashes = new PerController(limits);
  }

  /** The IDs of the controller's versions remembered, for a statement's parameter. */
  known(controllerId: string): string[] {
    return this.rows.keys(controllerId);
  }

  /**
   * The controller's remembered rows by version ID. Rows are only ever added to the map returned
   * (forgetting a controller drops the map, not its entries), so a statement told its keys finds
   * each of them in it when its answer comes back.
   */
  rowsOf(controllerId: string): ReadonlyMap<string, FixedVersionColumns> {
    return this.rows.values(controllerId);
  }

  /** Remembers a published version's row read by `controllerId`'s statement. */
  remember(controllerId: string, row: VersionFromFacts): void {
    if (row.number === null || row.controllerId !== controllerId) return;
    const {
      status: _status,
      retiredAt: _retiredAt,
      retiredByKeyId: _by,
      updatedAt: _updated,
      ...fixed
    } = row;
    this.rows.set(controllerId, row.id, fixed);
  }

  /** The whole row of a remembered version, with the columns that may change as just read; undefined when not remembered. */
  row(controllerId: string, id: string, changing: ChangingVersionColumns): VersionFromFacts | undefined {
    const fixed = this.rows.get(controllerId, id);
    return fixed === undefined ? undefined : { ...fixed, ...changing };
  }

  /**
   * Forgets every row and hash: for when a published version was changed by hand, the
   * immutability triggers disabled (a repair; the tests of versions published before a column
   * existed).
   */
  clear(): void {
    this.rows.clear();
    this.textHashes.clear();
  }

  /** The version texts whose hashes are remembered, as `versionId:locale`, for a statement's parameter. */
  knownTexts(controllerId: string): string[] {
    return this.textHashes.keys(controllerId);
  }

  /** Remembers the hash of a published version's text in a locale, read by `controllerId`'s statement. */
  rememberTextHash(controllerId: string, versionId: string, locale: string, hash: string): void {
    this.textHashes.set(controllerId, textKey(versionId, locale), hash);
  }

  /** The remembered hash of a version's text in a locale; undefined when not remembered. */
  textHash(controllerId: string, versionId: string, locale: string): string | undefined {
    return this.textHashes.get(controllerId, textKey(versionId, locale));
  }
}

/** How a version's text in a locale is named among the remembered ones (and in the proof statement). */
function textKey(versionId: string, locale: string): string {
  return `${versionId}:${locale}`;
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
