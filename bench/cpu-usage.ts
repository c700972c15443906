import { readdirSync, readFileSync } from 'node:fs';

/**
 * CPU time used by this process and by the local PostgreSQL server's processes, read from /proc
 * (Linux, server on this machine). A process that exits between two readings loses its share,
 * so the PostgreSQL figure is a lower bound; with a pooled server it is close.
 */
export interface CpuReading {
  readonly node: NodeJS.CpuUsage;
  readonly postgres: Map<number, number>;
  readonly at: number;
}

const ticksPerSecond = 100;

function postgresTicks(): Map<number, number> {
  const ticks = new Map<number, number>();
  let pids: string[] = [];
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return ticks;
  }
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      if (!stat.slice(stat.indexOf('(') + 1, close).startsWith('postgres')) continue;
      const fields = stat.slice(close + 2).split(' ');
      // Fields 14 and 15 of stat (utime, stime) are 11 and 12 after the command name.
      ticks.set(Number(pid), Number(fields[11]) + Number(fields[12]));
    } catch {
      // The process ended while we looked.
    }
  }
  return ticks;
}

export function readCpu(): CpuReading {
  return { node: process.cpuUsage(), postgres: postgresTicks(), at: performance.now() };
}

/** CPU seconds used since `start`: this Node process, the PostgreSQL processes, and wall time. */
export function cpuSince(start: CpuReading): { node: number; postgres: number; wall: number } {
  const now = readCpu();
  const node = process.cpuUsage(start.node);
  let postgres = 0;
  for (const [pid, ticks] of now.postgres) postgres += ticks - (start.postgres.get(pid) ?? 0);
  return {
    node: (node.user + node.system) / 1e6,
    postgres: postgres / ticksPerSecond,
    wall: (now.at - start.at) / 1000,
  };
}

/** "Node 12.3 µs/row, PostgreSQL 45.6 µs/row (1.8 cores busy)". */
export function describeCpu(used: { node: number; postgres: number; wall: number }, rows: number): string {
  const perRow = (seconds: number) => `${((seconds * 1e6) / rows).toFixed(1)} µs/row`;
  const busy = (used.node + used.postgres) / used.wall;
  return `CPU: Node ${perRow(used.node)}, PostgreSQL ${perRow(used.postgres)} (${busy.toFixed(2)} cores busy on average)`;
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
