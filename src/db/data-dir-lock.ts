import { randomBytes } from 'node:crypto';
import {
  linkSync,
  mkdirSync,
  readFileSync,
  readlinkSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { hostname } from 'node:os';
import { dirname, resolve } from 'node:path';

const errorCode = (error: unknown) => (error as NodeJS.ErrnoException).code;

export class DataDirLockedError extends Error {
  readonly code = 'DATA_DIR_LOCKED';

  constructor(
    readonly dataDir: string,
    readonly holderPid: number,
  ) {
    super(
      `Data directory ${dataDir} is in use by process ${holderPid}; PGlite allows one process per directory.`,
    );
    this.name = 'DataDirLockedError';
  }
}

/**
 * Who holds the lock. A PID alone is not an identity: after a crash the PID is reused — in a
 * container the restarted server is PID 1 again — so the lock also records when that process
 * started (clock ticks since boot, /proc/<pid>/stat field 22) and which boot it belongs to.
 * Both are absent where /proc is (macOS): there the PID is all there is.
 */
export interface LockHolder {
  readonly pid: number;
  readonly startTime: string | null;
  readonly bootId: string | null;
  /** The host name and PID namespace it ran in: a PID means something only within both. */
  readonly host: string | null;
  readonly pidNamespace: string | null;
}

function readProc(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

/** Field 22 of /proc/<pid>/stat; the command name (field 2) may hold spaces and parentheses. */
export function processStartTime(pid: number): string | null {
  const stat = readProc(`/proc/${pid}/stat`);
  if (stat === null) return null;
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return fields[19] ?? null;
}

export function currentBootId(): string | null {
  return readProc('/proc/sys/kernel/random/boot_id')?.trim() || null;
}

export function currentPidNamespace(): string | null {
  try {
    return readlinkSync('/proc/self/ns/pid');
  } catch {
    return null;
  }
}

function ownIdentity(): LockHolder {
  return {
    pid: process.pid,
    startTime: processStartTime(process.pid),
    bootId: currentBootId(),
    host: hostname(),
    pidNamespace: currentPidNamespace(),
  };
}

/** The first line is the PID alone, so a lock stays readable by versions that wrote only a PID. */
export function formatLock(holder: LockHolder): string {
  const lines = [String(holder.pid)];
  if (holder.startTime !== null) lines.push(`start-time=${holder.startTime}`);
  if (holder.bootId !== null) lines.push(`boot-id=${holder.bootId}`);
  if (holder.host !== null) lines.push(`host=${holder.host}`);
  if (holder.pidNamespace !== null) lines.push(`pid-namespace=${holder.pidNamespace}`);
  return `${lines.join('\n')}\n`;
}

/** Null when the file names no PID (empty or garbage): nobody can be holding it. */
export function parseLock(text: string): LockHolder | null {
  const [first = '', ...rest] = text.split('\n');
  if (!/^\s*[1-9][0-9]*\s*$/.test(first)) return null;
  const values = new Map(
    rest.map((line) => {
      const separator = line.indexOf('=');
      return [line.slice(0, separator).trim(), line.slice(separator + 1).trim()] as const;
    }),
  );
  return {
    pid: Number(first),
    startTime: values.get('start-time') || null,
    bootId: values.get('boot-id') || null,
    host: values.get('host') || null,
    pidNamespace: values.get('pid-namespace') || null,
  };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return errorCode(error) === 'EPERM';
  }
}

/** Lock files this process holds, so its own PID in a lock is not mistaken for a leftover. */
const held = new Set<string>();

/** Clock ticks per second of /proc's start times: USER_HZ, 100 on every Linux Node runs on. */
const ticksPerSecond = 100;

/** Wall-clock start of a process, from the boot time in /proc/stat and its start ticks. */
function processStartedAt(pid: number): number | null {
  const ticks = processStartTime(pid);
  const bootSeconds = /^btime (\d+)$/m.exec(readProc('/proc/stat') ?? '')?.[1];
  if (ticks === null || bootSeconds === undefined) return null;
  return (Number(bootSeconds) + Number(ticks) / ticksPerSecond) * 1000;
}

/**
 * Whether the process the lock names may still be the one that wrote it. A lock without a
 * recorded start time (written by an older version, or where there is no /proc) is judged by its
 * PID and, where /proc tells, by whether that process started only after the lock was written.
 */
export function mayHoldLock(holder: LockHolder, lockPath: string): boolean {
  const current = currentBootId();
  if (holder.bootId !== null && current !== null && holder.bootId !== current) return false;
  // Another host or container sharing the volume: its PID cannot be checked from here, so it
  // may be alive (a rolling update starts the new container before the old one stops).
  if (holder.host !== null && holder.host !== hostname()) return true;
  // Same host name, another PID namespace: the container restarted, its old processes are gone.
  const namespace = currentPidNamespace();
  if (holder.pidNamespace !== null && namespace !== null && holder.pidNamespace !== namespace) return false;
  if (!isAlive(holder.pid)) return false;
  if (holder.startTime !== null) {
    const startTime = processStartTime(holder.pid);
    return startTime === null || startTime === holder.startTime;
  }
  if (holder.pid === process.pid) return held.has(lockPath);
  const startedAt = processStartedAt(holder.pid);
  const writtenAt = lockWrittenAt(lockPath);
  if (startedAt === null || writtenAt === null) return true;
  // Start times are in ticks and mtimes may be coarse: only a clear second apart counts.
  return startedAt <= writtenAt + 1_000;
}

function lockWrittenAt(lockPath: string): number | null {
  try {
    return statSync(lockPath).mtimeMs;
  } catch {
    return null;
  }
}

function readLock(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return null;
    throw error;
  }
}

