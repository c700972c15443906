import type { Database } from '../../db/database.js';
import { ExpectedError } from '../../domain/errors.js';
import { errorResponse } from '../../graphql/http-responses.js';
import { parseIsoInstant } from '../../lib/iso-instant.js';
import { hasRole, type Viewer } from '../access/access.policy.js';
import type { SubjectRefHasher } from '../subject/subject-ref.js';
import { exportConsentRecords } from './consent-record.service.js';
import { controllerJwks } from './receipts.service.js';
import type { ExportFormat } from './record-formats.js';

export const jwksPath = '/.well-known/jwks.json';
export const consentExportPath = '/consent-records/export';

/**
 * GET /.well-known/jwks.json?controller=<slug> — the controller's receipt and evidence signing
 * keys as a JWKS (RFC 7517; OKP/Ed25519, RFC 8037). Public: a person verifying a receipt has no API key.
 */
export async function jwksResponse(database: Database, url: URL): Promise<Response> {
  const slug = url.searchParams.get('controller');
  if (!slug) return errorResponse(400, 'VALIDATION_FAILED', 'Name the controller: ?controller=<slug>.');
  const jwks = await controllerJwks(database, slug);
  if (jwks === null) return errorResponse(404, 'NOT_FOUND', `No controller ${slug}.`);
  return new Response(JSON.stringify(jwks), {
    status: 200,
    headers: { 'content-type': 'application/jwk-set+json', 'cache-control': 'public, max-age=300' },
  });
}

/**
 * GET /consent-records/export?format=ISO_27560|DPV[&purpose=<key>][&from=<instant>][&to=<instant>]
 * — the consent records as a download (ADMIN, AUDITOR). One person's records are exported through
 * the GraphQL query `consentRecords`, so that the subject reference never travels in a URL.
 */
export async function consentExportResponse(
  database: Database,
  hasher: SubjectRefHasher,
  viewer: Viewer,
  url: URL,
): Promise<Response> {
  if (viewer.trustedDocumentsOnly === true) {
    return errorResponse(403, 'TRUSTED_DOCUMENT_REQUIRED', 'This API key runs only the trusted documents.');
  }
  if (!hasRole(viewer, 'readRecords')) {
    return errorResponse(403, 'FORBIDDEN', `The ${viewer.role} role may not export consent records.`);
  }
  const params = url.searchParams;
  if (params.has('subject') || params.has('subjectRef')) {
    return errorResponse(
      400,
      'VALIDATION_FAILED',
      'A subject reference does not belong in a URL: use the GraphQL query consentRecords.',
    );
  }
  // The same instants the GraphQL DateTime scalar accepts (a time zone, a real calendar date).
  const instants: Record<'from' | 'to', Date | null> = { from: null, to: null };
  for (const name of ['from', 'to'] as const) {
    const value = params.get(name);
    if (value === null) continue;
    const parsed = parseIsoInstant(value);
    if ('problem' in parsed) {
      return errorResponse(
        400,
        'VALIDATION_FAILED',
        `${name} must be an ISO 8601 instant with a time zone, e.g. 2026-01-01T00:00:00Z (got ${JSON.stringify(value.slice(0, 40))}).`,
      );
    }
    instants[name] = parsed.date;
  }
  try {
    const result = await exportConsentRecords(database, viewer, hasher, {
      format: (params.get('format') ?? 'ISO_27560') as ExportFormat,
      purposeKey: params.get('purpose'),
      from: instants.from,
      to: instants.to,
    });
    const extension = result.format === 'DPV' ? 'jsonld' : 'json';
    return new Response(JSON.stringify(result.document), {
      status: 200,
      headers: {
        'content-type': result.format === 'DPV' ? 'application/ld+json' : 'application/json',
        'content-disposition': `attachment; filename="consent-records.${extension}"`,
        'x-record-count': String(result.recordCount),
        'x-truncated': String(result.truncated),
      },
    });
  } catch (error) {
    if (error instanceof ExpectedError) {
      const issues = 'issues' in error ? { issues: error.issues } : {};
      return errorResponse(400, error.code, error.message, {}, issues);
    }
    throw error;
  }
}
