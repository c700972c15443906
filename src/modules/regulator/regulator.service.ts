import { createHash } from 'node:crypto';
import type { Database } from '../../db/database.js';
import { NotFoundError } from '../../domain/errors.js';
import type { Prisma, RegulatorRequest } from '../../generated/prisma/client.js';
import { isUuid } from '../../lib/uuid.js';
import { countRegulatorQuery } from '../../metrics/registry-counters.js';
import type { Viewer } from '../access/access.policy.js';
import { type IssuedApiKey, issueApiKey } from '../api-key/api-key.service.js';
import { actorOf, appendAudit } from '../audit/audit.service.js';
import { changes } from '../change-feed/change-events.js';
import { emitChange } from '../change-feed/change-feed.emit.js';
import { type ResolvedScope, resolveScope } from '../evidence/bundle-scope.js';
import type { SubjectRefHasher } from '../subject/subject-ref.js';
import { readableRequestWhere, recordWhere, requestScope, versionWhere } from './regulator.scope.js';

export interface OpenRequestInput {
  readonly authority: string;
  readonly reference: string;
  readonly subjectRefs?: readonly string[] | null;
  readonly noticeKeys?: readonly string[] | null;
  readonly periodFrom?: Date | null;
  readonly periodTo?: Date | null;
}

type FindArgs<T> = Omit<T, 'where' | 'orderBy'>;

export class RegulatorService {
  /** Each request's scope, looked up once per GraphQL request (a list may show several requests). */
  private readonly scopes = new Map<string, Promise<ResolvedScope>>();

  constructor(
    private readonly database: Database,
    private readonly viewer: Viewer,
    private readonly hasher: SubjectRefHasher,
  ) {}

  async open(input: OpenRequestInput): Promise<RegulatorRequest> {
    return this.database.prisma.$transaction(async (tx) => {
      const request = await tx.regulatorRequest.create({
        data: {
          controllerId: this.viewer.controllerId,
          authority: input.authority,
          reference: input.reference,
          subjectRefHashes: (input.subjectRefs ?? []).map((ref) =>
            this.hasher.hash(this.viewer.controllerId, ref),
          ),
          noticeKeys: [...(input.noticeKeys ?? [])],
          periodFrom: input.periodFrom ?? null,
          periodTo: input.periodTo ?? null,
          createdByKeyId: this.viewer.apiKeyId,
        },
      });
      await appendAudit(tx, actorOf(this.viewer), {
        action: 'regulatorRequest:open',
        targetType: 'RegulatorRequest',
        targetId: request.id,
        details: {
          authority: request.authority,
          reference: request.reference,
          subjects: request.subjectRefHashes.length,
          noticeKeys: request.noticeKeys,
          periodFrom: request.periodFrom?.toISOString() ?? null,
          periodTo: request.periodTo?.toISOString() ?? null,
        },
      });
      await emitChange(tx, changes.regulatorRequestOpened(request));
      return request;
    });
  }

  /** Ends the legal hold of the request's people (docs/erasure.md); closing a closed request changes nothing. */
  async close(requestId: string, now = new Date()): Promise<RegulatorRequest> {
    return this.database.prisma.$transaction(async (tx) => {
      const request = isUuid(requestId)
        ? await tx.regulatorRequest.findFirst({
            where: { id: requestId, controllerId: this.viewer.controllerId },
          })
        : null;
      if (request === null) throw new NotFoundError('RegulatorRequest', requestId);
      if (request.closedAt !== null) return request;
      const closed = await tx.regulatorRequest.update({ where: { id: request.id }, data: { closedAt: now } });
      await appendAudit(tx, actorOf(this.viewer), {
        action: 'regulatorRequest:close',
        targetType: 'RegulatorRequest',
        targetId: request.id,
        details: { closedAt: now.toISOString() },
      });
      return closed;
    });
  }

