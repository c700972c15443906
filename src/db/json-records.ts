import type {
  NoticeVersion,
  Notification,
  NotificationEvent,
  PurposeRevision,
  Response,
  Subject,
} from '../generated/prisma/client.js';

/**
 * Records aggregated in SQL with `to_jsonb(row)` (one statement that returns a record with its
 * related records), back in the shape Prisma returns them: JSON carries instants as ISO 8601
 * text, so the `DateTime` columns become `Date`s again. Every other column type these models use
 * (text, uuid, enums, integers, booleans, arrays, json) comes back as Prisma returns it.
 */
function dated<T>(keys: readonly (keyof T & string)[]) {
  return (row: unknown): T => {
    const record = { ...(row as Record<string, unknown>) };
    for (const key of keys) {
      const value = record[key];
      record[key] = value === null || value === undefined ? null : new Date(value as string);
    }
    return record as T;
  };
}

export const notificationFromJson = dated<Notification>(['occurredAt', 'recordedAt']);
export const eventFromJson = dated<NotificationEvent>(['occurredAt', 'recordedAt']);
export const responseFromJson = dated<Response>(['occurredAt', 'recordedAt']);
export const revisionFromJson = dated<PurposeRevision>(['createdAt']);
/** A version as the lookup statements read it: without its canonical form (`VersionFromFacts`). */
export const versionFromJson = dated<Omit<NoticeVersion, 'canonicalForm'>>([
  'effectiveFrom',
  'createdAt',
  'updatedAt',
  'publishedAt',
  'retiredAt',
]);
export const subjectFromJson = dated<Subject>(['createdAt', 'erasedAt']);
