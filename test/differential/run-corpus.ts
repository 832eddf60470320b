/**
 * Sends each case to both servers (HTTP and gRPC as the case says, one case at a time so both see the same order)
 * and sorts every difference into known (known-differences.ts) or unexpected.
 */
import { compareGrpc, compareHttp, type Difference } from './compare.ts';
import type { Case } from './corpus.ts';
import { grpcCall } from './grpc-probe.ts';
import { httpCall } from './http-probe.ts';
import { KNOWN_DIFFERENCES, knownEntry } from './known-differences.ts';
import type { RunningServer } from './servers.ts';

export interface CorpusReport {
  compared: number;
  identical: number;
  known: (Difference & { reason: string; awaits: string | undefined })[];
  unexpected: Difference[];
}

export function emptyReport(): CorpusReport {
  return { compared: 0, identical: 0, known: [], unexpected: [] };
}

export function record(report: CorpusReport, differences: Difference[]): void {
  report.compared++;
  if (differences.length === 0) report.identical++;
  for (const d of differences) {
    const entry = knownEntry(d);
    if (entry === undefined) report.unexpected.push(d);
    else report.known.push({ ...d, reason: entry.reason, awaits: entry.awaits });
  }
}

export async function runCorpus(cases: readonly Case[], triton: RunningServer, nereid: RunningServer, report: CorpusReport): Promise<void> {
  for (const c of cases) {
    if (c.http) {
      const [t, n] = await Promise.all([httpCall(triton.http, c.tritonHttp ?? c.http), httpCall(nereid.http, c.http)]);
      record(report, compareHttp(`${c.id} [http]`, t, n, c.normalize));
    }
    if (c.grpc) {
      const tg = c.tritonGrpc ?? c.grpc;
      const [t, n] = await Promise.all([
        grpcCall(triton.grpc, tg.rpc, tg.request, tg.metadata),
        grpcCall(nereid.grpc, c.grpc.rpc, c.grpc.request, c.grpc.metadata),
      ]);
      record(report, compareGrpc(`${c.id} [grpc]`, t, n, c.normalize));
    }
  }
}

export function summary(report: CorpusReport): string {
  const lines = [
    `differential vs tritonserver 2.51: ${report.compared} cases compared, ${report.identical} identical, ` +
      `${report.known.length} known differences (${report.known.filter((k) => k.awaits !== undefined).length} of them ` +
      'features not built yet), ' +
      `${report.unexpected.length} unexpected differences`,
  ];
  // Every known reason this run did not need: a candidate for removal once no test file needs it either.
  const used = new Set(report.known.map((k) => k.reason));
  const unused = KNOWN_DIFFERENCES.filter((k) => !used.has(k.reason)).length;
  if (unused > 0) lines.push(`  (${unused} entries of known-differences.ts matched nothing here)`);
  const awaiting = new Map<string, string[]>();
  for (const k of report.known) {
    if (k.awaits !== undefined) awaiting.set(`awaits ${k.awaits}: ${k.reason}`, [...(awaiting.get(`awaits ${k.awaits}: ${k.reason}`) ?? []), `${k.caseId} ${k.aspect}`]);
  }
  for (const [reason, where] of awaiting) lines.push(`  known, ${reason}
    seen in: ${where.join('; ')}`);
  for (const d of report.unexpected) lines.push(`  UNEXPECTED ${d.caseId} ${d.aspect}\n    triton: ${d.triton}\n    nereid: ${d.nereid}`);
  return lines.join('\n');
}
