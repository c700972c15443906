import type { Database } from '../../db/database.js';
import { NotFoundError } from '../../domain/errors.js';
import type { Viewer } from '../access/access.policy.js';
import { actorOf, appendAudit } from '../audit/audit.service.js';
import type { EligibilityService } from '../eligibility/eligibility.service.js';
import type { SubjectService } from '../subject/subject.service.js';
import type { SubjectRefHasher } from '../subject/subject-ref.js';

export const ACCESS_REPORT_FORMAT = 'notarium.access-report.v1';

/**
 * What the registry holds about one person (GDPR Art. 15), as one JSON document: each
 * notification with the notice text and message template it referred to and its delivery events,
 * each response, the current state per purpose and the eligibility verdict per purpose now.
 * Plain data (dates as ISO 8601 strings): the GraphQL field and the download serve the same.
 */
export interface AccessReport {
  readonly format: typeof ACCESS_REPORT_FORMAT;
  readonly generatedAt: string;
  readonly controller: {
    readonly slug: string;
    readonly name: string;
    readonly legalName: string;
    readonly contactEmail: string;
    readonly dpoContact: string | null;
  };
  readonly subject: {
    readonly id: string;
    readonly jurisdiction: string | null;
    readonly locale: string | null;
    readonly firstRecordedAt: string;
  };
  readonly notifications: readonly AccessNotification[];
  readonly responses: readonly AccessResponse[];
  readonly purposeStates: readonly AccessPurposeState[];
  readonly eligibility: readonly AccessEligibility[];
}

interface AccessNotification {
  readonly id: string;
  readonly channel: string;
  readonly locale: string;
  readonly occurredAt: string;
  readonly recordedAt: string;
  readonly campaign: string | null;
  readonly senderMessageId: string | null;
  readonly contentHash: string;
  readonly notice: {
    readonly key: string;
    readonly versionNumber: number;
    readonly effectiveFrom: string;
    readonly contentHash: string | null;
    /** The text in the notification's locale (null if the version has none in that locale). */
    readonly text: { readonly locale: string; readonly title: string; readonly body: string } | null;
  };
  readonly messageTemplate: {
    readonly key: string;
    readonly revision: number;
    readonly subject: string | null;
    readonly body: string;
    readonly linkTarget: string | null;
    readonly contentHash: string;
  } | null;
  readonly events: readonly {
    readonly type: string;
    readonly occurredAt: string;
    readonly recordedAt: string;
    readonly detail: string | null;
  }[];
}

interface AccessResponse {
  readonly id: string;
  readonly purposeKey: string;
  readonly kind: string;
  readonly channel: string;
  readonly occurredAt: string;
  readonly recordedAt: string;
  readonly notice: { readonly key: string; readonly versionNumber: number } | null;
  readonly contentHash: string;
}

interface AccessPurposeState {
  readonly purposeKey: string;
  readonly consent: string;
  readonly consentExpiresAt: string | null;
  readonly objection: string;
}

interface AccessEligibility {
  readonly purposeKey: string;
  readonly decision: string;
  readonly rule: string;
  readonly legalBasis: string | null;
  readonly explanation: string;
}

const iso = (date: Date) => date.toISOString();
const isoOrNull = (date: Date | null) => (date === null ? null : date.toISOString());

/**
 * Builds a person's access report in a fixed number of statements, however many records they
 * have (one per kind of record, plus one eligibility decision per purpose of the controller), and
 * records the disclosure in the audit trail (`subject:access`, without the reference).
 */
export class AccessRequestService {
  constructor(
    private readonly database: Database,
    private readonly viewer: Viewer,
    private readonly hasher: SubjectRefHasher,
    private readonly subjects: SubjectService,
    private readonly eligibility: EligibilityService,
  ) {}

  /** The report, or null when the reference leads to no subject (never recorded, or erased). */
  async reportOrNull(subjectRef: string): Promise<AccessReport | null> {
    try {
      return await this.report(subjectRef);
    } catch (error) {
      if (error instanceof NotFoundError && error.resource === 'Subject') return null;
      throw error;
    }
  }

