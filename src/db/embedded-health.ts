import { statfsSync } from 'node:fs';
import { messages, type PGlite } from '@electric-sql/pglite';

/**
 * Free space under which the embedded database refuses writes. PostgreSQL panics — and PGlite
 * with it — when it cannot create its next 16 MB WAL segment, so writes stop while several
 * segments still fit; reads go on, and writes resume once space is freed.
 */
export const defaultMinimumFreeBytes = 64 * 1024 * 1024;

export interface EmbeddedHealthOptions {
  /** A directory on the data directory's file system. */
  readonly dataDir: string;
  readonly minimumFreeBytes?: number;
  /** Called once when PGlite cannot continue (PANIC, FATAL, WebAssembly abort). */
  readonly onUnrecoverable?: (error: EmbeddedDatabaseFailedError) => void;
  /** Free bytes on the data directory's file system; tests substitute their own. */
  readonly freeBytes?: (dataDir: string) => number;
}

/** PGlite is dead in this process: every later call is refused, and the process should exit. */
export class EmbeddedDatabaseFailedError extends Error {
  constructor(readonly reason: unknown) {
    super(
      `The embedded database (PGlite) cannot continue: ${describe(reason)}. ` +
        'Restart Notarium; PostgreSQL recovers committed data from its write-ahead log at start.',
      { cause: reason },
    );
    this.name = 'EmbeddedDatabaseFailedError';
  }
}

function describe(error: unknown): string {
  if (error instanceof messages.DatabaseError) return `${error.severity} ${error.code}: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}

function isUnrecoverable(error: unknown): boolean {
  if (error instanceof messages.DatabaseError)
    return error.severity === 'PANIC' || error.severity === 'FATAL';
  return error instanceof WebAssembly.RuntimeError || (error as { name?: unknown })?.name === 'ExitStatus';
}

/**
 * Errors PGlite raises are `DatabaseError`s, which the Prisma adapter turns into driver errors
 * that keep the SQLSTATE; the guard's own refusals take that form too. 53100 is disk_full,
 * 57P02 crash_shutdown.
 */
function databaseError(code: string, message: string, severity = 'ERROR'): messages.DatabaseError {
  const error = new messages.DatabaseError(message, 0, 'error');
  error.code = code;
  error.severity = severity;
  return error;
}

function freeBytesOf(dataDir: string): number {
  const stats = statfsSync(dataDir);
  return stats.bavail * stats.bsize;
}

const megabytes = (bytes: number) => `${Math.floor(bytes / (1024 * 1024))} MB`;

/**
 * PGlite reports a start on a full disk only as "failed to initialize properly"; this names the
 * likely cause when space is short.
 */
export function explainStartFailure(error: unknown, dataDir: string): unknown {
  let free: number;
  try {
    free = freeBytesOf(dataDir);
  } catch {
    return error;
  }
  if (free >= defaultMinimumFreeBytes || !(error instanceof Error)) return error;
  return new Error(
    `${error.message} — the data directory's file system has only ${megabytes(free)} free: PGlite needs room to start and to recover; free some space and start again.`,
    { cause: error },
  );
}

/** A simple-query protocol message, as PGlite's own `exec` sends. */
function simpleQuery(sql: string): Uint8Array {
  const text = Buffer.from(`${sql}\0`, 'utf8');
  const message = Buffer.alloc(5 + text.length);
  message.write('Q', 0, 'latin1');
  message.writeInt32BE(4 + text.length, 1);
  text.copy(message, 5);
  return message;
}

const parseMessage = 0x50; // 'P': the start of an extended-protocol statement
const queryMessage = 0x51; // 'Q': a simple-protocol statement
const syncMessage = 0x53; // 'S': the end of an extended-protocol statement

type ExecProtocol<Result> = (message: Uint8Array, options?: object) => Promise<Result>;

/**
 * Keeps a PGlite instance from taking the process down when its disk fills up.
 *
 * - Low on space: before each statement outside a transaction the free space is checked (one
 *   statfs); below the minimum the session turns `default_transaction_read_only` on, so PostgreSQL
 *   itself refuses every write while reads go on, and turns it off once space is back. A refused
 *   write is reported as disk_full (SQLSTATE 53100), the same as a write that ran out of space.
 * - PANIC, FATAL or a WebAssembly abort: PGlite cannot run another statement — the next one would
 *   spin forever inside WebAssembly, blocking the event loop. From then on every call is refused
 *   at once (SQLSTATE 57P02) and `onUnrecoverable` is told, so the process can exit.
 */
export function guardEmbeddedDatabase(db: PGlite, options: EmbeddedHealthOptions): void {
  const minimumFreeBytes = options.minimumFreeBytes ?? defaultMinimumFreeBytes;
  const freeBytes = options.freeBytes ?? freeBytesOf;
  let failure: EmbeddedDatabaseFailedError | null = null;
  let readOnly = false;
  let lastFree = Number.POSITIVE_INFINITY;

  const execProtocol = db.execProtocol.bind(db) as ExecProtocol<unknown>;
  const execProtocolStream = db.execProtocolStream.bind(db) as ExecProtocol<unknown>;
  const close = db.close.bind(db);

  const fail = (reason: unknown) => {
    if (failure !== null) return;
    failure = new EmbeddedDatabaseFailedError(reason);
    const failed = failure;
    queueMicrotask(() => options.onUnrecoverable?.(failed));
  };

  const refusal = () =>
    databaseError('57P02', failure?.message ?? 'The embedded database cannot continue.', 'FATAL');

  /** Switches the session to read-only and back as space runs out and returns. */
  const followFreeSpace = async (message: Uint8Array) => {
    if (message[0] !== parseMessage && message[0] !== queryMessage) return;
    if (db.isInTransaction()) return;
    try {
      lastFree = freeBytes(options.dataDir);
    } catch {
      return;
    }
    const wanted = lastFree < minimumFreeBytes;
    if (wanted === readOnly) return;
    try {
      await execProtocol(simpleQuery(`SET default_transaction_read_only = ${wanted ? 'on' : 'off'}`), {
        syncToFs: false,
      });
      readOnly = wanted;
    } catch (error) {
      // Only a dead instance matters here; otherwise the statement runs and is answered as usual.
      if (isUnrecoverable(error)) throw error;
    }
  };

  const translate = (error: unknown): unknown => {
    if (isUnrecoverable(error)) fail(error);
    if (readOnly && error instanceof messages.DatabaseError && error.code === '25006') {
      return databaseError(
        '53100',
        `No space left for writes: the embedded database's file system has ${megabytes(lastFree)} free, ` +
          `writes need at least ${megabytes(minimumFreeBytes)}; they resume once space is freed.`,
      );
    }
    return error;
  };

  const guarded =
    <Result>(original: ExecProtocol<Result>, afterFailure: (message: Uint8Array) => Result | null) =>
    async (message: Uint8Array, callOptions?: object): Promise<Result> => {
      if (failure !== null) {
        const answer = afterFailure(message);
        if (answer === null) throw refusal();
        return answer;
      }
      try {
        await followFreeSpace(message);
        return await original(message, callOptions);
      } catch (error) {
        throw translate(error);
      }
    };

  Object.assign(db, {
    execProtocol: guarded(execProtocol, () => null),
    // PGlite follows every failed statement with a Sync; answered empty, the statement's own error
    // (the PANIC) is what reaches the caller rather than the refusal.
    execProtocolStream: guarded(execProtocolStream, (message) => (message[0] === syncMessage ? [] : null)),
    // Closing runs statements too; a dead instance is left as it is.
    close: () => (failure === null ? close() : Promise.resolve()),
  });
}
