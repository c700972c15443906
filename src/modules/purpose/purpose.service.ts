import type { Database } from '../../db/database.js';
import { isUniqueViolation } from '../../db/prisma-errors.js';
import { ConflictError, InputValidationError, NotFoundError } from '../../domain/errors.js';
import { type LegalBasis, Prisma, type Purpose } from '../../generated/prisma/client.js';
import type { Viewer } from '../access/access.policy.js';
import { actorOf, appendAudit } from '../audit/audit.service.js';
import { changes } from '../change-feed/change-events.js';
import { emitChange } from '../change-feed/change-feed.emit.js';
import { BasisChangeUnjustifiedError, PurposeArchivedError } from './purpose.errors.js';
import type { PurposeContent } from './purpose.validation.js';

type Query<T extends 'Purpose' | 'PurposeRevision'> = T extends 'Purpose'
  ? { include?: Prisma.PurposeInclude; select?: Prisma.PurposeSelect }
  : { include?: Prisma.PurposeRevisionInclude; select?: Prisma.PurposeRevisionSelect };

/** An item's explicit-consent flag, stored inside its JSON column (absent on older rows means false). */
function flagged<T extends { explicitConsent?: boolean | null }>(item: T) {
  return { ...item, explicitConsent: item.explicitConsent === true };
}

function revisionData(content: PurposeContent) {
  const adm = content.automatedDecisionMaking;
  return {
    name: content.name,
    description: content.description,
    legalBasis: content.legalBasis,
    legitimateInterest: content.legitimateInterest ?? null,
    dataCategories: content.dataCategories,
    specialCategories: (content.specialCategories ?? []).map(flagged),
    dataSubjectCategories: content.dataSubjectCategories,
    dataSources: content.dataSources ?? [],
    publiclyAccessibleSources: content.publiclyAccessibleSources ?? false,
    recipients: content.recipients ?? [],
    retentionPeriodDays: content.retentionPeriodDays ?? null,
    retentionCriteria: content.retentionCriteria ?? null,
    transfers: (content.transfers ?? []).map(flagged),
    automatedDecisionMaking: adm ? flagged(adm) : Prisma.DbNull,
    consentValidityDays: content.consentValidityDays ?? null,
    explicitConsent: content.explicitConsent === true,
    objectionMechanism: objectionMechanismData(content.objectionMechanism),
    legitimateInterestAssessment: assessmentData(content.legitimateInterestAssessment),
  };
}

/** Stored with every member, absent ones as null: the shape the content hash reads (docs/content-hash.md). */
function objectionMechanismData(mechanism: PurposeContent['objectionMechanism']) {
  if (!mechanism) return Prisma.DbNull;
  return {
    url: mechanism.url ?? null,
    steps: mechanism.steps ?? null,
    reasonsRequired: mechanism.reasonsRequired,
  };
}

function assessmentData(assessment: PurposeContent['legitimateInterestAssessment']) {
  if (!assessment) return Prisma.DbNull;
  const dpia = assessment.dpia;
  return {
    ...assessment,
    dpia: dpia
      ? { reference: dpia.reference, url: dpia.url ?? null, date: dpia.date, outcome: dpia.outcome }
      : null,
  };
}

/**
 * Moving from CONSENT to another basis needs a justification (EDPB Guidelines 05/2020 on consent,
 * §§ 121–123); a justification for any other revision is refused rather than stored where it
 * explains nothing (ADR 0013).
 */
function checkBasisChange(previous: LegalBasis, next: LegalBasis, justification: string | null): void {
  const leavesConsent = previous === 'CONSENT' && next !== 'CONSENT';
  if (leavesConsent && justification === null) throw new BasisChangeUnjustifiedError(previous, next);
  if (!leavesConsent && justification !== null) {
    throw new InputValidationError([
      {
        path: ['input', 'basisChangeJustification'],
        message:
          `applies only to a revision that moves the purpose from CONSENT to another basis; this one goes from ${previous} to ${next}` +
          ' (EDPB Guidelines 05/2020 on consent, §§ 121–123)',
      },
    ]);
  }
}

export interface PurposeFilter {
  readonly includeArchived?: boolean | null;
}

export class PurposeService {
  constructor(
    private readonly database: Database,
    private readonly viewer: Viewer,
  ) {}

  private get prisma() {
    return this.database.prisma;
  }

