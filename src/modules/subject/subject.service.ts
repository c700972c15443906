import type { Database } from '../../db/database.js';
import type {
  NoticeVersion,
  Notification,
  NotificationEvent,
  Prisma,
} from '../../generated/prisma/client.js';
import { NotFoundError } from '../../graphql/error-results.js';
import type { Viewer } from '../access/access.policy.js';
import { type EventType, reachedAt } from '../notification/notification.policy.js';
import type { NotificationService } from '../notification/notification.service.js';
import { daysBetween, type PurposeState, purposeState } from './subject.policy.js';

export interface PurposeStateView extends PurposeState {
  readonly purposeId: string;
  readonly purposeKey: string;
}

export interface NotificationProof {
  readonly version: NoticeVersion;
  readonly notifications: (Notification & { events: NotificationEvent[]; reachedAt: Date | null })[];
  readonly reached: boolean;
  readonly firstReachedAt: Date | null;
  readonly daysBeforeEffective: number | null;
  readonly minimumNoticeDays: number;
  readonly leadTimeMet: boolean;
  readonly batchIds: string[];
}

export class SubjectService {
  constructor(
    private readonly database: Database,
    private readonly viewer: Viewer,
    private readonly notifications: NotificationService,
  ) {}

  response(id: string, query: { include?: Prisma.ResponseInclude; select?: Prisma.ResponseSelect } = {}) {
    return this.database.prisma.response.findFirst({
      ...query,
      where: { id, controllerId: this.viewer.controllerId },
    });
  }

  /** Current state per purpose the subject has answered about, at `at`. */
  async purposeStates(subjectId: string, at: Date): Promise<PurposeStateView[]> {
    const responses = await this.database.prisma.response.findMany({
      where: { subjectId, controllerId: this.viewer.controllerId },
      select: { id: true, kind: true, occurredAt: true, purposeId: true, purpose: { select: { key: true } } },
    });
    const purposeIds = [...new Set(responses.map((response) => response.purposeId))];
    const revisions = await this.database.prisma.purposeRevision.findMany({
      where: { purposeId: { in: purposeIds }, createdAt: { lte: at } },
      orderBy: { number: 'desc' },
      distinct: ['purposeId'],
      select: { purposeId: true, consentValidityDays: true },
    });
    const validity = new Map(revisions.map((revision) => [revision.purposeId, revision.consentValidityDays]));
    return purposeIds
      .map((purposeId) => {
        const own = responses.filter((response) => response.purposeId === purposeId);
        return {
          purposeId,
          purposeKey: own[0]!.purpose.key,
          ...purposeState(own, validity.get(purposeId) ?? null, at),
        };
      })
      .sort((a, b) => a.purposeKey.localeCompare(b.purposeKey));
  }

  /** Everything that proves (or fails to prove) that the subject was told of one version. */
  async notificationProof(subjectId: string, noticeKey: string, number: number): Promise<NotificationProof> {
    const prisma = this.database.prisma;
    const version = await prisma.noticeVersion.findFirst({
      where: { controllerId: this.viewer.controllerId, number, notice: { key: noticeKey } },
    });
    if (version === null) throw new NotFoundError('NoticeVersion', `${noticeKey} #${number}`);
    const [notifications, controller] = await Promise.all([
      prisma.notification.findMany({
        where: { subjectId, versionId: version.id, controllerId: this.viewer.controllerId },
        orderBy: [{ occurredAt: 'asc' }, { id: 'asc' }],
      }),
      prisma.controller.findUniqueOrThrow({ where: { id: this.viewer.controllerId } }),
    ]);
    const events = await this.notifications.eventsByKeys(
      notifications.map((notification) => notification.idempotencyKey),
    );
    const detailed = notifications.map((notification) => {
      const own = events.filter((event) => event.notificationKey === notification.idempotencyKey);
      return {
        ...notification,
        events: own,
        reachedAt: reachedAt(
          notification.channel,
          notification.occurredAt,
          own as { type: EventType; occurredAt: Date }[],
        ),
      };
    });
    const reachedTimes = detailed
      .map((item) => item.reachedAt?.getTime())
      .filter((time) => time !== undefined);
    const firstReachedAt = reachedTimes.length > 0 ? new Date(Math.min(...reachedTimes)) : null;
    const daysBeforeEffective = firstReachedAt ? daysBetween(firstReachedAt, version.effectiveFrom) : null;
    return {
      version,
      notifications: detailed,
      reached: firstReachedAt !== null,
      firstReachedAt,
      daysBeforeEffective,
      minimumNoticeDays: controller.minimumNoticeDays,
      leadTimeMet: daysBeforeEffective !== null && daysBeforeEffective >= controller.minimumNoticeDays,
      batchIds: [...new Set(notifications.map((notification) => notification.batchId))],
    };
  }
}
