import { PassThrough, Readable } from 'node:stream';
import type { Database } from '../../db/database.js';
import { decodeGlobalIdOf } from '../../lib/global-id.js';
import type { Viewer } from '../access/access.policy.js';
import { hasRole } from '../access/access.policy.js';
import { actorOf } from '../audit/audit.service.js';
import { exportEvidenceBundle } from './evidence.service.js';

function problem(status: number, code: string, message: string): Response {
  return new Response(JSON.stringify({ errors: [{ message, extensions: { code } }] }), {
    status,
    headers: { 'content-type': 'application/json' },
  });
}

/**
 * GET /evidence/bundle — streams the signed evidence bundle of a regulator request: a REGULATOR
 * key gets its own request's; ADMIN and AUDITOR name one with `?request=<global ID>`.
 */
export async function evidenceBundleResponse(
  database: Database,
  viewer: Viewer,
  url: URL,
): Promise<Response> {
  const requestId =
    viewer.role === 'REGULATOR'
      ? (viewer.regulatorRequestId ?? null)
      : hasRole(viewer, 'readRecords')
        ? decodeGlobalIdOf('RegulatorRequest', url.searchParams.get('request'))
        : null;
  if (viewer.role !== 'REGULATOR' && !hasRole(viewer, 'readRecords')) {
    return problem(403, 'FORBIDDEN', `The ${viewer.role} role may not export evidence.`);
  }
  const request = requestId
    ? await database.prisma.regulatorRequest.findFirst({
        where: { id: requestId, controllerId: viewer.controllerId },
      })
    : null;
  if (request === null) return problem(404, 'NOT_FOUND', 'No such regulator request.');
  const output = new PassThrough();
  const exported = exportEvidenceBundle(
    database,
    actorOf(viewer),
    {
      ...(request.subjectRefHashes.length > 0 ? { subjectRefHashes: request.subjectRefHashes } : {}),
      ...(request.noticeKeys.length > 0 ? { noticeKeys: request.noticeKeys } : {}),
      ...(request.periodFrom ? { from: request.periodFrom } : {}),
      ...(request.periodTo ? { to: request.periodTo } : {}),
    },
    output,
    `${request.authority} ${request.reference}`,
  );
  exported.then(
    () => output.end(),
    (error: unknown) => output.destroy(error instanceof Error ? error : new Error(String(error))),
  );
  return new Response(Readable.toWeb(output) as ReadableStream<Uint8Array>, {
    status: 200,
    headers: {
      'content-type': 'application/x-ndjson',
      'content-disposition': `attachment; filename="evidence-${request.id}.ndjson"`,
    },
  });
}
