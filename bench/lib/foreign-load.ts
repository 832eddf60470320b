/**
 * How much of the machine other work used while a point was measured: the cores' busy time (/proc/stat) less the
 * CPU time of this process and of the process groups the bench started (servers.ts starts each server as a group
 * leader). On a shared 2-core machine a test suite running beside the bench skews every figure; the report flags
 * points where this share was high. Linux only: elsewhere the share reads as NaN.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';

/** CPU time counters at one moment, in clock ticks. */
export interface CpuSnapshot {
  readonly total: number;
  readonly busy: number;
  /** This process and the given process groups together. */
  readonly ours: number;
}

const PROC = '/proc';

/** Counters now; `groups` are the process-group ids the bench started. Undefined where /proc is missing. */
export function cpuSnapshot(groups: ReadonlySet<number>): CpuSnapshot | undefined {
  if (!existsSync(`${PROC}/stat`)) return undefined;
  const cpu = readFileSync(`${PROC}/stat`, 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal (guest time is already inside user).
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = cpu;
  let ours = 0;
  for (const entry of readdirSync(PROC)) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`${PROC}/${entry}/stat`, 'utf8');
    } catch {
      continue; // Exited meanwhile.
    }
    // Fields after the command name (which may hold spaces): state ppid pgrp ... utime (14th) stime (15th).
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const pgrp = Number(fields[2]);
    if (Number(entry) === process.pid || groups.has(pgrp)) ours += Number(fields[11]) + Number(fields[12]);
  }
  const busy = user + nice + system + irq + softirq + steal;
  return { total: busy + idle + iowait, busy, ours };
}

/** The share (0..1) of all cores' time that went to other work between two snapshots; NaN when unknown. */
export function foreignShare(before: CpuSnapshot | undefined, after: CpuSnapshot | undefined): number {
  if (before === undefined || after === undefined || after.total <= before.total) return NaN;
  const foreign = (after.busy - before.busy) - (after.ours - before.ours);
  return Math.max(0, foreign / (after.total - before.total));
}
