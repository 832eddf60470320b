/**
 * Graceful shutdown of the real command: SIGTERM stops accepting, lets the request in flight finish (up to
 * --exit-timeout-secs), unloads and exits 0; when the timer runs out it exits at once with Triton's message.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { slowMatmulModel, writeModelDir } from '../scripts/onnx/test-models.ts';
import { tempDir } from './support/temp-dir.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const N = 2048;

function slowRepository(): string {
  const repo = tempDir();
  writeModelDir(repo, 'slow', slowMatmulModel(), {
    config: `backend: "onnxruntime"
max_batch_size: 0
input [ { name: "X" data_type: TYPE_FP32 dims: [ -1, -1 ] } ]
output [ { name: "Y" data_type: TYPE_FP32 dims: [ -1, -1 ] } ]
instance_group [ { count: 1 kind: KIND_CPU } ]
parameters { key: "intra_op_thread_count" value { string_value: "1" } }`,
  });
  return repo;
}

function start(args: string[]) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', '--http-port=0', '--grpc-port=0', '--metrics-port=0', ...args], {
    cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (c: Buffer) => (output += c));
  child.stderr!.on('data', (c: Buffer) => (output += c));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const port = new Promise<number>((resolve, reject) => {
    const timer = setInterval(() => {
      const m = /Started HTTPService at [^:]+:(\d+)/.exec(output);
      if (m !== null) {
        clearInterval(timer);
        resolve(Number(m[1]));
      }
      if (child.exitCode !== null) {
        clearInterval(timer);
        reject(new Error(output));
      }
    }, 50);
  });
  return { child, port, exited, output: () => output };
}

/** A ~1 s request: the identity matrix through six chained MatMuls (binary input, 16 MiB). */
function longRequest(port: number): Promise<Response> {
  const header = Buffer.from(JSON.stringify({ inputs: [{ name: 'X', datatype: 'FP32', shape: [N, N], parameters: { binary_data_size: N * N * 4 } }], outputs: [{ name: 'Y', parameters: { binary_data: true } }] }));
  const x = new Float32Array(N * N);
  for (let i = 0; i < N; i++) x[i * N + i] = 1;
  const body = Buffer.concat([header, Buffer.from(x.buffer)]);
  return fetch(`http://127.0.0.1:${port}/v2/models/slow/infer`, {
    method: 'POST', body, headers: { 'Inference-Header-Content-Length': String(header.length) },
  });
}

async function waitForLog(server: ReturnType<typeof start>, pattern: RegExp): Promise<void> {
  for (let i = 0; i < 200 && !pattern.test(server.output()); i++) await new Promise((r) => setTimeout(r, 25));
}

describe('graceful shutdown', () => {
  it('SIGTERM lets the request in flight finish, then unloads and exits 0', async () => {
    const server = start([`--model-repository=${slowRepository()}`, '--exit-timeout-secs=30']);
    const port = await server.port;
    const inFlight = longRequest(port);
    await new Promise((r) => setTimeout(r, 300));
    server.child.kill('SIGTERM');
    const response = await inFlight;
    assert.equal(response.status, 200, await response.clone().text());
    const header = Number(response.headers.get('inference-header-content-length'));
    const bytes = Buffer.from(await response.arrayBuffer());
    assert.equal(bytes.length - header, N * N * 4);
    assert.equal(await server.exited, 0, server.output());
    assert.match(server.output(), /Waiting for in-flight requests to complete/);
    assert.match(server.output(), /successfully unloaded 'slow' version 1/);
  });

  it('when --exit-timeout-secs runs out it exits at once (killed: a native ONNX Runtime call cannot be interrupted) with Triton\'s message', async () => {
    const server = start([`--model-repository=${slowRepository()}`, '--exit-timeout-secs=0']);
    const port = await server.port;
    const inFlight = longRequest(port).catch(() => undefined);
    await waitForLog(server, /loading|READY/);
    await new Promise((r) => setTimeout(r, 300));
    server.child.kill('SIGTERM');
    await server.exited;
    assert.equal(server.child.signalCode, 'SIGKILL', server.output());
    assert.doesNotMatch(server.output(), /terminate called|Napi::Error/);
    assert.match(server.output(), /Exit timeout expired\. Exiting immediately\./);
    await inFlight;
  });
});
