/**
 * The baseline of bench/many-models.ts: ONNX Runtime alone in one Node process creating the same sessions nereid
 * would (each listed file `count` times, one intra-op thread each, on the main thread), then printing one JSON line:
 * RSS and OS threads before and after, and the time the sessions took.
 *
 * Usage: node --import tsx bench/lib/ort-sessions-child.ts '<json: [{ "path": ..., "count": ... }, ...]>'
 */
import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-node';

export interface OrtSessionsReport {
  readonly sessions: number;
  readonly rssBefore: number;
  readonly rss: number;
  readonly threads: number;
  readonly ms: number;
}

function threadCount(): number {
  const match = /^Threads:\s+(\d+)$/m.exec(readFileSync('/proc/self/status', 'utf8'));
  return match === null ? -1 : Number(match[1]);
}

const files = JSON.parse(process.argv[2] ?? '[]') as { path: string; count: number }[];
const rssBefore = process.memoryUsage().rss;
const options: ort.InferenceSession.SessionOptions = { intraOpNumThreads: 1, interOpNumThreads: 1 };
const started = performance.now();
const sessions: ort.InferenceSession[] = [];
for (const { path, count } of files) for (let i = 0; i < count; i++) sessions.push(await ort.InferenceSession.create(path, options));
const ms = performance.now() - started;
const report: OrtSessionsReport = { sessions: sessions.length, rssBefore, rss: process.memoryUsage().rss, threads: threadCount(), ms };
process.stdout.write(JSON.stringify(report) + '\n');
