import { createHash } from 'node:crypto';
import type { Database } from '../../db/database.js';
import { ConflictError, NotFoundError } from '../../domain/errors.js';
import type { ObjectionCase, ObjectionOutcome, Prisma } from '../../generated/prisma/client.js';
import { isUuid } from '../../lib/uuid.js';
import type { Viewer } from '../access/access.policy.js';
import { actorOf, appendAudit } from '../audit/audit.service.js';
import { DirectMarketingObjectionError } from './objection.errors.js';
import type { ObjectionFigures } from './objection-figures.js';
import { objectionFiguresQuery } from './objection-figures.sql.js';

export interface ObjectionCaseFilter {
  readonly purposeKey?: string | null;
  readonly outcome?: ObjectionOutcome | null;
  /** Only open cases older than the controller's decision deadline at `at` (default now). */
  readonly overdue?: boolean | null;
  readonly at?: Date | null;
}

export interface ObjectionDecision {
  readonly caseId: string;
  readonly outcome: Exclude<ObjectionOutcome, 'OPEN'>;
  readonly refusalReason?: string | null;
}

type FindArgs<T> = Omit<T, 'where' | 'orderBy'>;

const dayMs = 24 * 60 * 60 * 1000;

/** Objection cases (Art. 21): opened by recording an objection, decided once (docs/objections.md). */
export class ObjectionService {
  constructor(
    private readonly database: Database,
    private readonly viewer: Viewer,
  ) {}

  private get prisma() {
    return this.database.prisma;
  }

  /**
   * Honours or refuses an open case, in one transaction with its audit entry. Idempotent: the same
   * decision again answers the case as decided; another decision on a decided case is a
   * ConflictError. Refusing an objection to direct marketing is never allowed (Art. 21(3)).
   */
  async decide(decision: ObjectionDecision, now = new Date()): Promise<ObjectionCase> {
    const refusalReason = decision.outcome === 'REFUSED' ? (decision.refusalReason?.trim() ?? null) : null;
    return this.prisma.$transaction(async (tx) => {
      const where = {
        id: isUuid(decision.caseId) ? decision.caseId : '',
        controllerId: this.viewer.controllerId,
      };
      const found = where.id === '' ? null : await tx.objectionCase.findFirst({ where });
      if (found === null) throw new NotFoundError('ObjectionCase', decision.caseId);
      if (decision.outcome === 'REFUSED' && found.directMarketing) {
        throw new DirectMarketingObjectionError(found.id);
      }
      // Only an open case changes: a concurrent decision makes this one find it decided.
      const changed = await tx.objectionCase.updateMany({
        where: { ...where, outcome: 'OPEN' },
        data: {
          outcome: decision.outcome,
          refusalReason,
          decidedAt: now,
          decidedByKeyId: this.viewer.apiKeyId,
        },
      });
      const current = await tx.objectionCase.findFirstOrThrow({ where });
      if (changed.count === 0) {
        if (current.outcome === decision.outcome && current.refusalReason === refusalReason) return current;
        throw new ConflictError(
          `Objection case ${current.id} was already decided: ${current.outcome} on ${current.decidedAt?.toISOString()}.`,
          'outcome',
        );
      }
      await appendAudit(
        tx,
        actorOf(this.viewer),
        {
          action: 'objection:decide',
          targetType: 'ObjectionCase',
          targetId: current.id,
          details: {
            responseId: current.responseId,
            outcome: current.outcome,
            // The reason's text may quote the person and the audit trail never changes, so the
            // entry commits to it by hash: erasure clears the text in the case (docs/erasure.md).
            refusalReasonSha256:
              refusalReason === null ? null : createHash('sha256').update(refusalReason).digest('hex'),
            directMarketing: current.directMarketing,
          },
        },
        now,
      );
      return current;
    });
  }

  byId(id: string, query: FindArgs<Prisma.ObjectionCaseFindFirstArgs> = {}) {
    if (!isUuid(id)) return Promise.resolve(null);
    return this.prisma.objectionCase.findFirst({
      ...query,
      where: { id, controllerId: this.viewer.controllerId },
    });
  }

  /** The controller's cases, oldest first, narrowed by purpose, outcome, or being overdue. */
  async list(filter: ObjectionCaseFilter, query: FindArgs<Prisma.ObjectionCaseFindManyArgs> = {}) {
    const where: Prisma.ObjectionCaseWhereInput = { controllerId: this.viewer.controllerId };
    if (filter.purposeKey) where.response = { purpose: { key: filter.purposeKey } };
    if (filter.outcome) where.outcome = filter.outcome;
    if (filter.overdue) {
      const controller = await this.prisma.controller.findUniqueOrThrow({
        where: { id: this.viewer.controllerId },
        select: { objectionDecisionDays: true },
      });
      const at = filter.at ?? new Date();
      where.outcome = 'OPEN';
      where.openedAt = { lt: new Date(at.getTime() - controller.objectionDecisionDays * dayMs) };
    }
    return this.prisma.objectionCase.findMany({
      ...query,
      where,
      orderBy: [{ openedAt: 'asc' }, { id: 'asc' }],
    });
  }

  /** Per purpose (all, or those named), the figures at `at`, in one statement. */
  async figures(purposeKeys: readonly string[] | null, at = new Date()): Promise<ObjectionFigures[]> {
    return this.prisma.$queryRaw<ObjectionFigures[]>(
      objectionFiguresQuery(this.viewer.controllerId, purposeKeys, at),
    );
  }
}
