/**
 * HTTP infer throughput and latency against the transport ceiling, in one run on one machine:
 *   a. a bare node:http server that answers every request with add_sub's binary response bytes (no parsing);
 *   b. nereid serving add_sub over HTTP binary and over HTTP JSON.
 * Each server runs in its own process; the load generator (keep-alive, N requests in flight) runs here.
 * Prints requests/s, p50 and p99 latency, and the ratio of b to a. Usage:
 *   node --import tsx bench/http-infer.ts [--seconds 5] [--concurrency 1,16]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const arg = (name: string, fallback: string): string => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1]! : fallback;
};
const SECONDS = Number(arg('seconds', '5'));
const CONCURRENCY = arg('concurrency', '1,16').split(',').map(Number);

const values = Float32Array.from({ length: 16 }, (_, i) => i);
const binaryHeader = Buffer.from(JSON.stringify({
  inputs: ['INPUT0', 'INPUT1'].map((name) => ({ name, datatype: 'FP32', shape: [1, 16], parameters: { binary_data_size: 64 } })),
  outputs: ['OUTPUT0', 'OUTPUT1'].map((name) => ({ name, parameters: { binary_data: true } })),
}));
const binaryBody = Buffer.concat([binaryHeader, Buffer.from(values.buffer), Buffer.from(values.buffer)]);
const jsonBody = Buffer.from(JSON.stringify({
  inputs: ['INPUT0', 'INPUT1'].map((name) => ({ name, datatype: 'FP32', shape: [1, 16], data: Array.from(values) })),
}));

interface Result { rps: number; p50: number; p99: number; errors: number }

async function load(port: number, path: string, body: Buffer, headers: Record<string, string>, concurrency: number): Promise<Result> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const latencies: number[] = [];
  let errors = 0;
  const deadline = performance.now() + SECONDS * 1000;
  const one = (): Promise<void> => new Promise((resolve) => {
    const start = performance.now();
    const req = http.request({ port, path, method: 'POST', agent, headers: { ...headers, 'Content-Length': body.length } }, (res) => {
      res.on('data', () => {});
      res.on('end', () => {
        if (res.statusCode === 200) latencies.push(performance.now() - start);
        else errors++;
        resolve();
      });
    });
    req.on('error', () => { errors++; resolve(); });
    req.end(body);
  });
  const worker = async (): Promise<void> => { while (performance.now() < deadline) await one(); };
  const begin = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsed = (performance.now() - begin) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const at = (q: number): number => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN;
  return { rps: latencies.length / elapsed, p50: at(0.5) * 1000, p99: at(0.99) * 1000, errors };
}

function startProcess(argv: string[], ready: RegExp): Promise<{ child: ChildProcess; port: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, argv, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      const m = ready.exec(output);
      if (m !== null) resolve({ child, port: Number(m[1]) });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => reject(new Error(`exited with ${code}:\n${output}`)));
  });
}

const BARE_SERVER = `
const http = require('node:http');
const values = Float32Array.from({ length: 16 }, (_, i) => i);
const out = Buffer.concat([Buffer.from(values.buffer), Buffer.from(values.buffer)]);
const header = Buffer.from(JSON.stringify({ model_name: 'add_sub', model_version: '1', outputs: [
  { name: 'OUTPUT0', datatype: 'FP32', shape: [1, 16], parameters: { binary_data_size: 64 } },
  { name: 'OUTPUT1', datatype: 'FP32', shape: [1, 16], parameters: { binary_data_size: 64 } }] }));
const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Inference-Header-Content-Length': header.length, 'Content-Length': header.length + out.length });
    res.end(Buffer.concat([header, out]));
  });
});
server.listen(0, '127.0.0.1', () => console.log('listening ' + server.address().port));
`;

function row(label: string, c: number, r: Result, base?: Result): string {
  const ratio = base === undefined ? '' : `  ${(r.rps / base.rps * 100).toFixed(0)}% of bare`;
  return `${label.padEnd(22)} c=${String(c).padEnd(3)} ${r.rps.toFixed(0).padStart(7)} req/s  p50 ${r.p50.toFixed(0).padStart(6)} µs  p99 ${r.p99.toFixed(0).padStart(6)} µs  errors ${r.errors}${ratio}`;
}

const bare = await startProcess(['-e', BARE_SERVER], /listening (\d+)/);
const nereid = await startProcess(['--import', 'tsx', 'src/main.ts', '--model-repository=model_repository', '--http-port=0', '--grpc-port=0', '--metrics-port=0'],
  /Started HTTPService at [^:]+:(\d+)/);
try {
  console.log(`HTTP infer on add_sub, ${SECONDS} s per point, node ${process.version}`);
  for (const c of CONCURRENCY) {
    const base = await load(bare.port, '/v2/models/add_sub/infer', binaryBody, { 'Inference-Header-Content-Length': String(binaryHeader.length) }, c);
    const binary = await load(nereid.port, '/v2/models/add_sub/infer', binaryBody, { 'Inference-Header-Content-Length': String(binaryHeader.length) }, c);
    const json = await load(nereid.port, '/v2/models/add_sub/infer', jsonBody, {}, c);
    console.log(row('bare node:http', c, base));
    console.log(row('nereid HTTP binary', c, binary, base));
    console.log(row('nereid HTTP JSON', c, json, base));
  }
} finally {
  bare.child.kill();
  nereid.child.kill();
}
