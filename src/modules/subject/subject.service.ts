import type { Database } from '../../db/database.js';
import { eventFromJson, notificationFromJson, versionFromJson } from '../../db/json-records.js';
import { NotFoundError } from '../../domain/errors.js';
import type {
  NoticeVersion,
  Notification,
  NotificationEvent,
  Prisma,
} from '../../generated/prisma/client.js';
import type { Viewer } from '../access/access.policy.js';
import { leadTimeMet, processingMayStartAt } from '../notice/lead-time.js';
import { translationHash } from '../notice/translation-hash.js';
import { answeredByVersionRow, type VersionQuery } from '../notice/version-from-facts.js';
import type { EventType } from '../notification/notification.policy.js';
import {
  type EvidenceStrength,
  evidenceStrength,
  reachEvidence,
  reachedAt,
} from '../notification/reach.policy.js';
import { type ProofFactsRow, proofFactsQuery } from './proof-facts.sql.js';
import { daysBetween, type PurposeState, purposeState } from './subject.policy.js';

export interface PurposeStateView extends PurposeState {
  readonly purposeId: string;
  readonly purposeKey: string;
}

/** One notification of the version, with what its events show. */
export interface ProofNotification extends Notification {
  readonly events: NotificationEvent[];
  /** The event types that count as reaching the person on its channel, under the controller's setting. */
  readonly countingEvents: readonly EventType[];
  readonly reachedAt: Date | null;
  readonly evidenceStrength: EvidenceStrength;
  /** The per-locale text hash of the version's text in the notification's locale. */
  readonly textHash: string | null;
}

export interface NotificationProof {
  readonly version: NoticeVersion;
  readonly noticeKey: string;
  readonly notifications: ProofNotification[];
  readonly reached: boolean;
  readonly firstReachedAt: Date | null;
  readonly daysBeforeEffective: number | null;
  readonly minimumNoticeDays: number;
  readonly leadTimeEndsAt: Date | null;
  readonly leadTimeMet: boolean;
  readonly batchIds: string[];
}

export class SubjectService {
  constructor(
    private readonly database: Database,
    private readonly viewer: Viewer,
  ) {}

  response(id: string, query: { include?: Prisma.ResponseInclude; select?: Prisma.ResponseSelect } = {}) {
    return this.database.prisma.response.findFirst({
      ...query,
      where: { id, controllerId: this.viewer.controllerId },
    });
  }

  /** The proof's version, with the selection a client makes of it: from the facts when they answer it. */
  proofVersion(proof: NotificationProof, query: VersionQuery) {
    if (answeredByVersionRow(query)) return { ...proof.version, notice: { key: proof.noticeKey } };
    return this.database.prisma.noticeVersion.findUniqueOrThrow({
      ...query,
      where: { id: proof.version.id },
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

  /**
   * Everything that proves (or fails to prove) that the subject was told of one version: each
   * notification with its events, how strong their evidence is and whether it reached the person
   * under the controller's reach evidence; the lead-time verdict by the one lead-time test
   * against the version's frozen notice period. One SQL statement gathers the facts (proof-facts.sql.ts).
   */
  async notificationProof(subjectId: string, noticeKey: string, number: number): Promise<NotificationProof> {
    const [facts] = await this.database.prisma.$queryRaw<ProofFactsRow[]>(
      proofFactsQuery(this.viewer.controllerId, subjectId, noticeKey, number),
    );
    if (!facts?.version) throw new NotFoundError('NoticeVersion', `${noticeKey} #${number}`);
    const version = versionFromJson(facts.version);
    const rules = reachEvidence(facts.reachEvidence);
    const textHashes = new Map(
      facts.translations.map((text) => [text.locale, translationHash({ noticeKey, number }, text)]),
    );
    const detailed = facts.notifications.map(({ events: rows, ...row }): ProofNotification => {
      const notification = notificationFromJson(row);
      const events = rows.map(eventFromJson);
      return {
        ...notification,
        events,
        countingEvents: rules[notification.channel],
        reachedAt: reachedAt(notification.channel, events, rules),
        evidenceStrength: evidenceStrength(events),
        textHash: textHashes.get(notification.locale) ?? null,
      };
    });
    const reachedTimes = detailed.flatMap((item) => (item.reachedAt ? [item.reachedAt.getTime()] : []));
    const firstReachedAt = reachedTimes.length > 0 ? new Date(Math.min(...reachedTimes)) : null;
    const days = version.minimumNoticeDays ?? facts.minimumNoticeDays;
    return {
      version,
      noticeKey,
      notifications: detailed,
      reached: firstReachedAt !== null,
      firstReachedAt,
      daysBeforeEffective: firstReachedAt ? daysBetween(firstReachedAt, version.effectiveFrom) : null,
      minimumNoticeDays: days,
      leadTimeEndsAt: firstReachedAt ? processingMayStartAt(firstReachedAt, days) : null,
      leadTimeMet: firstReachedAt !== null && leadTimeMet(firstReachedAt, version.effectiveFrom, days),
      batchIds: [...new Set(detailed.map((notification) => notification.batchId))],
    };
  }
}
