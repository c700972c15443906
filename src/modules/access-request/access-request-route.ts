import type { Database } from '../../db/database.js';
import { ExpectedError } from '../../domain/errors.js';
import { hasRole, type Viewer } from '../access/access.policy.js';
import { EligibilityService } from '../eligibility/eligibility.service.js';
import { subjectRef } from '../notification/notification.validation.js';
import { SubjectService } from '../subject/subject.service.js';
import type { SubjectRefHasher } from '../subject/subject-ref.js';
import { AccessRequestService } from './access-request.service.js';

function problem(status: number, code: string, message: string): Response {
  return new Response(JSON.stringify({ errors: [{ message, extensions: { code } }] }), {
    status,
    headers: { 'content-type': 'application/json' },
  });
}

/**
 * POST /access-request with `{"subjectRef": "…"}` — the person's access report (GDPR Art. 15) as a
 * JSON file to hand over. The reference travels in the body, never in the URL, so that it stays
 * out of access logs. ADMIN or AUDITOR, as the `accessRequest` query.
 */
export async function accessRequestResponse(
  database: Database,
  viewer: Viewer,
  hasher: SubjectRefHasher,
  request: Request,
): Promise<Response> {
  if (request.method !== 'POST')
    return problem(405, 'METHOD_NOT_ALLOWED', 'Send a POST with {"subjectRef": "…"}.');
  if (viewer.trustedDocumentsOnly === true)
    return problem(403, 'TRUSTED_DOCUMENT_REQUIRED', 'This API key runs only the trusted documents.');
  if (!hasRole(viewer, 'readRecords'))
    return problem(403, 'FORBIDDEN', `The ${viewer.role} role may not read access reports.`);
  let body: unknown;
  try {
    body = await request.json();
  } catch {
    return problem(400, 'VALIDATION_FAILED', 'The body must be JSON: {"subjectRef": "…"}.');
  }
  const parsed = subjectRef.safeParse((body as { subjectRef?: unknown } | null)?.subjectRef);
  if (!parsed.success)
    return problem(400, 'VALIDATION_FAILED', `subjectRef: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  const service = new AccessRequestService(
    database,
    viewer,
    hasher,
    new SubjectService(database, viewer),
    new EligibilityService(database, viewer),
  );
  try {
    const report = await service.report(parsed.data);
    return new Response(`${JSON.stringify(report, null, 2)}\n`, {
      status: 200,
      headers: {
        'content-type': 'application/json; charset=utf-8',
        'content-disposition': `attachment; filename="access-report-${report.subject.id}.json"`,
        'cache-control': 'no-store',
      },
    });
  } catch (error) {
    if (error instanceof ExpectedError)
      return problem(error.code === 'NOT_FOUND' ? 404 : 400, error.code, error.message);
    throw error;
  }
}
