import type { App } from '../../../src/app.js';
import { schema } from '../../../src/graphql/schema.js';
import { loadTrustedDocuments } from '../../../src/graphql/trusted-documents.js';

const documents = [...loadTrustedDocuments(schema).values()];

/** The documentId of the checked-in trusted document with this operation name. */
export function documentId(operationName: string): string {
  const document = documents.find((candidate) => candidate.operationName === operationName);
  if (document === undefined) throw new Error(`no trusted document ${operationName}`);
  return document.id;
}

/** The request a frontend (or a CDN in front of it) sends: GET by documentId, key in Authorization. */
export function trustedGet(
  key: string,
  operationName: string,
  variables: Record<string, unknown>,
  headers: Record<string, string> = {},
): Request {
  const url = new URL('http://notarium.test/graphql');
  url.searchParams.set('documentId', documentId(operationName));
  url.searchParams.set('variables', JSON.stringify(variables));
  return new Request(url, {
    headers: {
      authorization: `Bearer ${key}`,
      accept: 'application/json',
      'x-graphql-yoga-csrf': '1',
      ...headers,
    },
  });
}

/** What the trusted notice documents answer, as far as the tests read it. */
export interface NoticeAnswer {
  readonly data?: {
    readonly notice: {
      readonly key: string;
      readonly status: string;
      readonly currentVersion?: { readonly number: number; readonly text: { readonly body: string } } | null;
      readonly upcomingVersion?: { readonly number: number } | null;
      readonly versions?: { readonly edges: { readonly node: { number: number; status: string } }[] };
    } | null;
  };
  readonly errors?: { readonly message: string; readonly extensions?: { readonly code?: string } }[];
}

export interface GetAnswer {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  readonly json: NoticeAnswer | null;
}

export async function send(app: App, request: Request): Promise<GetAnswer> {
  const response = await app.fetch(request);
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    text,
    json: text ? (JSON.parse(text) as NoticeAnswer) : null,
  };
}
