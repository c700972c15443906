import type { Prisma, RegulatorRequest } from '../../generated/prisma/client.js';
import { isUuid } from '../../lib/uuid.js';
import { hasRole, ownsRecord, type Viewer } from '../access/access.policy.js';
import type { ResolvedScope } from '../evidence/bundle-scope.js';
import type { NormalizedScope } from '../evidence/evidence.validation.js';

/*
 * What a REGULATOR key may read: the one home of the rule (docs/regulators.md, "What a key may
 * read"). A key reads its own request and no other; of the records, those matching every
 * criterion the request gives (subjects, notices, period). The pure functions state the rule;
 * the where-builders make Prisma apply the same rule (the evidence bundle's SQL form is
 * `ScopeSql` in src/modules/evidence/bundle-scope.ts).
 */

/** Which request a viewer reads when it asks for `asked`: a REGULATOR key its own, whatever it asks; ADMIN and AUDITOR the one asked; other roles none. */
export function readableRequestId(viewer: Viewer, asked: string | null): string | null {
  if (!hasRole(viewer, 'readRegulatorRequests')) return null;
  return viewer.role === 'REGULATOR' ? (viewer.regulatorRequestId ?? null) : asked;
}

/** `readableRequestId` for Prisma: the request of the viewer's controller it reads, or null when there is none to read. */
export function readableRequestWhere(
  viewer: Viewer,
  asked: string | null,
): Prisma.RegulatorRequestWhereInput | null {
  const id = readableRequestId(viewer, asked);
  return id !== null && isUuid(id) ? { id, controllerId: viewer.controllerId } : null;
}

/** Whether the viewer may read this request: its controller's, and the key's own for a REGULATOR. */
export function mayReadRequest(
  viewer: Viewer | null,
  request: { id: string; controllerId: string },
): boolean {
  return (
    viewer !== null && ownsRecord(viewer, request) && readableRequestId(viewer, request.id) === request.id
  );
}

/** A request's criteria. null: the criterion is not given and does not narrow; a record must match every one given. */
export type RequestScope = NormalizedScope;

/** The criteria of a stored request (an empty list is a criterion not given). */
export function requestScope(
  request: Pick<RegulatorRequest, 'subjectRefHashes' | 'noticeKeys' | 'periodFrom' | 'periodTo'>,
): RequestScope {
  return {
    subjectRefHashes: request.subjectRefHashes.length > 0 ? request.subjectRefHashes : null,
    noticeKeys: request.noticeKeys.length > 0 ? request.noticeKeys : null,
    from: request.periodFrom,
    to: request.periodTo,
  };
}

export function subjectInScope(scope: RequestScope, subjectRefHash: string): boolean {
  return scope.subjectRefHashes === null || scope.subjectRefHashes.includes(subjectRefHash);
}

/** A record given without a notice version (`null`) matches no notice criterion. */
export function noticeInScope(scope: RequestScope, noticeKey: string | null): boolean {
  return scope.noticeKeys === null || (noticeKey !== null && scope.noticeKeys.includes(noticeKey));
}

/** The period is closed: `from` ≤ at ≤ `to`. */
export function instantInScope(scope: RequestScope, at: Date): boolean {
  return (
    (scope.from === null || at.getTime() >= scope.from.getTime()) &&
    (scope.to === null || at.getTime() <= scope.to.getTime())
  );
}

/** A notification, delivery event or response, by its subject, the notice of its version and its time. */
export interface ScopedRecord {
  readonly subjectRefHash: string;
  readonly noticeKey: string | null;
  readonly occurredAt: Date;
}

export function recordInScope(scope: RequestScope, record: ScopedRecord): boolean {
  return (
    subjectInScope(scope, record.subjectRefHash) &&
    noticeInScope(scope, record.noticeKey) &&
    instantInScope(scope, record.occurredAt)
  );
}

export interface ScopedVersion {
  readonly noticeKey: string;
  readonly number: number | null;
  readonly effectiveFrom: Date;
  readonly retiredAt: Date | null;
}

/**
 * A notice version: published or retired (it has a number), of a notice in scope, and in force
 * during the period — effective by `to`, not retired before `from` (one retired exactly at
 * `from` is still shown).
 */
export function versionInScope(scope: RequestScope, version: ScopedVersion): boolean {
  return (
    version.number !== null &&
    noticeInScope(scope, version.noticeKey) &&
    (scope.to === null || version.effectiveFrom.getTime() <= scope.to.getTime()) &&
    (scope.from === null || version.retiredAt === null || version.retiredAt.getTime() >= scope.from.getTime())
  );
}

/** The criteria with subjects and notices looked up (`resolveScope` in src/modules/evidence/bundle-scope.ts). */
type Resolved = Pick<ResolvedScope, 'subjectIds' | 'noticeIds' | 'from' | 'to'>;

function period(scope: Resolved) {
  return scope.from || scope.to
    ? { ...(scope.from ? { gte: scope.from } : {}), ...(scope.to ? { lte: scope.to } : {}) }
    : undefined;
}

/** `recordInScope` for Prisma: notifications and responses of the controller in scope. */
export function recordWhere(controllerId: string, scope: Resolved) {
  const occurredAt = period(scope);
  return {
    controllerId,
    ...(scope.subjectIds ? { subjectId: { in: [...scope.subjectIds] } } : {}),
    ...(scope.noticeIds ? { version: { noticeId: { in: [...scope.noticeIds] } } } : {}),
    ...(occurredAt ? { occurredAt } : {}),
  } satisfies Prisma.NotificationWhereInput & Prisma.ResponseWhereInput;
}

/** `versionInScope` for Prisma: the controller's versions in scope. */
export function versionWhere(controllerId: string, scope: Resolved): Prisma.NoticeVersionWhereInput {
  return {
    controllerId,
    number: { not: null },
    ...(scope.noticeIds ? { noticeId: { in: [...scope.noticeIds] } } : {}),
    ...(scope.to ? { effectiveFrom: { lte: scope.to } } : {}),
    ...(scope.from ? { OR: [{ retiredAt: null }, { retiredAt: { gte: scope.from } }] } : {}),
  };
}