  /** `now` is the revision's start (its `createdAt`); the demo seed replays a past timeline with it. */
  async create(key: string, content: PurposeContent, now = new Date()): Promise<Purpose> {
    try {
      return await this.prisma.$transaction(async (tx) => {
        const purpose = await tx.purpose.create({
          data: {
            controllerId: this.viewer.controllerId,
            key,
            currentRevision: 1,
            createdAt: now,
            revisions: {
              create: {
                controllerId: this.viewer.controllerId,
                number: 1,
                createdByKeyId: this.viewer.apiKeyId,
                createdAt: now,
                ...revisionData(content),
              },
            },
          },
        });
        await appendAudit(
          tx,
          actorOf(this.viewer),
          {
            action: 'purpose:create',
            targetType: 'Purpose',
            targetId: purpose.id,
            details: { key, revision: 1, legalBasis: content.legalBasis },
          },
          now,
        );
        return purpose;
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw new ConflictError(`A purpose with key ${key} exists.`, 'key');
      throw error;
    }
  }

  /**
   * A new, numbered revision; earlier revisions stay as they were. Leaving consent for another
   * basis needs a recorded justification, and a justification is only taken for that move
   * (ADR 0013).
   */
  async revise(
    key: string,
    content: PurposeContent,
    basisChangeJustification: string | null = null,
    now = new Date(),
  ): Promise<Purpose> {
    return this.prisma.$transaction(async (tx) => {
      const existing = await tx.purpose.findUnique({
        where: { controllerId_key: { controllerId: this.viewer.controllerId, key } },
      });
      if (existing === null) throw new NotFoundError('Purpose', key);
      if (existing.archivedAt !== null) throw new PurposeArchivedError(key);
      // The increment takes the row lock, so concurrent revisions get consecutive numbers.
      const purpose = await tx.purpose.update({
        where: { id: existing.id },
        data: { currentRevision: { increment: 1 } },
      });
      // Read under the row lock the increment took: no other revision can come in between.
      const previous = await tx.purposeRevision.findUniqueOrThrow({
        where: { purposeId_number: { purposeId: purpose.id, number: purpose.currentRevision - 1 } },
        select: { legalBasis: true },
      });
      const justification = basisChangeJustification?.trim() || null;
      checkBasisChange(previous.legalBasis, content.legalBasis, justification);
      await tx.purposeRevision.create({
        data: {
          controllerId: this.viewer.controllerId,
          purposeId: purpose.id,
          number: purpose.currentRevision,
          createdByKeyId: this.viewer.apiKeyId,
          createdAt: now,
          ...revisionData(content),
          basisChangeJustification: justification,
        },
      });
      await appendAudit(
        tx,
        actorOf(this.viewer),
        {
          action: 'purpose:revise',
          targetType: 'Purpose',
          targetId: purpose.id,
          details: {
            key,
            revision: purpose.currentRevision,
            legalBasis: content.legalBasis,
            previousLegalBasis: previous.legalBasis,
            basisChangeJustification: justification,
          },
        },
        now,
      );
      await emitChange(tx, changes.purposeRevised(purpose, content.legalBasis, previous.legalBasis), now);
      return purpose;
    });
  }

  /** Idempotent. Archived purposes stay readable and pinned in published versions. */
  async archive(key: string, now = new Date()): Promise<Purpose> {
    const where = { controllerId: this.viewer.controllerId, key };
    return this.prisma.$transaction(async (tx) => {
      const changed = await tx.purpose.updateMany({
        where: { ...where, archivedAt: null },
        data: { archivedAt: now },
      });
      const purpose = await tx.purpose.findFirst({ where });
      if (purpose === null) throw new NotFoundError('Purpose', key);
      if (changed.count > 0) {
        await appendAudit(
          tx,
          actorOf(this.viewer),
          { action: 'purpose:archive', targetType: 'Purpose', targetId: purpose.id, details: { key } },
          now,
        );
      }
      return purpose;
    });
  }

  byKey(key: string, query: Query<'Purpose'> = {}) {
    return this.prisma.purpose.findUnique({
      ...query,
      where: { controllerId_key: { controllerId: this.viewer.controllerId, key } },
    });
  }

  list(filter: PurposeFilter, query: Query<'Purpose'> = {}) {
    return this.prisma.purpose.findMany({
      ...query,
      where: {
        controllerId: this.viewer.controllerId,
        ...(filter.includeArchived ? {} : { archivedAt: null }),
      },
      orderBy: [{ key: 'asc' }],
    });
  }
}
