/**
 * A typed notice client for a frontend: no bundler, no GraphQL client library, only `fetch`.
 * Types come from `generated/` (npx graphql-codegen --config examples/frontend/codegen.ts).
 */
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { CurrentNoticeDocument, NoticeHistoryDocument, NoticeVersionDocument } from './generated/graphql.js';

/** A generated document: its types, and the id the server knows it by (`sha256:…`). */
type TrustedDocument<TResult, TVariables> = TypedDocumentNode<TResult, TVariables> & {
  readonly __meta__?: { readonly hash: string };
};

export interface NoticeClientOptions {
  /** e.g. `https://notices.example.com/graphql` */
  readonly endpoint: string;
  /** A READER key, best created with `trustedDocumentsOnly` (docs/frontend.md). */
  readonly apiKey: string;
  readonly fetch?: typeof fetch;
}

export class NoticeApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string | undefined,
  ) {
    super(message);
  }
}

/**
 * Runs a trusted document by GET (cacheable: the browser revalidates with its ETag,
 * docs/caching.md) and returns its typed data, or throws the first error with its code.
 */
export async function runTrusted<TResult, TVariables extends Record<string, unknown>>(
  options: NoticeClientOptions,
  document: TrustedDocument<TResult, TVariables>,
  variables: TVariables,
): Promise<TResult> {
  const documentId = document.__meta__?.hash;
  if (documentId === undefined)
    throw new Error('Not a trusted document: regenerate examples/frontend/generated');
  const url = new URL(options.endpoint);
  url.searchParams.set('documentId', documentId);
  url.searchParams.set('variables', JSON.stringify(variables));
  const response = await (options.fetch ?? fetch)(url, {
    headers: {
      authorization: `Bearer ${options.apiKey}`,
      accept: 'application/graphql-response+json',
      'x-graphql-yoga-csrf': '1',
    },
  });
  const body = (await response.json()) as {
    data?: TResult | null;
    errors?: { message: string; extensions?: { code?: string } }[];
  };
  const error = body.errors?.[0];
  if (error !== undefined || body.data == null) {
    throw new NoticeApiError(error?.message ?? 'No data', response.status, error?.extensions?.code);
  }
  return body.data;
}

/** The version in force, in the reader's language (with fallback), and the one coming next. */
export function currentNotice(options: NoticeClientOptions, noticeKey: string, locale?: string) {
  return runTrusted(options, CurrentNoticeDocument, { noticeKey, locale });
}

/** Published versions, newest first, a page at a time. */
export function noticeHistory(options: NoticeClientOptions, noticeKey: string, after?: string) {
  return runTrusted(options, NoticeHistoryDocument, { noticeKey, after });
}

/** One version's exact text and purposes. */
export function noticeVersion(
  options: NoticeClientOptions,
  noticeKey: string,
  number: number,
  locale?: string,
) {
  return runTrusted(options, NoticeVersionDocument, { noticeKey, number, locale });
}

/** What a page shows: the title and body in force, or null when the notice has none yet. */
export async function noticeText(options: NoticeClientOptions, noticeKey: string, locale?: string) {
  const { notice } = await currentNotice(options, noticeKey, locale);
  const text = notice?.currentVersion?.text;
  return text ? { title: text.title, body: text.body, version: notice.currentVersion?.number } : null;
}
