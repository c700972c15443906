import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import {
  currentBootId,
  currentPidNamespace,
  DataDirLockedError,
  formatLock,
  type LockHolder,
  lockDataDir,
  parseLock,
  processStartTime,
} from '../../src/db/data-dir-lock.js';

const directory = mkdtempSync(join(tmpdir(), 'notarium-lock-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

const hasProc = existsSync('/proc/self/stat');
let counter = 0;
const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
});

/** A fresh data directory path and its lock file, holding `content` when given. */
function dataDir(content?: string) {
  const dir = join(directory, `data-${++counter}`);
  if (content !== undefined) writeFileSync(`${dir}.lock`, content);
  return { dir, lockPath: `${dir}.lock` };
}

/** A live process that is not us, started now; resolves once the OS has given it a PID. */
async function liveProcess(): Promise<ChildProcess & { pid: number }> {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1 << 30)'], { stdio: 'ignore' });
  children.push(child);
  await new Promise((resolve, reject) => child.once('spawn', resolve).once('error', reject));
  return child as ChildProcess & { pid: number };
}

async function deadPid(): Promise<number> {
  const child = await liveProcess();
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
  return child.pid;
}

/** A holder on this host, in this PID namespace and boot. */
function here(pid: number, startTime: string | null): LockHolder {
  return { pid, startTime, bootId: currentBootId(), host: hostname(), pidNamespace: currentPidNamespace() };
}

/** Takes the lock, checks it now names this process, and releases it. */
function expectTakenOver(dir: string, lockPath: string) {
  const unlock = lockDataDir(dir);
  const content = readFileSync(lockPath, 'utf8');
  expect(parseLock(content)).toEqual(here(process.pid, processStartTime(process.pid)));
  // Versions that wrote only a PID read the first number: they still see the holder.
  expect(Number.parseInt(content, 10)).toBe(process.pid);
  unlock();
  expect(existsSync(lockPath)).toBe(false);
}

function lockedBy(dir: string): number | null {
  try {
    lockDataDir(dir)();
    return null;
  } catch (error) {
    expect(error).toBeInstanceOf(DataDirLockedError);
    return (error as DataDirLockedError).holderPid;
  }
}

describe('data-dir lock', () => {
  it('refuses a second holder in the same process while held, and is free again once released', () => {
    const { dir, lockPath } = dataDir();
    const unlock = lockDataDir(dir);
    expect(lockedBy(dir)).toBe(process.pid);
    unlock();
    expectTakenOver(dir, lockPath);
  });

  it('takes over a lock whose holder died', async () => {
    const pid = await deadPid();
    const { dir, lockPath } = dataDir(formatLock(here(pid, processStartTime(process.pid))));
    expectTakenOver(dir, lockPath);
  });

  it.skipIf(!hasProc)(
    'refuses while a live holder matches its recorded identity, takes over once it is killed',
    async () => {
      const holder = await liveProcess();
      const { dir, lockPath } = dataDir(formatLock(here(holder.pid, processStartTime(holder.pid))));
      expect(lockedBy(dir)).toBe(holder.pid);
      const exited = new Promise((resolve) => holder.once('exit', resolve));
      holder.kill('SIGKILL');
      await exited;
      expectTakenOver(dir, lockPath);
    },
  );

  it.skipIf(!hasProc)(
    'takes over a lock whose PID now belongs to another process (PID 1, our parent, ourselves)',
    () => {
      for (const pid of [1, process.ppid, process.pid]) {
        const startTime = processStartTime(pid);
        expect(startTime).not.toBeNull();
        const { dir, lockPath } = dataDir(formatLock(here(pid, `${startTime}0`)));
        expectTakenOver(dir, lockPath);
      }
    },
  );

  it.skipIf(!hasProc)(
    'respects a lock held on another host sharing the volume: its PID cannot be checked from here',
    () => {
      const { dir, lockPath } = dataDir(formatLock({ ...here(1, '1'), host: 'another-container' }));
      expect(lockedBy(dir)).toBe(1);
      expect(readFileSync(lockPath, 'utf8')).toContain('host=another-container');
    },
  );

  it.skipIf(!hasProc)(
    'takes over a lock of this host from another PID namespace: the container restarted',
    () => {
      const { dir, lockPath } = dataDir(
        formatLock({ ...here(1, processStartTime(1)), pidNamespace: 'pid:[1]' }),
      );
      expectTakenOver(dir, lockPath);
    },
  );

  it.skipIf(!hasProc)(
    'takes over a lock written during another boot, even if its PID and start time match',
    () => {
      const { dir, lockPath } = dataDir(
        formatLock({ ...here(1, processStartTime(1)), bootId: '00000000-0000-4000-8000-000000000000' }),
      );
      expectTakenOver(dir, lockPath);
    },
  );

  it('takes over an empty or unreadable lock', () => {
    for (const content of ['', 'not a pid\n']) {
      const { dir, lockPath } = dataDir(content);
      expectTakenOver(dir, lockPath);
    }
  });

  describe('a lock holding only a PID (written by an older version)', () => {
    it('is taken over when that PID is dead', async () => {
      const { dir, lockPath } = dataDir(String(await deadPid()));
      expectTakenOver(dir, lockPath);
    });

    it('is taken over when it names this process, which does not hold it', () => {
      const { dir, lockPath } = dataDir(String(process.pid));
      expectTakenOver(dir, lockPath);
    });

    it.skipIf(!hasProc)(
      'is taken over when the live process it names started after it was written',
      async () => {
        const { dir, lockPath } = dataDir('');
        const holder = await liveProcess();
        writeFileSync(lockPath, String(holder.pid));
        const anHourAgo = new Date(Date.now() - 3_600_000);
        utimesSync(lockPath, anHourAgo, anHourAgo);
        expectTakenOver(dir, lockPath);
      },
    );

    it('is respected when the live process it names may have written it', () => {
      const { dir } = dataDir(String(process.ppid));
      expect(lockedBy(dir)).toBe(process.ppid);
    });
  });
});
