/**
 * What system shared memory buys on a large-input model: Triton's own perf_analyzer against one nereid process, each
 * pass run twice in a row, once sending tensors in the request and response bodies and once through system shared
 * memory (`--shared-memory system`: inputs and outputs in /dev/shm regions the client registered), over HTTP and gRPC.
 *
 * The model is an FP32 identity of [1, N] (N = --elements, default 262144: 1 MiB in and 1 MiB out per request), written
 * to a temporary repository. Printed per protocol: throughput and client p50 with and without shared memory, and
 * their ratio (shared / body). Medians of --repeat passes; the machine is shared, so compare the ratios.
 *
 * Usage: node --import tsx bench/shared-memory.ts [--elements 262144] [--concurrency 2] [--repeat 3] [--window-ms 2000]
 */
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { addModel, writeModelDir } from '../scripts/onnx/test-models.ts';
import { numberFlag } from './lib/cli.ts';
import { perfAnalyzerUnavailable, runPerfAnalyzer, type PerfAnalyzerRow, type PerfProtocol } from './lib/perf-analyzer.ts';
import { startNereid } from './lib/servers.ts';

const ELEMENTS = numberFlag('elements', 262144);
const CONCURRENCY = numberFlag('concurrency', 2);
const REPEAT = numberFlag('repeat', 3);
const WINDOW_MS = numberFlag('window-ms', 2000);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function main(): Promise<void> {
  const missing = perfAnalyzerUnavailable();
  if (missing !== undefined) throw new Error(missing);
  const repo = await mkdtemp(path.join(os.tmpdir(), 'nereid-shm-bench-'));
  writeModelDir(repo, 'identity_large', addModel({
    name: 'identity_large',
    inputs: [{ name: 'INPUT0', type: 'float', shape: ['batch', ELEMENTS] }],
    outputs: [{ name: 'OUTPUT0', type: 'float', shape: ['batch', ELEMENTS] }],
    mode: 'identity',
  }), {
    config: `name: "identity_large"\nbackend: "onnxruntime"\nmax_batch_size: 1\n` +
      `input [ { name: "INPUT0" data_type: TYPE_FP32 dims: [ ${ELEMENTS} ] } ]\n` +
      `output [ { name: "OUTPUT0" data_type: TYPE_FP32 dims: [ ${ELEMENTS} ] } ]\n`,
  });
  const server = await startNereid(repo);
  try {
    console.log(`identity_large: FP32 [1, ${ELEMENTS}] (${(ELEMENTS * 4 / 1048576).toFixed(2)} MiB in and out), concurrency ${CONCURRENCY}, medians of ${REPEAT}`);
    console.log('protocol  tensors   throughput (infer/s)  client p50 (us)');
    for (const protocol of ['http', 'grpc'] as PerfProtocol[]) {
      const port = protocol === 'http' ? server.httpPort : server.grpcPort;
      const results: Record<'body' | 'shm', PerfAnalyzerRow[]> = { body: [], shm: [] };
      for (let r = 0; r < REPEAT; r++) {
        for (const mode of ['body', 'shm'] as const) {
          const row = await runPerfAnalyzer({
            server: 'nereid', protocol, port, model: 'identity_large', windowMs: WINDOW_MS, concurrency: CONCURRENCY,
            extraArgs: mode === 'shm' ? ['--shared-memory', 'system', '--output-shared-memory-size', String(ELEMENTS * 4)] : [],
          });
          if (row.error !== undefined) throw new Error(row.error);
          results[mode].push(row);
        }
      }
      const figures = (mode: 'body' | 'shm') => ({
        throughput: median(results[mode].map((row) => row.throughput)),
        p50: median(results[mode].map((row) => row.clientP50Us)),
      });
      const body = figures('body');
      const shm = figures('shm');
      console.log(`${protocol.padEnd(8)}  body      ${body.throughput.toFixed(1).padStart(20)}  ${String(body.p50).padStart(15)}`);
      console.log(`${protocol.padEnd(8)}  shared    ${shm.throughput.toFixed(1).padStart(20)}  ${String(shm.p50).padStart(15)}`);
      console.log(`${protocol.padEnd(8)}  ratio     ${(shm.throughput / body.throughput).toFixed(2).padStart(20)}  ${(shm.p50 / body.p50).toFixed(2).padStart(15)}`);
    }
  } finally {
    await server.process.stop();
  }
}

await main();
