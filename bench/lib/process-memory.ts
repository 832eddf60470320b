/**
 * Another process's resident memory, from Linux's /proc/<pid>/status: VmRSS now and VmHWM, the peak since the process
 * started or since resetPeakRss. Resetting the peak (writing 5 to /proc/<pid>/clear_refs, allowed for one's own child
 * processes) makes VmHWM the exact high-water mark of what follows, with no sampling to miss a short spike.
 */
import { readFileSync, writeFileSync } from 'node:fs';

export interface RssReading {
  /** Resident set size now, bytes. */
  readonly rss: number;
  /** Peak resident set size since the last reset, bytes. */
  readonly peak: number;
}

function statusField(status: string, field: string): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(status);
  if (match === null) throw new Error(`/proc status has no ${field} line`);
  return Number(match[1]) * 1024;
}

/** VmRSS and VmHWM of `pid`. */
export function readRss(pid: number): RssReading {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return { rss: statusField(status, 'VmRSS'), peak: statusField(status, 'VmHWM') };
}

/** Sets the peak of `pid` back to its current RSS; throws (with the reason) where the kernel does not allow it. */
export function resetPeakRss(pid: number): void {
  writeFileSync(`/proc/${pid}/clear_refs`, '5');
}
