/**
 * Recognises failures that are the database's state, not the request's fault: the server is
 * down or restarting (UNAVAILABLE), or it has no space left to write (STORAGE_FULL). Both are
 * answered 503 with Retry-After, so clients retry and alerting sees an outage, not a bug. A
 * statement the server stopped (its `statement_timeout`, or a cancel: SQLSTATE 57014) is
 * STATEMENT_TIMEOUT: the work was larger than one statement may take, and nothing was changed.
 */
export type DatabaseFailure = 'UNAVAILABLE' | 'STORAGE_FULL' | 'STATEMENT_TIMEOUT';

const unavailableKinds = new Set([
  'DatabaseNotReachable',
  'ConnectionClosed',
  'SocketTimeout',
  'TooManyConnections',
  'TlsConnectionError',
]);

// SQLSTATE classes 08 (connection exception) and 57P0x (shutdown, crash recovery, starting up).
const unavailableStates = /^(08\d{3}|57P0[1-4]|53300)$/;
const storageFullStates = new Set(['53100']);
const canceledStates = new Set(['57014']);
const unavailableErrnos = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND']);
const storageFullErrnos = new Set(['ENOSPC', 'EDQUOT']);
const unavailableMessages = [
  /Connection terminated/i,
  /timeout exceeded when trying to connect/i,
  /Can't reach database server/i,
  /PGlite is closed/i,
  /Cannot use a pool after calling end/i,
];
const storageFullMessages = [/No space left on device/i, /could not extend file/i, /disk full/i];

interface Inspectable {
  code?: unknown;
  kind?: unknown;
  originalCode?: unknown;
  message?: unknown;
  cause?: unknown;
  originalError?: unknown;
  meta?: { driverAdapterError?: unknown };
}

function* chain(error: unknown): Generator<Inspectable> {
  const seen = new Set<unknown>();
  const pending: unknown[] = [error];
  while (pending.length > 0) {
    const current = pending.shift();
    if (current === null || typeof current !== 'object' || seen.has(current)) continue;
    seen.add(current);
    const item = current as Inspectable;
    yield item;
    pending.push(item.cause, item.originalError, item.meta?.driverAdapterError);
  }
}

function classifyOne(item: Inspectable): DatabaseFailure | null {
  const codes = [item.code, item.originalCode].filter((code): code is string => typeof code === 'string');
  if (typeof item.kind === 'string' && unavailableKinds.has(item.kind)) return 'UNAVAILABLE';
  if (codes.some((code) => storageFullStates.has(code) || storageFullErrnos.has(code))) return 'STORAGE_FULL';
  if (codes.some((code) => canceledStates.has(code))) return 'STATEMENT_TIMEOUT';
  if (codes.some((code) => unavailableStates.test(code) || unavailableErrnos.has(code) || code === 'P1001'))
    return 'UNAVAILABLE';
  const message = typeof item.message === 'string' ? item.message : '';
  if (storageFullMessages.some((pattern) => pattern.test(message))) return 'STORAGE_FULL';
  if (unavailableMessages.some((pattern) => pattern.test(message))) return 'UNAVAILABLE';
  return null;
}

export function classifyDatabaseFailure(error: unknown): DatabaseFailure | null {
  let found: DatabaseFailure | null = null;
  for (const item of chain(error)) {
    const failure = classifyOne(item);
    if (failure === 'STORAGE_FULL') return failure;
    found ??= failure;
  }
  return found;
}

/** Seconds a client should wait before retrying after such a failure. */
export const databaseRetryAfterSeconds: Record<DatabaseFailure, number> = {
  UNAVAILABLE: 5,
  STORAGE_FULL: 60,
  STATEMENT_TIMEOUT: 30,
};
