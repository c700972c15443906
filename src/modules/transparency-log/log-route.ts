import type { Database } from '../../db/database.js';
import { ExpectedError } from '../../domain/errors.js';
import { errorResponse, jsonResponse } from '../../graphql/http-responses.js';
import { LogSizeOutOfRangeError } from './transparency-log.errors.js';
import {
  consistencyProof,
  headAt,
  inclusionProof,
  latestHead,
  logVerifierKeys,
} from './transparency-log.service.js';

/** Every public log URL starts with this, then the controller's slug and `/log/`. */
export const publicLogPrefix = '/public/';

const route = /^\/public\/([a-z0-9][a-z0-9-]*)\/log\/(.+)$/;

/** The URL of a published version's inclusion proof (docs/transparency-log.md#http-endpoints). */
export function versionInclusionPath(controllerSlug: string, noticeKey: string, number: number): string {
  return `/public/${controllerSlug}/log/notices/${encodeURIComponent(noticeKey)}/versions/${number}/inclusion`;
}

const status: Record<string, number> = {
  NOT_FOUND: 404,
  LOG_ENTRY_PENDING: 404,
  LOG_SIZE_OUT_OF_RANGE: 400,
  VALIDATION_FAILED: 400,
};

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

const text = (body: string) =>
  new Response(body, { status: 200, headers: { 'content-type': 'text/plain; charset=utf-8' } });

function sizeParameter(url: URL, name: string): number | null {
  const value = url.searchParams.get(name);
  if (value === null) return null;
  if (!/^(0|[1-9][0-9]{0,15})$/.test(value))
    throw new LogSizeOutOfRangeError(`${name} must be a tree size (a non-negative integer).`);
  return Number(value);
}

/**
 * The public, keyless transparency-log endpoints of a controller (GET only): the latest and
 * earlier checkpoints, the verifier keys, consistency proofs, and the inclusion proofs of
 * published versions. Notifications' proofs are not public: they need a key (GraphQL).
 * Answers null for a path that is not one of them.
 */
export async function transparencyLogResponse(
  database: Database,
  request: Request,
  url: URL,
): Promise<Response | null> {
  const match = route.exec(url.pathname);
  if (!match) return null;
  if (request.method !== 'GET' && request.method !== 'HEAD')
    return errorResponse(405, 'METHOD_NOT_ALLOWED', 'The log is read with GET.', { allow: 'GET, HEAD' });
  const [, slug, rest] = match as unknown as [string, string, string];
  const prisma = database.prisma;
  const controller = await prisma.controller.findUnique({ where: { slug }, select: { id: true } });
  if (controller === null) return errorResponse(404, 'NOT_FOUND', `No controller ${slug}.`);
  const controllerId = controller.id;
  try {
    if (rest === 'checkpoint') {
      const head = await latestHead(prisma, controllerId);
      return head
        ? text(head.checkpoint)
        : errorResponse(404, 'NOT_FOUND', 'The log has no signed tree head yet.');
    }
    const checkpointAt = /^checkpoints\/(0|[1-9][0-9]{0,15})$/.exec(rest);
    if (checkpointAt) {
      const head = await headAt(prisma, controllerId, Number(checkpointAt[1]));
      return head
        ? text(head.checkpoint)
        : errorResponse(404, 'NOT_FOUND', 'No signed tree head of that size.');
    }
    if (rest === 'keys')
      return text((await logVerifierKeys(prisma, controllerId)).map((key) => `${key}\n`).join(''));
    if (rest === 'consistency') {
      const from = sizeParameter(url, 'from');
      if (from === null) throw new LogSizeOutOfRangeError('from (a tree size) is required.');
      return jsonResponse(200, await consistencyProof(prisma, controllerId, from, sizeParameter(url, 'to')));
    }
    const version = /^notices\/([^/]+)\/versions\/([1-9][0-9]{0,8})\/inclusion$/.exec(rest);
    if (version) {
      const noticeKey = safeDecode(version[1]!);
      const found = await prisma.noticeVersion.findFirst({
        where: {
          controllerId,
          number: Number(version[2]),
          status: { not: 'DRAFT' },
          notice: { key: noticeKey },
        },
        select: { id: true },
      });
      if (found === null)
        return errorResponse(404, 'NOT_FOUND', `No published version ${version[2]} of ${noticeKey}.`);
      return jsonResponse(
        200,
        await inclusionProof(prisma, controllerId, { versionId: found.id }, sizeParameter(url, 'treeSize')),
      );
    }
    return errorResponse(404, 'NOT_FOUND', `Nothing is served at ${url.pathname}.`);
  } catch (error) {
    if (error instanceof ExpectedError)
      return errorResponse(status[error.code] ?? 400, error.code, error.message);
    throw error;
  }
}
