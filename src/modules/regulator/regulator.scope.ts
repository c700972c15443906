import type { Prisma, RegulatorRequest } from '../../generated/prisma/client.js';

/** What a regulator request covers; a record is in scope when it matches every given criterion. */
export interface RegulatorScope {
  readonly subjectIds: readonly string[] | null;
  readonly noticeIds: readonly string[] | null;
  readonly from: Date | null;
  readonly to: Date | null;
}

export async function resolveScope(
  client: Prisma.TransactionClient,
  request: RegulatorRequest,
): Promise<RegulatorScope> {
  const subjectIds =
    request.subjectRefHashes.length > 0
      ? (
          await client.subject.findMany({
            where: { controllerId: request.controllerId, refHash: { in: request.subjectRefHashes } },
            select: { id: true },
          })
        ).map((subject) => subject.id)
      : null;
  const noticeIds =
    request.noticeKeys.length > 0
      ? (
          await client.notice.findMany({
            where: { controllerId: request.controllerId, key: { in: request.noticeKeys } },
            select: { id: true },
          })
        ).map((notice) => notice.id)
      : null;
  return { subjectIds, noticeIds, from: request.periodFrom, to: request.periodTo };
}

function period(scope: RegulatorScope) {
  return scope.from || scope.to
    ? { ...(scope.from ? { gte: scope.from } : {}), ...(scope.to ? { lte: scope.to } : {}) }
    : undefined;
}

export function notificationWhere(
  controllerId: string,
  scope: RegulatorScope,
): Prisma.NotificationWhereInput {
  return {
    controllerId,
    ...(scope.subjectIds ? { subjectId: { in: [...scope.subjectIds] } } : {}),
    ...(scope.noticeIds ? { version: { noticeId: { in: [...scope.noticeIds] } } } : {}),
    ...(period(scope) ? { occurredAt: period(scope) } : {}),
  };
}

export function responseWhere(controllerId: string, scope: RegulatorScope): Prisma.ResponseWhereInput {
  return {
    controllerId,
    ...(scope.subjectIds ? { subjectId: { in: [...scope.subjectIds] } } : {}),
    ...(scope.noticeIds ? { version: { noticeId: { in: [...scope.noticeIds] } } } : {}),
    ...(period(scope) ? { occurredAt: period(scope) } : {}),
  };
}

/** Published versions of the notices in scope (all notices when none are named), in force during the period. */
export function versionWhere(controllerId: string, scope: RegulatorScope): Prisma.NoticeVersionWhereInput {
  return {
    controllerId,
    number: { not: null },
    ...(scope.noticeIds ? { noticeId: { in: [...scope.noticeIds] } } : {}),
    ...(scope.to ? { effectiveFrom: { lte: scope.to } } : {}),
    ...(scope.from ? { OR: [{ retiredAt: null }, { retiredAt: { gte: scope.from } }] } : {}),
  };
}
