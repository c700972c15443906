import { z } from 'zod';
import { maxBatchSize } from './notification.validation.js';
import type { RawNotificationItem } from './record-notifications.js';

/**
 * Notifications of one notice version as columns: entry i of every list describes row i. The
 * same records as `recordNotifications` items, in a form that is much cheaper to send and to
 * read at volume (no per-row input object to coerce).
 */
export interface NotificationColumns {
  readonly noticeKey: string;
  readonly versionNumber: number;
  readonly campaignId?: string | null;
  readonly subjectRefs: readonly string[];
  readonly idempotencyKeys: readonly string[];
  readonly channels: readonly string[];
  readonly locales: readonly string[];
  readonly occurredAt: readonly Date[];
  readonly jurisdictions?: readonly (string | null | undefined)[] | null;
  readonly subjectLocales?: readonly (string | null | undefined)[] | null;
  readonly senderMessageIds?: readonly (string | null | undefined)[] | null;
  /** Per row, the message template sent: key and revision, both or neither. */
  readonly templateKeys?: readonly (string | null | undefined)[] | null;
  readonly templateRevisions?: readonly (number | null | undefined)[] | null;
}

const perRow = [
  'idempotencyKeys',
  'channels',
  'locales',
  'occurredAt',
  'jurisdictions',
  'subjectLocales',
  'senderMessageIds',
  'templateKeys',
  'templateRevisions',
] as const;

/** Every given column has one entry per row; 1 to 10,000 rows. Checked before anything is read. */
export const columnsSchema = z
  .object({
    subjectRefs: z
      .array(z.unknown())
      .min(1, 'give at least one row')
      .max(maxBatchSize, `at most ${maxBatchSize} rows per call`),
  })
  .passthrough()
  .superRefine((input, context) => {
    const rows = input.subjectRefs.length;
    for (const name of perRow) {
      const column = input[name];
      if (Array.isArray(column) && column.length !== rows) {
        context.addIssue({
          code: 'custom',
          path: [name],
          message: `must have one entry per row: ${column.length} given, ${rows} rows`,
        });
      }
    }
  });

/** The rows as items, for the one recording path both input forms share. */
export function columnsToItems(columns: NotificationColumns): RawNotificationItem[] {
  const { noticeKey, versionNumber, subjectRefs, idempotencyKeys, channels, locales, occurredAt } = columns;
  const campaignId = columns.campaignId ?? null;
  const jurisdictions = columns.jurisdictions ?? null;
  const subjectLocales = columns.subjectLocales ?? null;
  const senderMessageIds = columns.senderMessageIds ?? null;
  const templateKeys = columns.templateKeys ?? null;
  const templateRevisions = columns.templateRevisions ?? null;
  const items: RawNotificationItem[] = new Array(subjectRefs.length);
  for (let row = 0; row < subjectRefs.length; row++) {
    items[row] = {
      subjectRef: subjectRefs[row]!,
      jurisdiction: jurisdictions?.[row] ?? null,
      subjectLocale: subjectLocales?.[row] ?? null,
      noticeKey,
      versionNumber,
      channel: channels[row]!,
      locale: locales[row]!,
      occurredAt: occurredAt[row]!,
      campaignId,
      senderMessageId: senderMessageIds?.[row] ?? null,
      idempotencyKey: idempotencyKeys[row]!,
      template: templateOf(templateKeys?.[row], templateRevisions?.[row]),
    };
  }
  return items;
}

/** A row's template: none when both entries are null; half of one is left for the item check to refuse. */
function templateOf(key: string | null | undefined, revision: number | null | undefined) {
  return key == null && revision == null ? null : { key: key ?? null, revision: revision ?? null };
}
