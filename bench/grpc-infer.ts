/**
 * gRPC ModelInfer throughput and latency against the transport ceiling, in one run on one machine:
 *   a. a bare grpc-js server with the same GRPCInferenceService definition whose ModelInfer answers every request with
 *      add_sub's response (no inference);
 *   b. nereid serving add_sub over gRPC.
 * Each server runs in its own process; the load generator (one channel, N calls in flight) runs here.
 * Usage: node --import tsx bench/grpc-infer.ts [--seconds 5] [--concurrency 1,16]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as grpc from '@grpc/grpc-js';
import { fileURLToPath } from 'node:url';
import { inferenceServiceDefinition } from '../src/transport/grpc/grpc-protos.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const arg = (name: string, fallback: string): string => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1]! : fallback;
};
const SECONDS = Number(arg('seconds', '5'));
const CONCURRENCY = arg('concurrency', '1,16').split(',').map(Number);

const values = Buffer.from(Float32Array.from({ length: 16 }, (_, i) => i).buffer);
const request = {
  model_name: 'add_sub',
  inputs: ['INPUT0', 'INPUT1'].map((name) => ({ name, datatype: 'FP32', shape: [1, 16] })),
  raw_input_contents: [values, values],
};

const BARE_SERVER = `
import * as grpc from '@grpc/grpc-js';
import { inferenceServiceDefinition } from './src/transport/grpc/grpc-protos.ts';
const out = Buffer.from(Float32Array.from({ length: 16 }, (_, i) => i).buffer);
const response = { model_name: 'add_sub', model_version: '1', id: '', outputs: ['OUTPUT0', 'OUTPUT1'].map((name) => ({ name, datatype: 'FP32', shape: ['1', '16'] })), raw_output_contents: [out, out] };
const server = new grpc.Server({ 'grpc.max_receive_message_length': -1 });
server.addService(inferenceServiceDefinition, { ModelInfer: (_call, cb) => cb(null, response) });
server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (_e, port) => console.log('listening ' + port));
`;

interface Result { rps: number; p50: number; p99: number; errors: number }

async function load(port: number, concurrency: number): Promise<Result> {
  const Client = grpc.makeClientConstructor(inferenceServiceDefinition, 'GRPCInferenceService');
  const client = new Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure()) as unknown as Record<string, Function> & grpc.Client;
  const latencies: number[] = [];
  let errors = 0;
  const deadline = performance.now() + SECONDS * 1000;
  const one = (): Promise<void> => new Promise((resolve) => {
    const start = performance.now();
    client.ModelInfer!.call(client, request, (error: grpc.ServiceError | null) => {
      if (error) errors++;
      else latencies.push(performance.now() - start);
      resolve();
    });
  });
  const worker = async (): Promise<void> => { while (performance.now() < deadline) await one(); };
  const begin = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsed = (performance.now() - begin) / 1000;
  client.close();
  latencies.sort((a, b) => a - b);
  const at = (q: number): number => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN;
  return { rps: latencies.length / elapsed, p50: at(0.5) * 1000, p99: at(0.99) * 1000, errors };
}

function startProcess(argv: string[], ready: RegExp): Promise<ChildProcess & { port: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, argv, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      const m = ready.exec(output);
      if (m !== null) resolve(Object.assign(child, { port: Number(m[1]) }));
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => reject(new Error(`exited with ${code}:\n${output}`)));
  });
}

function row(label: string, c: number, r: Result, base?: Result): string {
  const ratio = base === undefined ? '' : `  ${(r.rps / base.rps * 100).toFixed(0)}% of bare`;
  return `${label.padEnd(16)} c=${String(c).padEnd(3)} ${r.rps.toFixed(0).padStart(7)} req/s  p50 ${r.p50.toFixed(0).padStart(6)} µs  p99 ${r.p99.toFixed(0).padStart(6)} µs  errors ${r.errors}${ratio}`;
}

const bare = await startProcess(['--import', 'tsx', '--input-type=module', '-e', BARE_SERVER], /listening (\d+)/);
const nereid = await startProcess(['--import', 'tsx', 'src/main.ts', '--model-repository=model_repository', '--http-port=0', '--grpc-port=0', '--metrics-port=0'],
  /Started GRPCInferenceService at [^:]+:(\d+)/);
try {
  console.log(`gRPC ModelInfer on add_sub, ${SECONDS} s per point, node ${process.version}`);
  for (const c of CONCURRENCY) {
    const base = await load(bare.port, c);
    const ours = await load(nereid.port, c);
    console.log(row('bare grpc-js', c, base));
    console.log(row('nereid gRPC', c, ours, base));
  }
} finally {
  bare.kill();
  nereid.kill();
}
