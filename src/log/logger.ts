import { currentRequestId } from './request-scope.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';
type Fields = Record<string, unknown>;

const rank: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

export interface Logger {
  debug(message: string, fields?: Fields): void;
  info(message: string, fields?: Fields): void;
  warn(message: string, fields?: Fields): void;
  error(message: string, fields?: Fields): void;
  child(bindings: Fields): Logger;
}

export type LogSink = (line: string) => void;

const stdoutSink: LogSink = (line) => {
  process.stdout.write(`${line}\n`);
};

function serialize(value: unknown): unknown {
  if (value instanceof Error) {
    return { name: value.name, message: value.message, stack: value.stack };
  }
  return value;
}

/** JSON lines: time, level, message, the bound fields, and the request ID of the request in scope. */
export function createLogger(level: LogLevel, sink: LogSink = stdoutSink, bindings: Fields = {}): Logger {
  const write = (entryLevel: Exclude<LogLevel, 'silent'>, message: string, fields: Fields = {}) => {
    if (rank[entryLevel] < rank[level]) return;
    const requestId = currentRequestId();
    const entry: Fields = { time: new Date().toISOString(), level: entryLevel, message, ...bindings };
    if (requestId !== undefined && entry.requestId === undefined) entry.requestId = requestId;
    for (const [key, value] of Object.entries(fields)) entry[key] = serialize(value);
    sink(JSON.stringify(entry));
  };
  return {
    debug: (message, fields) => write('debug', message, fields),
    info: (message, fields) => write('info', message, fields),
    warn: (message, fields) => write('warn', message, fields),
    error: (message, fields) => write('error', message, fields),
    child: (more) => createLogger(level, sink, { ...bindings, ...more }),
  };
}
