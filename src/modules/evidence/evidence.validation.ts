import { z } from 'zod';
import { validationFailed } from '../../domain/errors.js';
import { recordKey } from '../purpose/purpose.validation.js';

/**
 * What a bundle covers. Every given criterion must hold for a record to be included; an omitted
 * one does not restrict. The period is closed: `from` ≤ occurredAt ≤ `to` (as for regulator requests).
 */
export interface BundleScope {
  /** Subjects by ref hash (SubjectRefHasher.hash of the controller's user reference). */
  readonly subjectRefHashes?: readonly string[];
  readonly noticeKeys?: readonly string[];
  readonly from?: Date;
  readonly to?: Date;
}

export interface NormalizedScope {
  readonly subjectRefHashes: readonly string[] | null;
  readonly noticeKeys: readonly string[] | null;
  readonly from: Date | null;
  readonly to: Date | null;
}

const validDate = z.date().refine((value) => !Number.isNaN(value.getTime()), 'must be a valid date');

export const bundleScopeSchema = z
  .object({
    subjectRefHashes: z
      .array(z.string().min(1).max(128))
      .min(1, 'give at least one subject, or leave the criterion out')
      .max(100_000)
      .optional(),
    noticeKeys: z
      .array(recordKey)
      .min(1, 'give at least one notice key, or leave the criterion out')
      .max(1_000)
      .optional(),
    from: validDate.optional(),
    to: validDate.optional(),
  })
  .refine((scope) => !scope.from || !scope.to || scope.from.getTime() <= scope.to.getTime(), {
    message: 'must not be before from',
    path: ['to'],
  });

const sortedUnique = (values: readonly string[] | undefined) =>
  values === undefined ? null : [...new Set(values)].sort();

/** Validates a scope and puts it in the one form a manifest records (lists sorted, duplicates gone). */
export function normalizeScope(scope: BundleScope): NormalizedScope {
  const parsed = bundleScopeSchema.safeParse(scope);
  if (!parsed.success) throw validationFailed(parsed.error.issues);
  return {
    subjectRefHashes: sortedUnique(parsed.data.subjectRefHashes),
    noticeKeys: sortedUnique(parsed.data.noticeKeys),
    from: parsed.data.from ?? null,
    to: parsed.data.to ?? null,
  };
}
