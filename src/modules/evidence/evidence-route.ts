import { PassThrough, Readable } from 'node:stream';
import type { Database } from '../../db/database.js';
import { decodeGlobalIdOf } from '../../lib/global-id.js';
import { hasRole, type Viewer } from '../access/access.policy.js';
import { actorOf } from '../audit/audit.service.js';
import { readableRequestWhere, requestScope } from '../regulator/regulator.scope.js';
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
  if (viewer.trustedDocumentsOnly === true) {
    return problem(403, 'TRUSTED_DOCUMENT_REQUIRED', 'This API key runs only the trusted documents.');
  }
  if (!hasRole(viewer, 'readRegulatorRequests')) {
    return problem(403, 'FORBIDDEN', `The ${viewer.role} role may not export evidence.`);
  }
  const where = readableRequestWhere(
    viewer,
    decodeGlobalIdOf('RegulatorRequest', url.searchParams.get('request')),
  );
  const request = where ? await database.prisma.regulatorRequest.findFirst({ where }) : null;
  if (request === null) return problem(404, 'NOT_FOUND', 'No such regulator request.');
  const scope = requestScope(request);
  const output = new PassThrough();
  const exported = exportEvidenceBundle(
    database,
    actorOf(viewer),
    {
      ...(scope.subjectRefHashes ? { subjectRefHashes: scope.subjectRefHashes } : {}),
      ...(scope.noticeKeys ? { noticeKeys: scope.noticeKeys } : {}),
      ...(scope.from ? { from: scope.from } : {}),
      ...(scope.to ? { to: scope.to } : {}),
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
