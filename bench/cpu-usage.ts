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
