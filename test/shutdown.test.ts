/**
 * Graceful shutdown of the real command: SIGTERM stops accepting, lets the request in flight finish (up to
 * --exit-timeout-secs), unloads and exits 0; when the timer runs out it exits at once with Triton's message.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, it, type TestContext } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { addModel, slowMatmulModel, writeModelDir } from '../scripts/onnx/test-models.ts';
import { createApp, shutDown, startEndpoints } from '../src/app.ts';
import { setLogSink } from '../src/observe/log.ts';
import { parseOptions } from '../src/options/parse-options.ts';
import { inferenceServiceDefinition } from '../src/transport/grpc/grpc-protos.ts';
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
  // The metrics endpoint starts last and the signal handlers are installed right after its line, in the same turn of
  // the server's event loop: once it is printed, a SIGTERM is handled rather than fatal.
  const ports = new Promise<{ http: number; metrics: number }>((resolve, reject) => {
    const check = (): void => {
      const metrics = /Started Metrics Service at [^:]+:(\d+)/.exec(output);
      if (metrics !== null) resolve({ http: Number(/Started HTTPService at [^:]+:(\d+)/.exec(output)![1]), metrics: Number(metrics[1]) });
    };
    child.stdout!.on('data', check);
    child.stderr!.on('data', check);
    child.on('close', () => reject(new Error(output)));
  });
  return { child, ports, exited, output: () => output };
}

/** Requests queued (not executing) for the slow model, as the metrics endpoint reports them. */
async function pending(metricsPort: number): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
  const match = /^nv_inference_pending_request_count\{model="slow",version="1"\} (\d+)$/m.exec(text);
  return match === null ? 0 : Number(match[1]);
}

/**
 * Sends two long requests at once and resolves once the server reports one of them queued: the other is then
 * executing on the only instance, so both are in flight. Waiting on the server's own count, not on a time, is what
 * makes "a request is in flight" true when the test acts, however slowly the bodies arrive.
 */
async function twoInFlight(ports: { http: number; metrics: number }): Promise<Promise<Response>[]> {
  const requests = [longRequest(ports.http), longRequest(ports.http)];
  let settled = false;
  void Promise.allSettled(requests).then(() => (settled = true));
  while ((await pending(ports.metrics)) !== 1) {
    assert.ok(!settled, 'both requests finished before one was seen queued behind the other');
  }
  return requests;
}

/**
 * A ~1 s request (two on the one instance take twice that): the identity matrix through six chained MatMuls (binary
 * input, 16 MiB).
 */
function longRequest(port: number): Promise<Response> {
  const header = Buffer.from(JSON.stringify({ inputs: [{ name: 'X', datatype: 'FP32', shape: [N, N], parameters: { binary_data_size: N * N * 4 } }], outputs: [{ name: 'Y', parameters: { binary_data: true } }] }));
  const x = new Float32Array(N * N);
  for (let i = 0; i < N; i++) x[i * N + i] = 1;
  const body = Buffer.concat([header, Buffer.from(x.buffer)]);
  return fetch(`http://127.0.0.1:${port}/v2/models/slow/infer`, {
    method: 'POST', body, headers: { 'Inference-Header-Content-Length': String(header.length) },
  });
}

describe('graceful shutdown', () => {
  it('SIGTERM lets the request in flight finish, then unloads and exits 0', async () => {
    const server = start([`--model-repository=${slowRepository()}`, '--exit-timeout-secs=30']);
    const requests = await twoInFlight(await server.ports);
    server.child.kill('SIGTERM');
    for (const inFlight of requests) {
      const response = await inFlight.catch((error: Error) => assert.fail(`${error.message} (${String(error.cause)}); server output:\n${server.output()}`));
      assert.equal(response.status, 200, await response.clone().text());
      const header = Number(response.headers.get('inference-header-content-length'));
      const bytes = Buffer.from(await response.arrayBuffer());
      assert.equal(bytes.length - header, N * N * 4);
    }
    assert.equal(await server.exited, 0, server.output());
    assert.match(server.output(), /Waiting for in-flight requests to complete/);
    assert.match(server.output(), /successfully unloaded 'slow' version 1/);
  });

  it('when --exit-timeout-secs runs out it exits at once (killed: a native ONNX Runtime call cannot be interrupted) with Triton\'s message', async () => {
    const server = start([`--model-repository=${slowRepository()}`, '--exit-timeout-secs=0']);
    const requests = (await twoInFlight(await server.ports)).map((r) => r.catch(() => undefined));
    server.child.kill('SIGTERM');
    await server.exited;
    assert.equal(server.child.signalCode, 'SIGKILL', server.output());
    assert.doesNotMatch(server.output(), /terminate called|Napi::Error/);
    assert.match(server.output(), /Exit timeout expired\. Exiting immediately\./);
    await Promise.all(requests);
  });
});

