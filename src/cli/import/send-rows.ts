import { type GraphQLClient, request } from './graphql-client.js';
import type { RowError, RowShape } from './rows.js';

export type RowStatus = 'ACCEPTED' | 'DUPLICATE' | 'REJECTED';

export interface RowOutcome {
  readonly status: RowStatus;
  readonly error: RowError | null;
}

const answer = (payload: string) => `
    __typename
    ... on ${payload} { items { index status error { code message } } }
    ... on Error { code message }`;

const documents = {
  notifications: `mutation ImportNotifications($input: RecordNotificationColumnsInput!) {
  result: recordNotificationColumns(input: $input) {${answer('RecordNotificationsPayload')}
  }
}`,
  events: `mutation ImportNotificationEvents($input: RecordNotificationEventsInput!) {
  result: recordNotificationEvents(input: $input) {${answer('RecordNotificationEventsPayload')}
  }
}`,
  responses: `mutation ImportResponses($input: RecordResponsesInput!) {
  result: recordResponses(input: $input) {${answer('RecordResponsesPayload')}
  }
}`,
} as const;

/** Fields of a notification row given once per call of the columnar form. */
const perCall = ['noticeKey', 'versionNumber', 'campaignId'] as const;
/** The other fields, each the list of the columnar form that carries it. */
const columnOf: Readonly<Record<string, string>> = {
  subjectRef: 'subjectRefs',
  idempotencyKey: 'idempotencyKeys',
  channel: 'channels',
  locale: 'locales',
  occurredAt: 'occurredAt',
  jurisdiction: 'jurisdictions',
  subjectLocale: 'subjectLocales',
  senderMessageId: 'senderMessageIds',
  'template.key': 'templateKeys',
  'template.revision': 'templateRevisions',
};

/** Every field of a notification row must travel in the columnar form: a new one must be added above. */
export function checkColumnMapping(shape: RowShape): void {
  const unmapped = [...shape.leaves.keys()].filter(
    (field) => !(field in columnOf) && !(perCall as readonly string[]).includes(field),
  );
  if (unmapped.length > 0)
    throw new Error(`The import does not map ${unmapped.join(', ')} to recordNotificationColumns.`);
}

const leafValue = (row: Record<string, unknown>, field: string): unknown =>
  field.split('.').reduce<unknown>((value, part) => (value as Record<string, unknown> | null)?.[part], row) ??
  null;

/** One call's input: the rows of one notice version (and campaign) as columns. */
function columnsInput(rows: readonly Record<string, unknown>[]): Record<string, unknown> {
  const first = rows[0]!;
  const input: Record<string, unknown> = {};
  for (const field of perCall) if (first[field] !== undefined) input[field] = first[field];
  for (const [field, column] of Object.entries(columnOf)) {
    const values = rows.map((row) => leafValue(row, field));
    if (values.some((value) => value !== null)) input[column] = values;
  }
  return input;
}

interface Payload {
  readonly __typename: string;
  readonly code?: string;
  readonly message?: string;
  readonly items?: readonly { index: number; status: RowStatus; error: RowError | null }[];
}

const unanswered: RowOutcome = {
  status: 'REJECTED',
  error: { code: 'IMPORT_NO_ANSWER', message: 'The server answered no result for this row.' },
};

/** Whole-call refusals that a second send may not meet (a concurrent erasure). */
const conflictAttempts = 3;

async function sendCall(
  client: GraphQLClient,
  query: string,
  input: Record<string, unknown>,
  count: number,
): Promise<RowOutcome[]> {
  for (let attempt = 1; ; attempt++) {
    const payload = (await request(client, query, { input })).result as Payload;
    if (payload.items !== undefined) {
      const outcomes: RowOutcome[] = Array.from({ length: count }, () => unanswered);
      for (const item of payload.items) outcomes[item.index] = { status: item.status, error: item.error };
      return outcomes;
    }
    if (payload.code === 'CONFLICT' && attempt < conflictAttempts) continue;
    // The call was refused as a whole: each of its rows is, with the call's reason.
    const error = { code: payload.code ?? payload.__typename, message: payload.message ?? '' };
    return Array.from({ length: count }, () => ({ status: 'REJECTED' as const, error }));
  }
}

/**
 * Sends checked rows through the bulk mutation of their kind and answers one outcome per row,
 * in order. Notifications go as columns, one call per notice version and campaign among them.
 */
export async function sendRows(
  client: GraphQLClient,
  shape: RowShape,
  rows: readonly Record<string, unknown>[],
): Promise<RowOutcome[]> {
  if (rows.length === 0) return [];
  if (shape.kind !== 'notifications')
    return sendCall(client, documents[shape.kind], { items: rows }, rows.length);
  const groups = new Map<string, number[]>();
  rows.forEach((row, index) => {
    const key = JSON.stringify(perCall.map((field) => row[field] ?? null));
    const group = groups.get(key);
    if (group) group.push(index);
    else groups.set(key, [index]);
  });
  const outcomes: RowOutcome[] = new Array(rows.length);
  for (const indexes of groups.values()) {
    const group = indexes.map((index) => rows[index]!);
    const answered = await sendCall(client, documents.notifications, columnsInput(group), group.length);
    indexes.forEach((index, position) => {
      outcomes[index] = answered[position]!;
    });
  }
  return outcomes;
}
