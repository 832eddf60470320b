/**
 * Triton's host gauges: nv_cpu_utilization (system-wide, 0..1, over the time since the previous scrape) and
 * nv_cpu_memory_{total,used}_bytes (used = MemTotal - MemAvailable). Read from /proc at scrape time as Triton's
 * poller does; where /proc is missing, os.cpus() times and os.totalmem()/os.freemem() stand in.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { Gauge, type Registry } from 'prom-client';

/** Cumulative CPU time split into busy and idle, in any one unit. */
export interface CpuTimes {
  busy: number;
  idle: number;
}

type Fields8 = [number, number, number, number, number, number, number, number];

/**
 * The aggregate `cpu` line of /proc/stat: busy = user+nice+system+irq+softirq+steal, idle = idle+iowait (guest time
 * is already inside user). Undefined when the line is missing or short.
 */
export function parseProcStat(text: string): CpuTimes | undefined {
  const line = text.split('\n', 1)[0] ?? '';
  if (!line.startsWith('cpu ')) return undefined;
  const f = line.trim().split(/\s+/).slice(1).map(Number);
  if (f.length < 8 || f.slice(0, 8).some((n) => !Number.isFinite(n))) return undefined;
  const [user, nice, system, idle, iowait, irq, softirq, steal] = f as number[] as Fields8;
  return { busy: user + nice + system + irq + softirq + steal, idle: idle + iowait };
}

/** MemTotal and MemAvailable of /proc/meminfo in bytes; undefined when either is missing or inconsistent. */
export function parseMemInfo(text: string): { total: number; used: number } | undefined {
  const kib = (key: string): number | undefined => {
    const match = new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(text);
    return match === null ? undefined : Number(match[1]) * 1024;
  };
  const total = kib('MemTotal');
  const available = kib('MemAvailable');
  if (total === undefined || available === undefined || available > total) return undefined;
  return { total, used: total - available };
}

/**
 * Busy share of the time between two samples; undefined when no time was accounted in between (scrapes closer than a
 * clock tick). A counter that went backwards counts as no time.
 */
export function cpuUtilization(before: CpuTimes, after: CpuTimes): number | undefined {
  const busy = Math.max(0, after.busy - before.busy);
  const idle = Math.max(0, after.idle - before.idle);
  return busy + idle === 0 ? undefined : busy / (busy + idle);
}

function procCpuTimes(): CpuTimes | undefined {
  try {
    return parseProcStat(readFileSync('/proc/stat', 'utf8'));
  } catch {
    return undefined;
  }
}

function osCpuTimes(): CpuTimes {
  let busy = 0;
  let idle = 0;
  for (const { times } of os.cpus()) {
    busy += times.user + times.nice + times.sys + times.irq;
    idle += times.idle;
  }
  return { busy, idle };
}

function memory(): { total: number; used: number } {
  try {
    const parsed = parseMemInfo(readFileSync('/proc/meminfo', 'utf8'));
    if (parsed !== undefined) return parsed;
  } catch {
    // fall through to the portable figures
  }
  const total = os.totalmem();
  return { total, used: total - os.freemem() };
}

/**
 * Registers the host gauges in `registry`: CPU utilization and memory, and Triton's pinned memory pool gauges (nereid
 * has no pinned pool, so both read an honest 0; tritonserver 2.51 CPU-only shows its 256 MiB default pool). The CPU
 * baseline is taken now.
 */
export function registerSystemGauges(registry: Registry): void {
  // One source for the whole run: /proc ticks and os.cpus() milliseconds must not be mixed across samples.
  const sample = procCpuTimes() !== undefined ? procCpuTimes : osCpuTimes;
  let last = sample() ?? { busy: 0, idle: 0 };
  let utilization = 0;
  new Gauge({
    name: 'nv_cpu_utilization',
    help: 'CPU utilization rate [0.0 - 1.0]',
    registers: [registry],
    collect() {
      const now = sample();
      const share = now === undefined ? undefined : cpuUtilization(last, now);
      // Too short a window (or an unreadable sample) keeps the previous figure and the previous baseline.
      if (share !== undefined && now !== undefined) {
        utilization = share;
        last = now;
      }
      this.set(utilization);
    },
  });
  new Gauge({
    name: 'nv_cpu_memory_total_bytes',
    help: 'CPU total memory (RAM), in bytes',
    registers: [registry],
    collect() {
      this.set(memory().total);
    },
  });
  new Gauge({
    name: 'nv_cpu_memory_used_bytes',
    help: 'CPU used memory (RAM), in bytes',
    registers: [registry],
    collect() {
      this.set(memory().used);
    },
  });
  for (const [name, what] of [['total', 'total'], ['used', 'used']] as const) {
    new Gauge({
      name: `nv_pinned_memory_pool_${name}_bytes`,
      help: `Pinned memory pool ${what} memory size, in bytes`,
      registers: [registry],
    }).set(0);
  }
}
