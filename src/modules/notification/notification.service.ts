import DataLoader from 'dataloader';
import type { Database } from '../../db/database.js';
import type { NotificationEvent, Prisma } from '../../generated/prisma/client.js';
import { countBulkWrite } from '../../metrics/registry-counters.js';
import type { Viewer } from '../access/access.policy.js';
import { withReceipts } from '../consent-record/receipts.service.js';
import type { SubjectRefHasher } from '../subject/subject-ref.js';
import { columnsToItems, type NotificationColumns } from './notification-columns.js';
import { type RawEventItem, recordNotificationEvents } from './record-events.js';
import { type RawNotificationItem, recordNotifications } from './record-notifications.js';
import { type RawResponseItem, recordResponses } from './record-responses.js';

type Query<I, S> = { include?: I; select?: S };

export class NotificationService {
  constructor(
    private readonly database: Database,
    private readonly viewer: Viewer,
    private readonly hasher: SubjectRefHasher,
  ) {}

  recordNotifications(items: readonly RawNotificationItem[]) {
    return countBulkWrite(
      'notification',
      recordNotifications(this.database, this.viewer, this.hasher, items),
    );
  }

  /** The columnar bulk form: the same records, rows as items. */
  recordNotificationColumns(columns: NotificationColumns) {
    return countBulkWrite(
      'notification',
      recordNotifications(this.database, this.viewer, this.hasher, columnsToItems(columns)),
    );
  }

  recordEvents(items: readonly RawEventItem[]) {
    return countBulkWrite('event', recordNotificationEvents(this.database, this.viewer, items));
  }

  async recordResponses(items: readonly RawResponseItem[], receipts = false) {
    const result = await countBulkWrite(
      'response',
      recordResponses(this.database, this.viewer, this.hasher, items),
    );
    return receipts ? withReceipts(this.database, this.viewer.controllerId, result) : result;
  }

  private eventsLoader: DataLoader<string, NotificationEvent[]> | null = null;

  /** A notification's events, batched: one query for all notifications a request resolves. */
  eventsFor(notificationKey: string): Promise<NotificationEvent[]> {
    this.eventsLoader ??= new DataLoader(async (keys: readonly string[]) => {
      const events = await this.eventsByKeys(keys);
      return keys.map((key) => events.filter((event) => event.notificationKey === key));
    });
    return this.eventsLoader.load(notificationKey);
  }

  /** Events of many notifications, by their idempotency keys, oldest first. */
  eventsByKeys(keys: readonly string[]): Promise<NotificationEvent[]> {
    return this.database.prisma.notificationEvent.findMany({
      where: { controllerId: this.viewer.controllerId, notificationKey: { in: [...keys] } },
      orderBy: [{ occurredAt: 'asc' }, { recordedAt: 'asc' }],
    });
  }

  subjectByRef(ref: string, query: Query<Prisma.SubjectInclude, Prisma.SubjectSelect> = {}) {
    return this.database.prisma.subject.findUnique({
      ...query,
      where: { controllerId_refHash: { controllerId: this.viewer.controllerId, refHash: this.refHash(ref) } },
    });
  }

  /** The keyed hash a subject reference is stored and looked up by (for the controller). */
  refHash(ref: string): string {
    return this.hasher.hash(this.viewer.controllerId, ref);
  }
}
