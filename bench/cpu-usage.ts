import { readdirSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';

/**
 * CPU time from /proc (Linux, PostgreSQL server on this machine): this process, one thread of it,
 * and named PostgreSQL backends, per measured phase.
 */
const ticksPerSecond = 100; // USER_HZ

/** utime + stime and the start time (both in clock ticks) of one /proc stat file; null once gone. */
function readStat(path: string): { ticks: number; started: number } | null {
  try {
    const stat = readFileSync(path, 'utf8');
    // Fields 14, 15 (utime, stime) and 22 (starttime) of stat are 11, 12 and 19 after the name.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { ticks: Number(fields[11]) + Number(fields[12]), started: Number(fields[19]) };
  } catch {
    return null;
  }
}

/** CPU seconds used so far by the calling thread (main thread or a worker). */
export function threadCpuSeconds(): number {
  return (readStat('/proc/thread-self/stat')?.ticks ?? 0) / ticksPerSecond;
}

function uptimeTicks(): number {
  return Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]) * ticksPerSecond;
}

/** Ticks of every process on the machine named "postgres…": all databases, all users, background processes. */
function machinePostgresTicks(): Map<number, number> {
  const ticks = new Map<number, number>();
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const comm = readFileSync(`/proc/${pid}/comm`, 'utf8');
      if (!comm.startsWith('postgres')) continue;
    } catch {
      continue;
    }
    const stat = readStat(`/proc/${pid}/stat`);
    if (stat) ticks.set(Number(pid), stat.ticks);
  }
  return ticks;
}

/** A backend as pg_stat_activity lists it, with the side it belongs to (by application_name). */
export interface Backend {
  readonly pid: number;
  readonly side: string;
}

export interface SideCpu {
  /** CPU seconds of this side's backends during the phase. */
  seconds: number;
  /** Backends seen during the phase. */
  backends: number;
  /** Backends that started during the phase, and that ended during it (pool churn). */
  opened: number;
  ended: number;
}

export interface PhaseCpu {
  readonly wall: number;
  /** CPU seconds of this process, all threads. */
  readonly node: number;
  /** CPU of the backends that pg_stat_activity listed during the phase, by side. */
  readonly sides: ReadonlyMap<string, SideCpu>;
  /** CPU seconds of every postgres process on the machine, for contrast (not attributed). */
  readonly machinePostgres: number;
  /** Mean of the 1-minute load average, sampled through the phase. */
  readonly load: number;
}

interface Tracked {
  side: string;
  base: number;
  last: number;
  opened: boolean;
  ended: boolean;
}

/**
 * Measures one phase. `list` returns the backends of the bench database (a pg_stat_activity query);
 * it is called at the start, every `intervalMs` during the phase, and at the end. A backend first
 * listed after the start counts from zero when /proc says it started after the start (its whole
 * life is in the phase); a backend that ends keeps the ticks of its last sample, so pool churn loses
 * at most one interval of an ending backend's CPU (the bench pins its pools, so it sees none).
 */
export class PhaseMeter {
  private readonly tracked = new Map<number, Tracked>();
  private readonly loads: number[] = [];
  private timer: NodeJS.Timeout | null = null;
  private sampling: Promise<void> = Promise.resolve();
  private busy = false;
  private startTicks = 0;
  private node: NodeJS.CpuUsage = process.cpuUsage();
  private machine = new Map<number, number>();
  private at = 0;

  constructor(
    private readonly list: () => Promise<Backend[]>,
    private readonly intervalMs = 500,
  ) {}

  private async sample(): Promise<void> {
    this.loads.push(loadavg()[0]!);
    for (const { pid, side } of await this.list()) {
      if (this.tracked.has(pid)) continue;
      const stat = readStat(`/proc/${pid}/stat`);
      if (!stat) continue;
      const opened = stat.started >= this.startTicks;
      this.tracked.set(pid, { side, base: opened ? 0 : stat.ticks, last: stat.ticks, opened, ended: false });
    }
    for (const [pid, entry] of this.tracked) {
      if (entry.ended) continue;
      const stat = readStat(`/proc/${pid}/stat`);
      if (stat) entry.last = stat.ticks;
      else entry.ended = true;
    }
  }

  async start(): Promise<void> {
    this.tracked.clear();
    this.loads.length = 0;
    this.startTicks = uptimeTicks();
    await this.sample();
    this.machine = machinePostgresTicks();
    this.node = process.cpuUsage();
    this.at = performance.now();
    this.timer = setInterval(() => {
      // A sample still under way (a slow pg_stat_activity query) is not queued behind.
      if (this.busy) return;
      this.busy = true;
      this.sampling = this.sample()
        .catch(() => {})
        .finally(() => {
          this.busy = false;
        });
    }, this.intervalMs);
  }

  async stop(): Promise<PhaseCpu> {
    clearInterval(this.timer!);
    await this.sampling;
    await this.sample();
    // Read right after the backends' last sample, as at the start.
    const machineEnd = machinePostgresTicks();
    const node = process.cpuUsage(this.node);
    const wall = (performance.now() - this.at) / 1000;
    let machineTicks = 0;
    for (const [pid, ticks] of machineEnd) machineTicks += ticks - (this.machine.get(pid) ?? 0);
    const sides = new Map<string, SideCpu>();
    for (const entry of this.tracked.values()) {
      const side = sides.get(entry.side) ?? { seconds: 0, backends: 0, opened: 0, ended: 0 };
      side.seconds += (entry.last - entry.base) / ticksPerSecond;
      side.backends += 1;
      side.opened += entry.opened ? 1 : 0;
      side.ended += entry.ended ? 1 : 0;
      sides.set(entry.side, side);
    }
    return {
      wall,
      node: (node.user + node.system) / 1e6,
      sides,
      machinePostgres: machineTicks / ticksPerSecond,
      load: this.loads.reduce((sum, value) => sum + value, 0) / Math.max(1, this.loads.length),
    };
  }
}

/** Cluster-wide WAL counters (PostgreSQL 14+); null where the view is missing. */
export interface WalReading {
  readonly bytes: number;
  readonly records: number;
  readonly fullPages: number;
}

export async function readWal(
  query: (sql: string) => Promise<{ rows: unknown[] }>,
): Promise<WalReading | null> {
  try {
    const { rows } = await query(
      `SELECT wal_bytes::float8 AS bytes, wal_records::float8 AS records, wal_fpi::float8 AS "fullPages" FROM pg_stat_wal`,
    );
    return rows[0] as WalReading;
  } catch {
    return null;
  }
}

/** "WAL 1,234 bytes/row, 5.1 records/row, 0.02 full-page images/row". */
export function describeWal(start: WalReading | null, end: WalReading | null, rows: number): string {
  if (!start || !end) return 'WAL: not available';
  const per = (value: number, digits: number) => (value / rows).toFixed(digits);
  return (
    `WAL: ${per(end.bytes - start.bytes, 0)} bytes/row, ${per(end.records - start.records, 1)} records/row, ` +
    `${per(end.fullPages - start.fullPages, 3)} full-page images/row`
  );
}
