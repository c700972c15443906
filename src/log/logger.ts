import { pino } from 'pino';
import { currentRequestId } from './request-scope.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';
type Fields = Record<string, unknown>;

export interface Logger {
  debug(message: string, fields?: Fields): void;
  info(message: string, fields?: Fields): void;
  warn(message: string, fields?: Fields): void;
  error(message: string, fields?: Fields): void;
  child(bindings: Fields): Logger;
}

/** Receives each log line, a JSON object without the trailing newline. */
export type LogSink = (line: string) => void;

/**
 * Keys whose values may hold a subject reference or a credential: written as "[redacted]" at any
 * depth (a GraphQL request's `variables`, a header map's `authorization`, …).
 */
export const redactedKeys: ReadonlySet<string> = new Set([
  'subjectref',
  'subjectrefs',
  'ref',
  'refs',
  'reference',
  'references',
  'variables',
  'variablevalues',
  'authorization',
  'cookie',
  'secret',
]);

const censor = '[redacted]';
const maxDepth = 8;

/** A copy fit to log: sensitive keys censored, errors as name, message and stack, cycles cut. */
function scrub(value: unknown, depth = 0, seen = new WeakSet<object>()): unknown {
  if (value instanceof Error) return { name: value.name, message: value.message, stack: value.stack };
  if (value === null || typeof value !== 'object' || value instanceof Date) return value;
  if (depth >= maxDepth || seen.has(value)) return '[…]';
  seen.add(value);
  if (Array.isArray(value)) return value.map((item) => scrub(item, depth + 1, seen));
  const copy: Fields = {};
  for (const [key, item] of Object.entries(value)) {
    copy[key] = redactedKeys.has(key.toLowerCase()) ? censor : scrub(item, depth + 1, seen);
  }
  return copy;
}

const scrubFields = (fields: Fields) => scrub(fields) as Fields;

function wrap(base: pino.Logger): Logger {
  return {
    debug: (message, fields = {}) => base.debug(fields, message),
    info: (message, fields = {}) => base.info(fields, message),
    warn: (message, fields = {}) => base.warn(fields, message),
    error: (message, fields = {}) => base.error(fields, message),
    child: (bindings) => wrap(base.child(bindings)),
  };
}

/**
 * JSON lines through pino: time (ISO 8601), level (its name), message, the bound fields, and the
 * request ID of the request in scope. pino's own `redact` takes fixed paths; `scrub` (its `log`
 * and `bindings` formatters) censors the keys in `redactedKeys` at any depth.
 */
export function createLogger(level: LogLevel, sink?: LogSink, bindings: Fields = {}): Logger {
  const destination = sink
    ? { write: (line: string) => sink(line.endsWith('\n') ? line.slice(0, -1) : line) }
    : pino.destination({ dest: 1, sync: true });
  const base = pino(
    {
      level,
      base: undefined,
      messageKey: 'message',
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }), bindings: scrubFields, log: scrubFields },
      mixin: (_context, _level, logger) => {
        const requestId = currentRequestId();
        return requestId === undefined || 'requestId' in logger.bindings() ? {} : { requestId };
      },
    },
    destination,
  );
  return wrap(Object.keys(bindings).length > 0 ? base.child(bindings) : base);
}
