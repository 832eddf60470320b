/**
 * A server's CPU time per request: the user + system time of every process in the server's process group (servers.ts
 * starts each server as its group's leader, so tritonserver's Python stubs and MLServer's workers count with their
 * server), read from /proc before and after a point. On a 2-core machine where the load generator competes with the
 * server, CPU per request compares servers more fairly than throughput does. Linux only: elsewhere it reads NaN.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';

const PROC = '/proc';

let ticksPerSecond: number | undefined;
/** The kernel's clock ticks per second (the unit of /proc/<pid>/stat's utime and stime); 100 when unknown. */
function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    const result = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
    const value = Number(result.stdout?.trim());
    ticksPerSecond = Number.isInteger(value) && value > 0 ? value : 100;
  }
  return ticksPerSecond;
}

/** CPU seconds (user + system, all threads) the live processes of process group `group` have used; NaN without /proc. */
export function groupCpuSeconds(group: number): number {
  if (!existsSync(`${PROC}/stat`)) return NaN;
  let ticks = 0;
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
    if (Number(fields[2]) === group) ticks += Number(fields[11]) + Number(fields[12]);
  }
  return ticks / clockTicks();
}

/** µs of CPU per request from two readings of groupCpuSeconds; NaN when unknown or no request completed. */
export function cpuPerRequestUs(beforeSeconds: number, afterSeconds: number, requests: number): number {
  if (!Number.isFinite(beforeSeconds) || !Number.isFinite(afterSeconds) || requests <= 0) return NaN;
  return ((afterSeconds - beforeSeconds) * 1e6) / requests;
}