describe('graceful shutdown counts gRPC calls', () => {
  /** An app on one small model with HTTP and gRPC on port 0, and its log lines as they are written. */
  async function serve(t: TestContext) {
    const repo = tempDir();
    writeModelDir(repo, 'alpha', addModel());
    const options = parseOptions([
      `--model-repository=${repo}`, '--http-address=127.0.0.1', '--http-port=0', '--grpc-address=127.0.0.1',
      '--grpc-port=0', '--allow-metrics=false',
    ]);
    const app = createApp(options);
    await app.repository.loadAll();
    const endpoints = await startEndpoints(app, options);
    const lines: ((line: string) => void)[] = [];
    const previous = setLogSink((line) => lines.forEach((listener) => listener(line)));
    t.after(() => void setLogSink(previous));
    const logged = (pattern: RegExp): Promise<string> =>
      new Promise((resolve) => lines.push((line) => pattern.test(line) && resolve(line)));
    const Client = grpc.makeClientConstructor(inferenceServiceDefinition, 'GRPCInferenceService');
    const client = new Client(`127.0.0.1:${endpoints.grpc!.port}`, grpc.credentials.createInsecure()) as grpc.Client & Record<string, Function>;
    t.after(() => client.close());
    return { app, endpoints, client, logged };
  }

  const request = { model_name: 'alpha', inputs: ['INPUT0', 'INPUT1'].map((name) => ({ name, datatype: 'FP32', shape: [1, 4], contents: { fp32_contents: [1, 2, 3, 4] } })) };

  it('waits for an open ModelStreamInfer stream (no request in a model) and logs the count of each kind', async (t) => {
    const { app, endpoints, client, logged } = await serve(t);
    const stream = client.ModelStreamInfer!() as grpc.ClientDuplexStream<object, { error_message: string }>;
    const ended = new Promise<void>((resolve, reject) => {
      stream.on('end', resolve);
      stream.on('error', reject);
    });
    // One answered request proves the call is open on the server; the client keeps its side open.
    const answered = new Promise((resolve) => stream.once('data', resolve));
    stream.write(request);
    assert.equal(((await answered) as { error_message: string }).error_message, '');
    assert.equal(endpoints.grpc!.activeCalls, 1);
    assert.equal(app.repository.inflight(), 0);

    const waiting = logged(/Waiting for in-flight requests to complete/);
    let finished = false;
    const stopped = shutDown(app, endpoints, 30).then((clean) => ((finished = true), clean));
    assert.match(await waiting, /Waiting for in-flight requests to complete: 0 in models, 0 HTTP, 1 gRPC$/);
    assert.equal(finished, false, 'shutdown finished while a gRPC stream was open');
    stream.end();
    await ended;
    assert.equal(await stopped, true);
    assert.equal(endpoints.grpc!.activeCalls, 0);
  });

  it('counts unary calls until answered and a cancelled stream until its cancellation', async (t) => {
    const { app, endpoints, client } = await serve(t);
    const response = await new Promise<{ model_name: string }>((resolve, reject) =>
      client.ModelInfer!(request, (error: grpc.ServiceError | null, r: { model_name: string }) => (error ? reject(error) : resolve(r))));
    assert.equal(response.model_name, 'alpha');
    assert.equal(endpoints.grpc!.activeCalls, 0);
    const stream = client.ModelStreamInfer!() as grpc.ClientDuplexStream<object, unknown>;
    const answered = new Promise((resolve) => stream.once('data', resolve));
    stream.write(request);
    await answered;
    assert.equal(endpoints.grpc!.activeCalls, 1);
    const cancelled = new Promise((resolve) => stream.on('error', resolve));
    stream.cancel();
    await cancelled;
    // The server learns of the cancellation on its own schedule; shutdown must then find nothing left to wait for.
    assert.equal(await shutDown(app, endpoints, 10), true);
    assert.equal(endpoints.grpc!.activeCalls, 0);
  });
});
