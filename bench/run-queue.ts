import { readdirSync, readFileSync } from 'node:fs';

/**
 * Time spent waiting for a CPU, from the scheduler's /proc/<pid>/schedstat (Linux; the
 * PostgreSQL server on this machine): of named PostgreSQL backends, of this process's main thread,
 * and of its other threads (V8's workers, libuv's pool), with the CPU the other threads used.
 * A thread that is ready to run but finds every core busy waits here; on a machine of two cores a
 * lookup's statement can wait so while the Node process's own threads hold both.
 */
export interface RunQueueSample {
  readonly backends: Map<number, Schedstat>;
  readonly threads: Map<number, Schedstat>;
}

interface Schedstat {
  /** Nanoseconds on a CPU. */
  readonly cpu: number;
  /** Nanoseconds ready to run but waiting for a CPU. */
  readonly waiting: number;
}

function readSchedstat(path: string): Schedstat | null {
  try {
    const [cpu, waiting] = readFileSync(path, 'utf8').trim().split(' ').map(Number);
    return { cpu: cpu!, waiting: waiting! };
  } catch {
    return null;
  }
}

/** Reads the scheduler's figures of the given backends and of every thread of this process. */
export function sampleRunQueue(backendPids: readonly number[]): RunQueueSample {
  const backends = new Map<number, Schedstat>();
  for (const pid of backendPids) {
    const stat = readSchedstat(`/proc/${pid}/schedstat`);
    if (stat) backends.set(pid, stat);
  }
  const threads = new Map<number, Schedstat>();
  let tids: string[] = [];
  try {
    tids = readdirSync('/proc/self/task');
  } catch {
    // Not Linux: nothing to read.
  }
  for (const tid of tids) {
    const stat = readSchedstat(`/proc/self/task/${tid}/schedstat`);
    if (stat) threads.set(Number(tid), stat);
  }
  return { backends, threads };
}

/** What changed between two samples, per lookup, in milliseconds; null where /proc told nothing. */
export function describeRunQueue(
  before: RunQueueSample,
  after: RunQueueSample,
  lookups: number,
): string | null {
  const sum = (
    from: Map<number, Schedstat>,
    to: Map<number, Schedstat>,
    keep: (id: number) => boolean,
    field: keyof Schedstat,
  ) => {
    let total = 0;
    for (const [id, stat] of to) {
      const earlier = from.get(id);
      if (earlier && keep(id)) total += stat[field] - earlier[field];
    }
    return total;
  };
  if (after.threads.size === 0) return null;
  const perLookup = (nanoseconds: number) => `${(nanoseconds / 1e6 / lookups).toFixed(3)} ms`;
  const main = (id: number) => id === process.pid;
  const others = (id: number) => id !== process.pid;
  const backends =
    after.backends.size > 0
      ? `PostgreSQL backends ${perLookup(sum(before.backends, after.backends, () => true, 'waiting'))} ` +
        `(their CPU ${perLookup(sum(before.backends, after.backends, () => true, 'cpu'))}), `
      : '';
  return (
    `waiting for a CPU per lookup: ${backends}Node's main thread ` +
    `${perLookup(sum(before.threads, after.threads, main, 'waiting'))}, its other threads ` +
    `${perLookup(sum(before.threads, after.threads, others, 'waiting'))} ` +
    `(their CPU ${perLookup(sum(before.threads, after.threads, others, 'cpu'))})`
  );
}
