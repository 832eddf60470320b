/**
 * What tracing costs a request: the shipped add_sub over HTTP (binary tensors, keep-alive, closed loop), served by
 * nereid started three ways in turn, in the same run:
 *   off        no --trace-config (tracing off: the data path reads one flag per request)
 *   sampling   level TIMESTAMPS with a rate no request reaches (every request is counted for sampling, none traced)
 *   every      level TIMESTAMPS at rate 1 (every request traced and written to a trace file, 1000 per file)
 * Printed per mode and concurrency: requests/s and p50, and the ratio to `off` (medians of --repeat rounds, the modes
 * interleaved within each round). The figure to look at is off against sampling: ≈1.00.
 *
 * Usage: node --import tsx bench/tracing.ts [--seconds 3] [--concurrency 1,8] [--repeat 3]
 */
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { listFlag, numberFlag } from './lib/cli.ts';
import { httpTarget } from './lib/http-client.ts';
import { closedLoop, type LoadResult } from './lib/load-generator.ts';
import { ROOT, startNereid } from './lib/servers.ts';

const SECONDS = numberFlag('seconds', 3);
const CONCURRENCY = listFlag('concurrency', [1, 8]);
const REPEAT = numberFlag('repeat', 3);

const MODES: Record<string, (dir: string) => string[]> = {
  off: () => [],
  sampling: (dir) => ['--trace-config', `triton,file=${dir}/sampling.json`, '--trace-config', 'level=TIMESTAMPS', '--trace-config', 'rate=2000000000'],
  every: (dir) => ['--trace-config', `triton,file=${dir}/every.json`, '--trace-config', 'level=TIMESTAMPS', '--trace-config', 'rate=1', '--trace-config', 'triton,log-frequency=1000'],
};

function addSubRequest() {
  const data = Buffer.from(new Float32Array(16).fill(1).buffer);
  const header = Buffer.from(JSON.stringify({
    inputs: ['INPUT0', 'INPUT1'].map((name) => ({ name, datatype: 'FP32', shape: [1, 16], parameters: { binary_data_size: 64 } })),
    outputs: [{ name: 'OUTPUT0', parameters: { binary_data: true } }],
  }));
  return {
    path: '/v2/models/add_sub/infer',
    body: Buffer.concat([header, data, data]),
    headers: { 'Content-Type': 'application/octet-stream', 'Inference-Header-Content-Length': String(header.length) },
  };
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function main(): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'nereid-trace-bench-'));
  const results = new Map<string, LoadResult[]>();
  for (let round = 0; round < REPEAT; round++) {
    for (const [mode, args] of Object.entries(MODES)) {
      const server = await startNereid(path.join(ROOT, 'model_repository'), args(dir));
      try {
        for (const concurrency of CONCURRENCY) {
          const target = httpTarget(server.httpPort, addSubRequest(), concurrency);
          await closedLoop(target.send, { concurrency, seconds: 0.5 }); // warm-up
          const result = await closedLoop(target.send, { concurrency, seconds: SECONDS });
          target.close();
          if (result.errors > 0) throw new Error(`${mode} c=${concurrency}: ${result.firstError}`);
          const key = `${mode} c=${concurrency}`;
          results.set(key, [...(results.get(key) ?? []), result]);
        }
      } finally {
        await server.process.stop();
      }
    }
  }
  console.log(`add_sub over HTTP, ${SECONDS} s per point, medians of ${REPEAT} interleaved rounds`);
  console.log('mode      concurrency   requests/s   p50 (us)   ratio to off');
  for (const concurrency of CONCURRENCY) {
    const off = median(results.get(`off c=${concurrency}`)!.map((r) => r.rps));
    for (const mode of Object.keys(MODES)) {
      const rows = results.get(`${mode} c=${concurrency}`)!;
      const rps = median(rows.map((r) => r.rps));
      console.log(`${mode.padEnd(9)} ${String(concurrency).padStart(11)}   ${rps.toFixed(0).padStart(10)}   ${median(rows.map((r) => r.p50Us)).toFixed(0).padStart(8)}   ${(rps / off).toFixed(3).padStart(12)}`);
    }
  }
}

await main();
