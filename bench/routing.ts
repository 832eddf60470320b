/**
 * What gray release costs a request: one nereid process serving three copies of add_sub with two loaded versions each,
 * `plain` (no policy: the highest version serves), `routed` (`nereid.routing.weights` 2:100,1:0 and a sticky source the
 * requests do not carry, so each request runs the weighted choice and lands where plain does) and `shadowed` (routed,
 * plus every request copied to version 1 and compared: `nereid.shadow.percent` 100), measured alternately over HTTP
 * with the same closed-loop load generator. Prints requests/s per model and concurrency, the ratios to plain, the
 * routing overhead per request (1/rps_routed − 1/rps_plain at c=1), and the client latency with 100% shadow relative
 * to none (rps_routed / rps_shadowed at c=1, a closed loop's latency being 1/rps); medians of --repeat rounds.
 *
 * Usage: node --import tsx bench/routing.ts [--seconds 3] [--concurrency 1,8] [--repeat 3]
 */
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { addSubModel } from '../scripts/onnx/shipped-models.ts';
import { writeModelDir } from '../scripts/onnx/test-models.ts';
import { listFlag, numberFlag } from './lib/cli.ts';
import { httpTarget } from './lib/http-client.ts';
import { closedLoop } from './lib/load-generator.ts';
import { startNereid } from './lib/servers.ts';

const SECONDS = numberFlag('seconds', 3);
const CONCURRENCY = listFlag('concurrency', [1, 8]);
const REPEAT = numberFlag('repeat', 3);

const config = (name: string, policy: string): string => `name: "${name}"
backend: "onnxruntime"
max_batch_size: 8
input [ { name: "INPUT0" data_type: TYPE_FP32 dims: [ 16 ] }, { name: "INPUT1" data_type: TYPE_FP32 dims: [ 16 ] } ]
output [ { name: "OUTPUT0" data_type: TYPE_FP32 dims: [ 16 ] }, { name: "OUTPUT1" data_type: TYPE_FP32 dims: [ 16 ] } ]
instance_group [ { count: 1 kind: KIND_CPU } ]
version_policy { all { } }
${policy}`;

function request(model: string) {
  const data = Buffer.from(new Float32Array(16).fill(1).buffer);
  const header = Buffer.from(JSON.stringify({
    inputs: ['INPUT0', 'INPUT1'].map((name) => ({ name, datatype: 'FP32', shape: [1, 16], parameters: { binary_data_size: 64 } })),
    outputs: [{ name: 'OUTPUT0', parameters: { binary_data: true } }],
  }));
  return {
    path: `/v2/models/${model}/infer`,
    body: Buffer.concat([header, data, data]),
    headers: { 'Content-Type': 'application/octet-stream', 'Inference-Header-Content-Length': String(header.length) },
  };
}

/** Every request also runs on version 1, compared with version 2's answer. */
const SHADOW = 'parameters { key: "nereid.shadow.version" value { string_value: "1" } }\n' +
  'parameters { key: "nereid.shadow.percent" value { string_value: "100" } }';

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function main(): Promise<void> {
  const repo = await mkdtemp(path.join(os.tmpdir(), 'nereid-routing-bench-'));
  // Every request to version 2, as plain serves it: the same instance does the work, only the choice differs.
  const policy = 'parameters { key: "nereid.routing.weights" value { string_value: "2:100,1:0" } }\n' +
    'parameters { key: "nereid.routing.sticky" value { string_value: "header:x-user-id" } }';
  for (const version of [1, 2]) {
    writeModelDir(repo, 'plain', addSubModel(), { version, config: config('plain', '') });
    writeModelDir(repo, 'routed', addSubModel(), { version, config: config('routed', policy) });
    writeModelDir(repo, 'shadowed', addSubModel(), { version, config: config('shadowed', `${policy}\n${SHADOW}`) });
  }
  const server = await startNereid(repo);
  const rps = new Map<string, number[]>();
  try {
    for (let round = 0; round < REPEAT; round++) {
      for (const concurrency of CONCURRENCY) {
        for (const model of ['plain', 'routed', 'shadowed']) {
          const target = httpTarget(server.httpPort, request(model), concurrency);
          await closedLoop(target.send, { concurrency, seconds: 0.5 });
          const result = await closedLoop(target.send, { concurrency, seconds: SECONDS });
          target.close();
          if (result.errors > 0) throw new Error(`${model}: ${result.firstError}`);
          const key = `${model} ${concurrency}`;
          rps.set(key, [...(rps.get(key) ?? []), result.rps]);
        }
      }
    }
  } finally {
    await server.process.stop();
  }
  console.log(`add_sub with two loaded versions over HTTP, ${SECONDS} s per point, medians of ${REPEAT} rounds`);
  console.log('concurrency   plain (req/s)   routed (req/s)   shadowed (req/s)   routed/plain   shadowed/routed   routing overhead   latency with 100% shadow');
  for (const concurrency of CONCURRENCY) {
    const plain = median(rps.get(`plain ${concurrency}`)!);
    const routed = median(rps.get(`routed ${concurrency}`)!);
    const shadowed = median(rps.get(`shadowed ${concurrency}`)!);
    const overheadUs = concurrency === 1 ? `${((1 / routed - 1 / plain) * 1e6).toFixed(1)} us` : '-';
    const latency = concurrency === 1 ? `${(routed / shadowed).toFixed(3)}x` : '-';
    console.log(
      `${String(concurrency).padStart(11)}   ${plain.toFixed(0).padStart(13)}   ${routed.toFixed(0).padStart(14)}   ${shadowed.toFixed(0).padStart(16)}   ` +
        `${(routed / plain).toFixed(3).padStart(12)}   ${(shadowed / routed).toFixed(3).padStart(15)}   ${overheadUs.padStart(16)}   ${latency.padStart(24)}`,
    );
  }
}

await main();
