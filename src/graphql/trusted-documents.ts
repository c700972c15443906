import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { usePersistedOperations } from '@graphql-yoga/plugin-persisted-operations';
import { type GraphQLSchema, getOperationAST, Kind, parse, print, validate } from 'graphql';
import { createGraphQLError, type GraphQLParams, type Plugin } from 'graphql-yoga';
import type { Viewer } from '../modules/access/access.policy.js';

/** A checked-in frontend document, runnable over GET by its id. */
export interface TrustedDocument {
  /** `sha256:` + the hex SHA-256 of the file's bytes. */
  readonly id: string;
  readonly file: string;
  readonly text: string;
  readonly operationName: string;
}

/** The variable every trusted document names its notice by: the unit of cache invalidation. */
export const noticeKeyVariable = 'noticeKey';

const directory = new URL('./trusted-documents/', import.meta.url);

export function documentIdOf(text: string): string {
  return `sha256:${createHash('sha256').update(text).digest('hex')}`;
}

/**
 * Checks one document: it parses, validates against the schema, is exactly one query (never a
 * mutation or subscription: GET must not change anything) and takes `$noticeKey: String!`.
 */
function checkedDocument(schema: GraphQLSchema, file: string, text: string): TrustedDocument {
  const document = parse(text);
  const problems = validate(schema, document).map((error) => error.message);
  const operations = document.definitions.filter(
    (definition) => definition.kind === Kind.OPERATION_DEFINITION,
  );
  const operation = getOperationAST(document) ?? undefined;
  if (operations.length !== 1 || operation === undefined) problems.push('it must hold exactly one operation');
  else if (operation.operation !== 'query') problems.push(`it is a ${operation.operation}, not a query`);
  else if (operation.name === undefined) problems.push('its operation must be named');
  const noticeKey = operation?.variableDefinitions?.find(
    (definition) => definition.variable.name.value === noticeKeyVariable,
  );
  if (noticeKey === undefined || print(noticeKey.type) !== 'String!') {
    problems.push(`it must take $${noticeKeyVariable}: String!`);
  }
  if (problems.length > 0) throw new Error(`Trusted document ${file} is invalid: ${problems.join('; ')}`);
  return { id: documentIdOf(text), file, text, operationName: operation!.name!.value };
}

/** The documents in src/graphql/trusted-documents/, checked; a bad one stops start-up. */
export function loadTrustedDocuments(schema: GraphQLSchema): ReadonlyMap<string, TrustedDocument> {
  const files = readdirSync(directory)
    .filter((file) => file.endsWith('.graphql'))
    .sort();
  const documents = files.map((file) =>
    checkedDocument(schema, file, readFileSync(new URL(file, directory), 'utf8')),
  );
  return new Map(documents.map((document) => [document.id, document]));
}

/** The `documentId` a request asks for: a URL parameter over GET, a body member over POST. */
export function requestedDocumentId(request: Request, params?: GraphQLParams): string | null {
  if (request.method === 'GET') return new URL(request.url).searchParams.get('documentId');
  const documentId = (params as { documentId?: unknown } | undefined)?.documentId;
  return typeof documentId === 'string' ? documentId : null;
}

const getNeedsTrustedDocument =
  'Over GET only trusted documents (by `documentId`, docs/caching.md) and subscriptions run; send any other document, and every mutation, by POST.';

/**
 * A subscription may still come over GET with its text (browsers' EventSource can only GET;
 * docs/subscriptions.md). URL length bounds the document: Node refuses headers over 16 KB.
 */
function isSubscriptionByGet(request: Request): boolean {
  const url = new URL(request.url);
  const query = url.searchParams.get('query');
  if (query === null) return false;
  try {
    const operation = getOperationAST(parse(query), url.searchParams.get('operationName') || undefined);
    return operation?.operation === 'subscription';
  } catch {
    return false;
  }
}

const restrictedKeyNeedsTrustedDocument =
  'This API key runs only the trusted documents, by `documentId` (docs/frontend.md); send no query text.';

/**
 * GET runs trusted documents (`?documentId=sha256:…&variables=…`) and subscriptions only, so a GET
 * can never be a mutation and every GET query answer is one a cache may keep; POST runs any
 * document, or a trusted one by `documentId`. A key created with `trustedDocumentsOnly` runs
 * trusted documents only, by any method (`viewers` holds the keys admission found).
 */
export function trustedDocuments(
  documents: ReadonlyMap<string, TrustedDocument>,
  viewers: WeakMap<Request, Viewer>,
): Plugin {
  return usePersistedOperations({
    allowArbitraryOperations: (request) =>
      viewers.get(request)?.trustedDocumentsOnly !== true &&
      (request.method !== 'GET' || isSubscriptionByGet(request)),
    extractPersistedOperationId: (params, request) => requestedDocumentId(request, params),
    getPersistedOperation: (id) => documents.get(id)?.text ?? null,
    customErrors: {
      notFound: {
        message: 'No trusted document has this documentId.',
        extensions: { code: 'TRUSTED_DOCUMENT_NOT_FOUND', http: { status: 400 } },
      },
      keyNotFound: ({ request }) =>
        request.method === 'GET'
          ? createGraphQLError(getNeedsTrustedDocument, {
              extensions: { code: 'TRUSTED_DOCUMENT_REQUIRED', http: { status: 400 } },
            })
          : createGraphQLError('The request has neither a query nor a documentId.', {
              extensions: { code: 'BAD_REQUEST', http: { status: 400 } },
            }),
      persistedQueryOnly: ({ request }) =>
        viewers.get(request)?.trustedDocumentsOnly === true
          ? createGraphQLError(restrictedKeyNeedsTrustedDocument, {
              extensions: { code: 'TRUSTED_DOCUMENT_REQUIRED', http: { status: 403 } },
            })
          : createGraphQLError(getNeedsTrustedDocument, {
              extensions: {
                code: 'TRUSTED_DOCUMENT_REQUIRED',
                http: { status: 405, headers: { Allow: 'POST' } },
              },
            }),
    },
  });
}