  /** A REGULATOR key bound to one request: read-only, expiring (≤ `maxRegulatorKeyDays`), revocable. */
  async issueKey(requestId: string, name: string, expiresAt: Date): Promise<IssuedApiKey> {
    return this.database.prisma.$transaction(async (tx) => {
      const request = isUuid(requestId)
        ? await tx.regulatorRequest.findFirst({
            where: { id: requestId, controllerId: this.viewer.controllerId },
          })
        : null;
      if (request === null) throw new NotFoundError('RegulatorRequest', requestId);
      const issued = await issueApiKey(tx, this.viewer.controllerId, {
        name,
        role: 'REGULATOR',
        expiresAt,
        regulatorRequestId: request.id,
      });
      await appendAudit(tx, actorOf(this.viewer), {
        action: 'apiKey:create',
        targetType: 'ApiKey',
        targetId: issued.apiKey.id,
        details: {
          name,
          role: 'REGULATOR',
          regulatorRequestId: request.id,
          expiresAt: expiresAt.toISOString(),
        },
      });
      return issued;
    });
  }

  /** The caller's own request for a REGULATOR key; for ADMIN and AUDITOR, the one asked for. */
  request(id: string | null, query: FindArgs<Prisma.RegulatorRequestFindFirstArgs> = {}) {
    const where = readableRequestWhere(this.viewer, id);
    if (where === null) return Promise.resolve(null);
    return this.database.prisma.regulatorRequest.findFirst({ ...query, where });
  }

  list(query: FindArgs<Prisma.RegulatorRequestFindManyArgs> = {}) {
    return this.database.prisma.regulatorRequest.findMany({
      ...query,
      where: { controllerId: this.viewer.controllerId },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    });
  }

  private scope(request: RegulatorRequest): Promise<ResolvedScope> {
    let scope = this.scopes.get(request.id);
    if (scope === undefined) {
      scope = resolveScope(this.database.prisma, request.controllerId, requestScope(request));
      this.scopes.set(request.id, scope);
    }
    return scope;
  }

  async notifications(request: RegulatorRequest, query: FindArgs<Prisma.NotificationFindManyArgs> = {}) {
    const scope = await this.scope(request);
    return this.database.prisma.notification.findMany({
      ...query,
      where: recordWhere(this.viewer.controllerId, scope),
      orderBy: [{ occurredAt: 'asc' }, { id: 'asc' }],
    });
  }

  async responses(request: RegulatorRequest, query: FindArgs<Prisma.ResponseFindManyArgs> = {}) {
    const scope = await this.scope(request);
    return this.database.prisma.response.findMany({
      ...query,
      where: recordWhere(this.viewer.controllerId, scope),
      orderBy: [{ occurredAt: 'asc' }, { id: 'asc' }],
    });
  }

  async versions(request: RegulatorRequest, query: FindArgs<Prisma.NoticeVersionFindManyArgs> = {}) {
    const scope = await this.scope(request);
    return this.database.prisma.noticeVersion.findMany({
      ...query,
      where: versionWhere(this.viewer.controllerId, scope),
      orderBy: [{ noticeId: 'asc' }, { number: 'asc' }],
    });
  }

  /**
   * The legitimate-interest assessments (with their DPIA references) pinned by the versions in
   * scope: each LEGITIMATE_INTERESTS revision such a version pins, with or without an assessment,
   * so that a missing one shows too. By purpose key, then revision number.
   */
  async assessments(request: RegulatorRequest, query: FindArgs<Prisma.PurposeRevisionFindManyArgs> = {}) {
    const scope = await this.scope(request);
    return this.database.prisma.purposeRevision.findMany({
      ...query,
      where: {
        controllerId: this.viewer.controllerId,
        legalBasis: 'LEGITIMATE_INTERESTS',
        pinnedIn: { some: { version: versionWhere(this.viewer.controllerId, scope) } },
      },
      orderBy: [{ purpose: { key: 'asc' } }, { number: 'asc' }],
    });
  }

  /** Every query made with a regulator key is itself a record. */
  async recordQuery(operationName: string | null, queryText: string): Promise<void> {
    await this.database.prisma.$transaction(async (tx) => {
      await appendAudit(tx, actorOf(this.viewer), {
        action: 'regulator:query',
        targetType: 'RegulatorRequest',
        targetId: this.viewer.regulatorRequestId ?? null,
        details: { operationName, queryHash: createHash('sha256').update(queryText).digest('hex') },
      });
    });
    countRegulatorQuery();
  }
}
