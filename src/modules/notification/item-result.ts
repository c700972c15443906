import { type FieldIssue, validationFailed } from '../../domain/errors.js';

export type ItemStatus = 'ACCEPTED' | 'DUPLICATE' | 'REJECTED';

/** The outcome of one item of a bulk write, in input order. */
export interface ItemResult {
  readonly index: number;
  readonly idempotencyKey: string | null;
  readonly status: ItemStatus;
  /** ID of the record created or found (ACCEPTED and DUPLICATE). */
  readonly recordId: string | null;
  readonly error: {
    readonly code: string;
    readonly message: string;
    readonly issues: readonly FieldIssue[];
  } | null;
  /** A signed receipt of the record (recordResponses with `receipts: true`). */
  readonly receipt?: string | null;
}

export interface BulkResult {
  readonly batchId: string | null;
  readonly accepted: number;
  readonly duplicates: number;
  readonly rejected: number;
  readonly items: readonly ItemResult[];
}

export function rejected(
  index: number,
  idempotencyKey: string | null,
  code: string,
  message: string,
  issues: readonly FieldIssue[] = [],
): ItemResult {
  return { index, idempotencyKey, status: 'REJECTED', recordId: null, error: { code, message, issues } };
}

export function summarize(batchId: string | null, items: ItemResult[]): BulkResult {
  const sorted = items.sort((a, b) => a.index - b.index);
  return {
    batchId,
    accepted: sorted.filter((item) => item.status === 'ACCEPTED').length,
    duplicates: sorted.filter((item) => item.status === 'DUPLICATE').length,
    rejected: sorted.filter((item) => item.status === 'REJECTED').length,
    items: sorted,
  };
}

interface ItemSchema<T> {
  safeParse(
    value: unknown,
  ):
    | { success: true; data: T }
    | { success: false; error: { issues: { message: string; path: PropertyKey[] }[] } };
}

/**
 * Checks each item on its own: the valid ones go on, each invalid one becomes a coded rejection.
 * `isClean`, when given, accepts an item as it is without the schema (the bulk hot path); it must
 * never accept what the schema rejects.
 */
export function validateItems<T>(
  schema: ItemSchema<T>,
  rawItems: readonly object[],
  isClean?: (raw: object) => raw is T & object,
): { valid: { index: number; item: T }[]; results: ItemResult[] } {
  const valid: { index: number; item: T }[] = [];
  const results: ItemResult[] = [];
  rawItems.forEach((raw, index) => {
    if (isClean?.(raw)) {
      valid.push({ index, item: raw });
      return;
    }
    const parsed = schema.safeParse(raw);
    if (parsed.success) valid.push({ index, item: parsed.data });
    else {
      const error = validationFailed(parsed.error.issues);
      const key = (raw as { idempotencyKey?: unknown }).idempotencyKey;
      results.push(
        rejected(
          index,
          typeof key === 'string' ? key : null,
          error.code,
          'The item is invalid.',
          error.issues,
        ),
      );
    }
  });
  return { valid, results };
}

/** An idempotency key seen earlier in the same batch: a duplicate when the content agrees, else a conflict. */
export function repeatInBatch(index: number, key: string, sameContent: boolean): ItemResult {
  return sameContent
    ? { index, idempotencyKey: key, status: 'DUPLICATE', recordId: null, error: null }
    : rejected(
        index,
        key,
        'IDEMPOTENCY_CONFLICT',
        'The idempotency key is used earlier in this batch with other content.',
      );
}

/** The outcome of an item after the write: inserted now, the same content already there, or a conflict. */
export function writtenOutcome(
  index: number,
  key: string,
  row: { id: string; contentHash: string },
  inserted: boolean,
  contentHash: string,
): ItemResult {
  if (inserted) return { index, idempotencyKey: key, status: 'ACCEPTED', recordId: row.id, error: null };
  if (row.contentHash === contentHash) {
    return { index, idempotencyKey: key, status: 'DUPLICATE', recordId: row.id, error: null };
  }
  return rejected(
    index,
    key,
    'IDEMPOTENCY_CONFLICT',
    'The idempotency key was used before with other content.',
  );
}

/**
 * A repeat inside a batch (same key, same content as its first occurrence) gets the outcome of
 * that first occurrence (`originals`, by key): the same record, or the same rejection.
 */
export function pointRepeatsAtOriginal(
  results: ItemResult[],
  originals: ReadonlyMap<string, ItemResult>,
): ItemResult[] {
  return results.map((result) => {
    if (result.status !== 'DUPLICATE' || result.recordId !== null || result.idempotencyKey === null)
      return result;
    const original = originals.get(result.idempotencyKey);
    if (!original) return result;
    return original.status === 'REJECTED'
      ? { ...result, status: 'REJECTED', error: original.error }
      : { ...result, recordId: original.recordId };
  });
}