  async report(subjectRef: string, now = new Date()): Promise<AccessReport> {
    const prisma = this.database.prisma;
    const controllerId = this.viewer.controllerId;
    const refHash = this.hasher.hash(controllerId, subjectRef);
    const subject = await prisma.subject.findFirst({ where: { controllerId, refHash } });
    if (subject === null) throw new NotFoundError('Subject', 'the given reference');
    const [controller, notifications, responses, purposes] = await Promise.all([
      prisma.controller.findUniqueOrThrow({ where: { id: controllerId } }),
      prisma.notification.findMany({
        where: { controllerId, subjectId: subject.id },
        orderBy: [{ occurredAt: 'asc' }, { id: 'asc' }],
        include: {
          version: {
            select: {
              number: true,
              effectiveFrom: true,
              contentHash: true,
              notice: { select: { key: true } },
              translations: { select: { locale: true, title: true, body: true } },
            },
          },
          template: true,
          campaign: { select: { name: true } },
        },
      }),
      prisma.response.findMany({
        where: { controllerId, subjectId: subject.id },
        orderBy: [{ occurredAt: 'asc' }, { id: 'asc' }],
        include: {
          purpose: { select: { key: true } },
          version: { select: { number: true, notice: { select: { key: true } } } },
        },
      }),
      prisma.purpose.findMany({
        where: { controllerId, archivedAt: null },
        orderBy: { key: 'asc' },
        select: { key: true },
      }),
    ]);
    const events = await prisma.notificationEvent.findMany({
      where: { controllerId, notificationKey: { in: notifications.map((n) => n.idempotencyKey) } },
      // Events at the same instant in lifecycle order (the enum's: SENT before DELIVERED…), not by random ID.
      orderBy: [{ occurredAt: 'asc' }, { type: 'asc' }, { id: 'asc' }],
    });
    const eventsByKey = new Map<string, typeof events>();
    for (const event of events) {
      const list = eventsByKey.get(event.notificationKey);
      if (list) list.push(event);
      else eventsByKey.set(event.notificationKey, [event]);
    }
    const states = await this.subjects.purposeStates(subject.id, now);
    const verdicts = await Promise.all(
      purposes.map(async ({ key }) => {
        try {
          const view = await this.eligibility.forSubject(subject.id, key, now);
          return {
            purposeKey: key,
            decision: view.decision,
            rule: view.rule,
            legalBasis: view.legalBasis,
            explanation: view.explanation,
          };
        } catch (error) {
          // A purpose never published in a notice version has no verdict to give.
          if (error instanceof NotFoundError) return null;
          throw error;
        }
      }),
    );
    const report: AccessReport = {
      format: ACCESS_REPORT_FORMAT,
      generatedAt: iso(now),
      controller: {
        slug: controller.slug,
        name: controller.name,
        legalName: controller.legalName,
        contactEmail: controller.contactEmail,
        dpoContact: controller.dpoContact,
      },
      subject: {
        id: subject.id,
        jurisdiction: subject.jurisdiction,
        locale: subject.locale,
        firstRecordedAt: iso(subject.createdAt),
      },
      notifications: notifications.map((n) => {
        const text = n.version.translations.find((translation) => translation.locale === n.locale) ?? null;
        return {
          id: n.id,
          channel: n.channel,
          locale: n.locale,
          occurredAt: iso(n.occurredAt),
          recordedAt: iso(n.recordedAt),
          campaign: n.campaign?.name ?? null,
          senderMessageId: n.senderMessageId,
          contentHash: n.contentHash,
          notice: {
            key: n.version.notice.key,
            versionNumber: n.version.number!,
            effectiveFrom: iso(n.version.effectiveFrom),
            contentHash: n.version.contentHash,
            text,
          },
          messageTemplate: n.template && {
            key: n.template.key,
            revision: n.template.revision,
            subject: n.template.subject,
            body: n.template.body,
            linkTarget: n.template.linkTarget,
            contentHash: n.template.contentHash,
          },
          events: (eventsByKey.get(n.idempotencyKey) ?? []).map((event) => ({
            type: event.type,
            occurredAt: iso(event.occurredAt),
            recordedAt: iso(event.recordedAt),
            detail: event.detail,
          })),
        };
      }),
      responses: responses.map((r) => ({
        id: r.id,
        purposeKey: r.purpose.key,
        kind: r.kind,
        channel: r.channel,
        occurredAt: iso(r.occurredAt),
        recordedAt: iso(r.recordedAt),
        notice: r.version ? { key: r.version.notice.key, versionNumber: r.version.number! } : null,
        contentHash: r.contentHash,
      })),
      purposeStates: states.map((state) => ({
        purposeKey: state.purposeKey,
        consent: state.consent,
        consentExpiresAt: isoOrNull(state.consentExpiresAt),
        objection: state.objection,
      })),
      eligibility: verdicts.filter((verdict) => verdict !== null),
    };
    await prisma.$transaction((tx) =>
      appendAudit(tx, actorOf(this.viewer), {
        action: 'subject:access',
        targetType: 'Subject',
        targetId: subject.id,
        details: {
          notifications: report.notifications.length,
          responses: report.responses.length,
        },
      }),
    );
    return report;
  }
}
