/**
 * The hand-off between the main thread and the instance workers, measured on the shipped add_sub model (two FP32
 * [1,16] inputs, two outputs), so the figures are almost all hand-off and hardly any ONNX Runtime:
 *
 * - c=1: one ModelInstance, one execution at a time: round-trip p50 and p99 (µs);
 * - 2 workers × 16 in flight straight through WorkerClient: executions per second, and the main thread's CPU per round
 *   trip (Linux: the main thread's utime+stime from /proc, 10 ms ticks, so only meaningful over whole seconds);
 * - the whole in-process data plane (validation, direct scheduler, 2 instances of add_sub, 32 concurrent requests):
 *   requests per second, which shows what keeping each instance busy with a staged execution is worth.
 *
 * Usage: node --import tsx bench/worker-handoff.ts [--seconds 3] [--rounds 1] [--json]
 * Figures are reported, never asserted; on a shared machine compare interleaved runs and their medians.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { hasFlag, numberFlag } from './lib/cli.ts';
import { ModelInstance } from '../src/instance/model-instance.ts';
import { InstancePool } from '../src/instance/instance-pool.ts';
import { WorkerClient, type WorkerSession } from '../src/instance/worker-client.ts';
import { packInputs, type PackedInputs } from '../src/protocol/packed-inputs.ts';
import type { WireTensor } from '../src/protocol/wire-tensor.ts';
import { createServer } from '../src/server.ts';
import type { InferRequest } from '../src/protocol/inference.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const MODEL = path.join(ROOT, 'model_repository/add_sub/1/model.onnx');
const SECONDS = numberFlag('seconds', 3);
const ROUNDS = numberFlag('rounds', 1);
const OUTPUTS = ['OUTPUT0', 'OUTPUT1'];
const ONE_THREAD = { session: { intraOpNumThreads: 1, interOpNumThreads: 1 } };

function tensor(name: string, fill: number): WireTensor {
  const values = new Float32Array(16).fill(fill);
  return { name, datatype: 'FP32', shape: [1, 16], data: new Uint8Array(values.buffer) };
}

const INPUTS = [tensor('INPUT0', 1), tensor('INPUT1', 2)];
const pack = (): PackedInputs => packInputs(INPUTS.map((t) => ({ ...t, parts: [t.data] })));

/** CPU seconds used so far by the main thread (its tid is the pid); NaN where /proc is missing. */
function mainThreadCpuSeconds(): number {
  try {
    const fields = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

async function roundTripC1(): Promise<{ p50Us: number; p99Us: number }> {
  const instance = new ModelInstance({ name: 'add_sub_0', kind: 'KIND_CPU', deviceId: 0 }, `'add_sub' version 1`, MODEL, ONE_THREAD, new InstancePool({ workersPerDevice: 1 }));
  await instance.start();
  try {
    for (let i = 0; i < 2000; i++) await instance.run(pack(), OUTPUTS);
    const samples: number[] = [];
    const end = performance.now() + SECONDS * 1000;
    while (performance.now() < end) {
      const t0 = performance.now();
      await instance.run(pack(), OUTPUTS);
      samples.push((performance.now() - t0) * 1000);
    }
    samples.sort((a, b) => a - b);
    return { p50Us: samples[Math.floor(samples.length / 2)]!, p99Us: samples[Math.floor(samples.length * 0.99)]! };
  } finally {
    await instance.stop();
  }
}

async function workerThroughput(workers: number, inflight: number): Promise<{ perSecond: number; mainCpuUsPerRun: number }> {
  const clients = await Promise.all(Array.from({ length: workers }, (_, i) => WorkerClient.start(`handoff ${i}`, MODEL, ONE_THREAD)));
  try {
    let done = 0;
    let stopAt = 0;
    const loop = async (session: WorkerSession): Promise<void> => {
      while (performance.now() < stopAt) {
        await session.run(pack(), OUTPUTS);
        done++;
      }
    };
    const phase = async (seconds: number): Promise<void> => {
      stopAt = performance.now() + seconds * 1000;
      await Promise.all(clients.flatMap(({ session }) => Array.from({ length: inflight }, () => loop(session))));
    };
    await phase(0.5);
    done = 0;
    const cpu0 = mainThreadCpuSeconds();
    const t0 = performance.now();
    await phase(SECONDS);
    const elapsed = (performance.now() - t0) / 1000;
    const cpu = mainThreadCpuSeconds() - cpu0;
    return { perSecond: done / elapsed, mainCpuUsPerRun: (cpu / done) * 1e6 };
  } finally {
    await Promise.all(clients.map(({ client }) => client.terminate()));
  }
}

async function dataPlaneThroughput(concurrency: number): Promise<number> {
  const repo = mkdtempSync(path.join(tmpdir(), 'handoff-'));
  cpSync(path.join(ROOT, 'model_repository/add_sub'), path.join(repo, 'add_sub'), { recursive: true });
  const configPath = path.join(repo, 'add_sub/config.pbtxt');
  writeFileSync(configPath, `${readFileSync(configPath, 'utf8')}\ninstance_group [ { count: 2, kind: KIND_CPU } ]\n`);
  const server = createServer([`--model-repository=${repo}`, '--allow-http=false', '--allow-grpc=false', '--allow-metrics=false', '--log-warning=false']);
  await server.start();
  try {
    const request: InferRequest = { inputs: INPUTS };
    let done = 0;
    let stopAt = 0;
    const loop = async (): Promise<void> => {
      while (performance.now() < stopAt) {
        await server.dataPlane.infer('add_sub', undefined, request);
        done++;
      }
    };
    const phase = async (seconds: number): Promise<void> => {
      stopAt = performance.now() + seconds * 1000;
      await Promise.all(Array.from({ length: concurrency }, loop));
    };
    await phase(0.5);
    done = 0;
    const t0 = performance.now();
    await phase(SECONDS);
    return done / ((performance.now() - t0) / 1000);
  } finally {
    await server.stop();
    rmSync(repo, { recursive: true, force: true });
  }
}

const rows = [];
for (let round = 1; round <= ROUNDS; round++) {
  const c1 = await roundTripC1();
  const workers = await workerThroughput(2, 16);
  const plane = await dataPlaneThroughput(32);
  const row = { round, c1P50Us: c1.p50Us, c1P99Us: c1.p99Us, workersPerSecond: workers.perSecond, mainCpuUsPerRun: workers.mainCpuUsPerRun, dataPlanePerSecond: plane };
  rows.push(row);
  if (!hasFlag('json')) {
    console.log(
      `round ${round}: c=1 p50 ${c1.p50Us.toFixed(1)} µs, p99 ${c1.p99Us.toFixed(1)} µs | 2 workers × 16 in flight: ` +
        `${(workers.perSecond / 1000).toFixed(1)}k/s, main thread ${workers.mainCpuUsPerRun.toFixed(1)} µs CPU per run | ` +
        `data plane, 2 instances, 32 concurrent: ${(plane / 1000).toFixed(1)}k/s`,
    );
  }
}
if (hasFlag('json')) console.log(JSON.stringify(rows));