/**
 * Creates the lock with its whole content at once: written to a private file, then hard-linked
 * into place, which fails when a lock exists, so a reader never sees a half-written lock. On a
 * file system without hard links the lock is created exclusively and then written.
 */
function tryCreate(lockPath: string, content: string): boolean {
  const draft = `${lockPath}.${randomBytes(8).toString('hex')}.new`;
  writeFileSync(draft, content);
  try {
    linkSync(draft, lockPath);
    return true;
  } catch (error) {
    if (errorCode(error) === 'EEXIST') return false;
    if (!['EPERM', 'ENOTSUP', 'ENOSYS'].includes(errorCode(error) ?? '')) throw error;
  } finally {
    rmSync(draft, { force: true });
  }
  try {
    writeFileSync(lockPath, content, { flag: 'wx' });
    return true;
  } catch (error) {
    if (errorCode(error) === 'EEXIST') return false;
    throw error;
  }
}

/**
 * Removes a lock judged stale, unless another process replaced it since it was read: the lock is
 * first moved aside (atomic), and put back if what was moved is not what was judged.
 */
function removeStale(lockPath: string, judged: string): void {
  const aside = `${lockPath}.${randomBytes(8).toString('hex')}.stale`;
  try {
    renameSync(lockPath, aside);
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return;
    throw error;
  }
  try {
    if (readFileSync(aside, 'utf8') !== judged) linkSync(aside, lockPath);
  } catch (error) {
    // A third process has locked meanwhile: it holds the directory now.
    if (errorCode(error) !== 'EEXIST') throw error;
  } finally {
    rmSync(aside, { force: true });
  }
}

/**
 * PGlite has no locking of its own: two processes on one directory silently lose writes. An
 * exclusive lock file beside the directory, naming this process, keeps a second process out; a
 * lock left by a process that is gone — dead, or its PID now used by another process — is
 * taken over without anyone deleting it by hand.
 */
export function lockDataDir(dataDir: string): () => void {
  const lockPath = `${resolve(dataDir)}.lock`;
  mkdirSync(dirname(lockPath), { recursive: true });
  const content = formatLock(ownIdentity());
  for (let attempt = 0; attempt < 5; attempt++) {
    if (tryCreate(lockPath, content)) {
      held.add(lockPath);
      return () => {
        held.delete(lockPath);
        if (readLock(lockPath) === content) rmSync(lockPath, { force: true });
      };
    }
    const existing = readLock(lockPath);
    if (existing === null) continue;
    const holder = parseLock(existing);
    if (holder !== null && mayHoldLock(holder, lockPath)) throw new DataDirLockedError(dataDir, holder.pid);
    removeStale(lockPath, existing);
  }
  throw new Error(`Could not lock data directory ${dataDir}: its lock file ${lockPath} keeps changing.`);
}
