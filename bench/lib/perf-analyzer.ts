/**
 * Triton's perf_analyzer (.venv/bin/perf_analyzer, scripts/install-perf-analyzer.sh) as a second opinion on where a
 * request's time goes: run at concurrency 1 for a few one-second windows against a server, it prints the client's
 * throughput and latency and, from the server's statistics extension, the server-side breakdown
 * `Avg request latency: N usec (overhead … + queue … + compute input … + compute infer … + compute output …)`.
 * Its "overhead" is the request's success duration less queue and compute: the time inside the server that is
 * neither waiting nor running the model.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from './servers.ts';

export const PERF_ANALYZER = path.join(ROOT, '.venv', 'bin', 'perf_analyzer');

export type PerfProtocol = 'http' | 'grpc';

/** What one perf_analyzer pass reported (µs; NaN where a line was missing). */
export interface PerfAnalyzerRow {
  readonly server: 'nereid' | 'triton';
  readonly protocol: PerfProtocol;
  readonly model: string;
  readonly concurrency: number;
  readonly throughput: number;
  readonly clientAvgUs: number;
  readonly clientP50Us: number;
  readonly serverRequestUs: number;
  readonly overheadUs: number;
  readonly queueUs: number;
  readonly computeInputUs: number;
  readonly computeInferUs: number;
  readonly computeOutputUs: number;
  /** Set when the pass failed (its exit status and the end of its output). */
  readonly error?: string;
}

/** Why perf_analyzer cannot run here, or undefined. */
export function perfAnalyzerUnavailable(): string | undefined {
  return existsSync(PERF_ANALYZER) ? undefined : `${PERF_ANALYZER} is missing: run \`bash scripts/setup-python-env.sh\``;
}

const BREAKDOWN = /Avg request latency: (\d+) usec \(overhead (\d+) usec \+ queue (\d+) usec \+ compute input (\d+) usec \+ compute infer (\d+) usec \+ compute output (\d+) usec\)/;

const numberAfter = (output: string, pattern: RegExp): number => {
  const match = pattern.exec(output);
  return match === null ? NaN : Number(match[1]);
};

/** The figures of one pass's output (its last measurement, the one perf_analyzer reports). */
export function parsePerfAnalyzer(output: string): Pick<PerfAnalyzerRow, 'throughput' | 'clientAvgUs' | 'clientP50Us' |
  'serverRequestUs' | 'overheadUs' | 'queueUs' | 'computeInputUs' | 'computeInferUs' | 'computeOutputUs'> {
  const breakdown = BREAKDOWN.exec(output)?.slice(1).map(Number) ?? [];
  const at = (i: number): number => breakdown[i] ?? NaN;
  return {
    throughput: numberAfter(output, /^ *Throughput: ([\d.]+) infer\/sec$/m),
    clientAvgUs: numberAfter(output, /^ *Avg latency: (\d+) usec/m),
    clientP50Us: numberAfter(output, /^ *p50 latency: (\d+) usec/m),
    serverRequestUs: at(0),
    overheadUs: at(1),
    queueUs: at(2),
    computeInputUs: at(3),
    computeInferUs: at(4),
    computeOutputUs: at(5),
  };
}

export interface PerfAnalyzerOptions {
  readonly server: 'nereid' | 'triton';
  readonly protocol: PerfProtocol;
  readonly port: number;
  readonly model: string;
  /** Length of one measurement window, ms (perf_analyzer settles over at least three). */
  readonly windowMs: number;
  /** Requests in flight (default 1). */
  readonly concurrency?: number;
  /** More perf_analyzer arguments (e.g. `--shared-memory system`). */
  readonly extraArgs?: readonly string[];
}

/** Runs one pass (at concurrency 1 unless told); a failure is recorded in the row's error, never thrown. */
export function runPerfAnalyzer(options: PerfAnalyzerOptions): Promise<PerfAnalyzerRow> {
  const args = [
    '-m', options.model, '-u', `127.0.0.1:${options.port}`, ...(options.protocol === 'grpc' ? ['-i', 'grpc'] : []),
    '--concurrency-range', String(options.concurrency ?? 1), '--measurement-interval', String(options.windowMs),
    ...(options.extraArgs ?? []),
    // A loose bound (the last three windows within 2× of each other) and few trials: a shared 2-core machine rarely
    // gives three windows within the default 10%, and even 50% failed there. The breakdown is what this is for.
    '--stability-percentage', '100', '--max-trials', '8',
  ];
  return new Promise((resolve) => {
    const child = spawn(PERF_ANALYZER, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 20 * options.windowMs + 30_000);
    let done = false;
    const finish = (error?: string): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve({
        server: options.server, protocol: options.protocol, model: options.model, concurrency: options.concurrency ?? 1,
        ...parsePerfAnalyzer(output),
        ...(error !== undefined ? { error } : {}),
      });
    };
    child.once('error', (error) => finish(`perf_analyzer could not start: ${error.message}`));
    child.once('close', (code, signal) => finish(code === 0 ? undefined
      : `perf_analyzer ${args.join(' ')} exited with ${signal ?? code}: ${output.trim().split('\n').slice(-4).join(' | ')}`));
  });
}
