/**
 * nereid-client against tritonclient as the load generator, against the same nereid in one run: add_sub (FP32 [1,16]
 * ×2, binary tensors on HTTP) at each concurrency, closed loop, over HTTP and gRPC. Prints requests/s, p50 latency and
 * the client process's CPU time per request (user + system: process.cpuUsage() for nereid-client, which runs in this
 * process; getrusage in the Python process for tritonclient), and the ratios nereid-client ÷ tritonclient; medians of
 * --repeat rounds. tritonclient comes from .venv (bash scripts/setup-python-env.sh).
 *
 * Usage: node --import tsx bench/client.ts [--seconds 3] [--concurrency 1,16] [--repeat 3]
 */
import { fileURLToPath } from 'node:url';
import { HttpClient, type InferInput } from '../packages/client/src/index.ts';
import { GrpcClient } from '../packages/client/src/grpc/index.ts';
import type { InferenceClient } from '../packages/client/src/client.ts';
import { runProcess, venvPython } from '../test/python/venv-python.ts';
import { listFlag, numberFlag } from './lib/cli.ts';
import { closedLoop } from './lib/load-generator.ts';
import { startNereid } from './lib/servers.ts';

const SECONDS = numberFlag('seconds', 3);
const CONCURRENCY = listFlag('concurrency', [1, 16]);
const REPEAT = numberFlag('repeat', 3);
const REPOSITORY = fileURLToPath(new URL('../model_repository', import.meta.url));
const TRITONCLIENT_LOAD = fileURLToPath(new URL('./client/tritonclient_load.py', import.meta.url));

interface Point {
  rps: number;
  p50Us: number;
  cpuUsPerRequest: number;
}

const ones = new Float32Array(16).fill(1);
const INPUTS: readonly InferInput[] = [
  { name: 'INPUT0', datatype: 'FP32', shape: [1, 16], data: ones },
  { name: 'INPUT1', datatype: 'FP32', shape: [1, 16], data: ones },
];

async function measureOurs(client: InferenceClient, concurrency: number): Promise<Point> {
  const send = async (): Promise<void> => {
    const result = await client.infer('add_sub', INPUTS);
    result.output('OUTPUT0').data();
  };
  await closedLoop(send, { concurrency, seconds: 0.5 });
  const cpuBefore = process.cpuUsage();
  const result = await closedLoop(send, { concurrency, seconds: SECONDS });
  const cpu = process.cpuUsage(cpuBefore);
  if (result.errors > 0) throw new Error(`nereid-client: ${result.firstError}`);
  return { rps: result.rps, p50Us: result.p50Us, cpuUsPerRequest: (cpu.user + cpu.system) / result.requests };
}

async function measureTritonclient(protocol: 'http' | 'grpc', url: string, concurrency: number): Promise<Point> {
  const run = await runProcess(venvPython(), [TRITONCLIENT_LOAD, protocol, url, String(concurrency), String(SECONDS)], { timeoutMs: (SECONDS + 60) * 1000 });
  if (run.code !== 0) throw new Error(`tritonclient ${protocol}: ${run.output}`);
  const line = JSON.parse(run.stdout.trim().split('\n').pop()!) as { requests: number; rps: number; p50_us: number; cpu_s: number };
  return { rps: line.rps, p50Us: line.p50_us, cpuUsPerRequest: (line.cpu_s * 1e6) / line.requests };
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function main(): Promise<void> {
  const server = await startNereid(REPOSITORY);
  const http = `127.0.0.1:${server.httpPort}`;
  const grpc = `127.0.0.1:${server.grpcPort}`;
  const clients = { http: new HttpClient({ url: http }), grpc: new GrpcClient({ url: grpc }) };
  const points = new Map<string, Point[]>();
  const add = (key: string, point: Point): void => void points.set(key, [...(points.get(key) ?? []), point]);
  try {
    for (let round = 0; round < REPEAT; round++) {
      for (const concurrency of CONCURRENCY) {
        for (const protocol of ['http', 'grpc'] as const) {
          add(`ours ${protocol} ${concurrency}`, await measureOurs(clients[protocol], concurrency));
          add(`tritonclient ${protocol} ${concurrency}`, await measureTritonclient(protocol, protocol === 'http' ? http : grpc, concurrency));
        }
      }
    }
  } finally {
    clients.http.close();
    clients.grpc.close();
    await server.process.stop();
  }
  console.log(`add_sub on one nereid, ${SECONDS} s per point, medians of ${REPEAT} rounds; CPU = the client process's user + system time`);
  console.log('protocol  c    nereid-client req/s  p50 us  CPU us/req    tritonclient req/s  p50 us  CPU us/req    req/s ratio  CPU ratio');
  for (const protocol of ['http', 'grpc'] as const) {
    for (const concurrency of CONCURRENCY) {
      const ours = points.get(`ours ${protocol} ${concurrency}`)!;
      const theirs = points.get(`tritonclient ${protocol} ${concurrency}`)!;
      const o = { rps: median(ours.map((p) => p.rps)), p50: median(ours.map((p) => p.p50Us)), cpu: median(ours.map((p) => p.cpuUsPerRequest)) };
      const t = { rps: median(theirs.map((p) => p.rps)), p50: median(theirs.map((p) => p.p50Us)), cpu: median(theirs.map((p) => p.cpuUsPerRequest)) };
      console.log(
        `${protocol.padEnd(8)}  ${String(concurrency).padStart(2)}  ${o.rps.toFixed(0).padStart(19)}  ${o.p50.toFixed(0).padStart(6)}  ${o.cpu.toFixed(0).padStart(10)}` +
          `    ${t.rps.toFixed(0).padStart(18)}  ${t.p50.toFixed(0).padStart(6)}  ${t.cpu.toFixed(0).padStart(10)}    ${(o.rps / t.rps).toFixed(2).padStart(11)}  ${(o.cpu / t.cpu).toFixed(2).padStart(9)}`,
      );
    }
  }
}

await main();
