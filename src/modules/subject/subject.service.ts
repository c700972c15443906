import type { Database } from '../../db/database.js';
import {
  eventFromJson,
  notificationFromJson,
  subjectFromJson,
  versionFromJson,
} from '../../db/json-records.js';
import { NotFoundError } from '../../domain/errors.js';
import type { Notification, NotificationEvent, Prisma, Subject } from '../../generated/prisma/client.js';
import type { Viewer } from '../access/access.policy.js';
import { leadTimeMet, processingMayStartAt } from '../notice/lead-time.js';
import { publishedVersionRows } from '../notice/published-version-rows.js';
import { translationHash } from '../notice/translation-hash.js';
import {
  answeredByVersionRow,
  asAnsweredVersion,
  type VersionFromFacts,
  type VersionQuery,
} from '../notice/version-from-facts.js';
import type { EventType } from '../notification/notification.policy.js';
import {
  type EvidenceStrength,
  evidenceStrength,
  reachEvidence,
  reachedAt,
} from '../notification/reach.policy.js';
import { type ProofFactsRow, proofFactsQuery } from './proof-facts.sql.js';
import { daysBetween, type PurposeState, purposeState } from './subject.policy.js';
import type { SubjectLookahead } from './subject-lookahead.js';

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
  readonly version: VersionFromFacts;
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

type Settled<T> = { readonly value: T } | { readonly error: unknown };

const proofKey = (subjectId: string, noticeKey: string, number: number) =>
  `${subjectId}\u0000${noticeKey}\u0000${number}`;

export class SubjectService {
  /** Proofs decided from facts read with their subject (`subjectWithProof`), until their field asks. */
  private readonly proofs = new Map<string, Settled<NotificationProof>>();

  constructor(
    private readonly database: Database,
    private readonly viewer: Viewer,
  ) {}

  /** What this process remembers of published versions: here, the hashes of their texts (ADR 0053). */
  private get remembered() {
    return publishedVersionRows(this.database);
  }

  /**
   * A subject by its reference hash together with the facts of the one proof its selection asks
   * for, in one statement; the proof waits for its field (`notificationProof`), decided exactly
   * as that field alone would decide it — a NotFoundError included.
   */
  async subjectWithProof(
    refHash: string,
    lookup: Extract<SubjectLookahead, { kind: 'proof' }>,
  ): Promise<Subject | null> {
    const [facts] = await this.database.prisma.$queryRaw<ProofFactsRow[]>(
      proofFactsQuery(
        this.viewer.controllerId,
        { refHash },
        lookup.noticeKey,
        lookup.version,
        this.remembered.knownTexts(this.viewer.controllerId),
      ),
    );
    if (!facts?.subject) return null;
    const subject = subjectFromJson(facts.subject);
    let settled: Settled<NotificationProof>;
    try {
      settled = { value: this.proofFromFacts(facts, lookup.noticeKey, lookup.version) };
    } catch (error) {
      settled = { error };
    }
    this.proofs.set(proofKey(subject.id, lookup.noticeKey, lookup.version), settled);
    return subject;
  }

  response(id: string, query: { include?: Prisma.ResponseInclude; select?: Prisma.ResponseSelect } = {}) {
    return this.database.prisma.response.findFirst({
      ...query,
      where: { id, controllerId: this.viewer.controllerId },
    });
  }

  /** The proof's version, with the selection a client makes of it: from the facts when they answer it. */
  proofVersion(proof: NotificationProof, query: VersionQuery) {
    if (answeredByVersionRow(query)) return asAnsweredVersion(proof.version, proof.noticeKey);
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
    const known = this.proofs.get(proofKey(subjectId, noticeKey, number));
    if (known) {
      if ('error' in known) throw known.error;
      return known.value;
    }
    const [facts] = await this.database.prisma.$queryRaw<ProofFactsRow[]>(
      proofFactsQuery(
        this.viewer.controllerId,
        { id: subjectId },
        noticeKey,
        number,
        this.remembered.knownTexts(this.viewer.controllerId),
      ),
    );
    return this.proofFromFacts(facts, noticeKey, number);
  }

  private proofFromFacts(
    facts: ProofFactsRow | undefined,
    noticeKey: string,
    number: number,
  ): NotificationProof {
    if (!facts?.version) throw new NotFoundError('NoticeVersion', `${noticeKey} #${number}`);
    const version = versionFromJson(facts.version);
    const rules = reachEvidence(facts.reachEvidence);
    const controllerId = this.viewer.controllerId;
    const textHashes = new Map<string, string>();
    for (const text of facts.translations) {
      const hash = translationHash({ noticeKey, number }, text);
      this.remembered.rememberTextHash(controllerId, version.id, text.locale, hash);
      textHashes.set(text.locale, hash);
    }
    const textHash = (locale: string) =>
      textHashes.get(locale) ?? this.remembered.textHash(controllerId, version.id, locale) ?? null;
    const detailed = facts.notifications.map(({ events: rows, ...row }): ProofNotification => {
      const notification = notificationFromJson(row);
      const events = rows.map(eventFromJson);
      return {
        ...notification,
        events,
        countingEvents: rules[notification.channel],
        reachedAt: reachedAt(notification.channel, events, rules),
        evidenceStrength: evidenceStrength(events),
        textHash: textHash(notification.locale),
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
