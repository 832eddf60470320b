/**
 * The pieces bench/run.ts measures with, run for real and briefly: the bare HTTP and gRPC servers (grpc-js, and gRPC
 * framed by hand on node:http2, checked with a real grpc-js client) answer the bench payloads of both models through
 * the shared load generator, a server's CPU time is read from /proc, and the ONNX Runtime limit runs the shipped
 * models in worker threads. Counts and shapes only; no timing is asserted.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { inferenceServiceDefinition } from '../../src/transport/grpc/grpc-protos.ts';
import { grpcTarget } from '../../bench/lib/grpc-client.ts';
import { httpTarget } from '../../bench/lib/http-client.ts';
import { closedLoop } from '../../bench/lib/load-generator.ts';
import { measureOrtLimit } from '../../bench/lib/ort-limit.ts';
import {
  ADD_SUB, BENCH_MODELS, MLP, grpcRequest, httpBinaryRequest, httpBinaryResponse, httpJsonRequest, httpJsonResponse,
} from '../../bench/lib/payloads.ts';
import { groupCpuSeconds } from '../../bench/lib/server-cpu.ts';
import { ROOT, startBareGrpc, startBareHttp, startBareHttp2Grpc, type BareServer } from '../../bench/lib/servers.ts';

let bareHttp: BareServer;
let bareGrpc: BareServer;
let bareHttp2: BareServer;

before(async () => {
  [bareHttp, bareGrpc, bareHttp2] = await Promise.all([startBareHttp(), startBareGrpc(), startBareHttp2Grpc()]);
});
after(async () => {
  await Promise.all([bareHttp?.process.stop(), bareGrpc?.process.stop(), bareHttp2?.process.stop()]);
});

const MODEL_INFER = inferenceServiceDefinition.ModelInfer!;

/** One unary call of `method` with `request`, answered with the decoded response or the gRPC error. */
function unary(port: number, method: string, request: object): Promise<{ response?: Record<string, unknown>; error?: grpc.ServiceError }> {
  const client = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  return new Promise((resolve) => {
    client.makeUnaryRequest(method, MODEL_INFER.requestSerialize, MODEL_INFER.responseDeserialize, request,
      (error: grpc.ServiceError | null, response?: unknown) => {
        client.close();
        resolve(error === null ? { response: response as Record<string, unknown> } : { error });
      });
  });
}

function post(port: number, spec: ReturnType<typeof httpBinaryRequest>): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: spec.path, method: 'POST', headers: spec.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end(spec.body);
  });
}

test('the bare HTTP server answers binary requests in binary and JSON requests in JSON, per model', async () => {
  for (const model of BENCH_MODELS) {
    const binary = await post(bareHttp.port, httpBinaryRequest(model));
    assert.equal(binary.status, 200);
    assert.deepEqual(binary.body, httpBinaryResponse(model).body);
    assert.equal(binary.headers['inference-header-content-length'], String(httpBinaryResponse(model).headerLength));
    const json = await post(bareHttp.port, httpJsonRequest(model));
    assert.equal(json.status, 200);
    assert.deepEqual(json.body, httpJsonResponse(model));
  }
  const unknown = await post(bareHttp.port, { ...httpJsonRequest(ADD_SUB), path: '/v2/models/nope/infer' });
  assert.equal(unknown.status, 404);
});

test('the load generator drives both bare servers and counts every request', async () => {
  const h = httpTarget(bareHttp.port, [httpBinaryRequest(MLP), httpJsonRequest(ADD_SUB)], 4);
  const hr = await closedLoop(h.send, { concurrency: 4, seconds: 30, maxRequests: 40 });
  h.close();
  assert.deepEqual({ requests: hr.requests, errors: hr.errors }, { requests: 40, errors: 0 });
  const g = grpcTarget(bareGrpc.port, grpcRequest(ADD_SUB));
  const gr = await closedLoop(g.send, { concurrency: 4, seconds: 30, maxRequests: 40 });
  g.close();
  assert.deepEqual({ requests: gr.requests, errors: gr.errors }, { requests: 40, errors: 0 });
  assert.ok(gr.p50Us > 0 && gr.p99Us >= gr.p50Us);
});

test('a failing request counts as an error with its status', async () => {
  const h = httpTarget(bareHttp.port, { ...httpJsonRequest(ADD_SUB), path: '/v2/models/nope/infer' }, 1);
  const r = await closedLoop(h.send, { concurrency: 1, seconds: 30, maxRequests: 3 });
  h.close();
  assert.equal(r.requests, 0);
  assert.equal(r.errors, 3);
  assert.match(r.firstError ?? '', /^HTTP 404/);
  const g = grpcTarget(bareGrpc.port, { ...grpcRequest(ADD_SUB), model_name: 'nope' });
  const gr = await closedLoop(g.send, { concurrency: 1, seconds: 30, maxRequests: 2 });
  g.close();
  assert.equal(gr.errors, 2);
  assert.match(gr.firstError ?? '', /unknown model/);
});

test('the node:http2 gRPC server answers ModelInfer to a grpc-js client with what bare grpc-js answers', async () => {
  for (const model of BENCH_MODELS) {
    const viaHttp2 = await unary(bareHttp2.port, '/inference.GRPCInferenceService/ModelInfer', grpcRequest(model));
    const viaGrpcJs = await unary(bareGrpc.port, '/inference.GRPCInferenceService/ModelInfer', grpcRequest(model));
    assert.equal(viaHttp2.error, undefined, viaHttp2.error?.message);
    assert.deepEqual(viaHttp2.response, viaGrpcJs.response);
    const response = viaHttp2.response as { model_name: string; model_version: string; outputs: { name: string; datatype: string; shape: string[] }[]; raw_output_contents: Buffer[] };
    assert.equal(response.model_name, model.name);
    assert.equal(response.model_version, '1');
    assert.deepEqual(response.outputs.map((o) => [o.name, o.datatype, o.shape]), model.outputs.map((t) => [t.name, 'FP32', t.shape.map(String)]));
    assert.deepEqual(response.raw_output_contents.map((b) => [...new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength))]),
      model.outputs.map((t) => [...t.values]));
  }
});

test('the node:http2 gRPC server answers errors as gRPC statuses', async () => {
  const unknownMethod = await unary(bareHttp2.port, '/inference.GRPCInferenceService/Nope', grpcRequest(ADD_SUB));
  assert.equal(unknownMethod.error?.code, grpc.status.UNIMPLEMENTED);
  assert.match(unknownMethod.error?.details ?? '', /unknown method \/inference\.GRPCInferenceService\/Nope/);
  const unknownModel = await unary(bareHttp2.port, '/inference.GRPCInferenceService/ModelInfer', { ...grpcRequest(ADD_SUB), model_name: 'nope' });
  assert.equal(unknownModel.error?.code, grpc.status.NOT_FOUND);
  assert.equal(unknownModel.error?.details, 'unknown model');
});

test('the load generator drives the node:http2 gRPC server with the shared client; its CPU time reads from /proc', async () => {
  const before = groupCpuSeconds(bareHttp2.process.child.pid!);
  const g = grpcTarget(bareHttp2.port, grpcRequest(MLP));
  const r = await closedLoop(g.send, { concurrency: 8, seconds: 30, maxRequests: 200 });
  g.close();
  assert.deepEqual({ requests: r.requests, errors: r.errors }, { requests: 200, errors: 0 });
  const after = groupCpuSeconds(bareHttp2.process.child.pid!);
  if (process.platform === 'linux') {
    // Starting the server (tsx compiling its sources) alone used CPU time; the counter never goes back.
    assert.ok(before > 0 && after >= before, `${before} then ${after}`);
  }
});

test('the ONNX Runtime limit runs the shipped models in worker threads and counts rows by batch', async () => {
  const r = await measureOrtLimit({
    modelPath: path.join(ROOT, 'model_repository', 'mlp_classifier', '1', 'model.onnx'),
    batch: 8,
    feeds: MLP.inputs.map((t) => ({ name: t.name, rowShape: t.shape.slice(1), row: t.values })),
    workers: 2,
    intraOpThreads: 1,
    seconds: 0.2,
    warmupRuns: 5,
  });
  assert.equal(r.workers, 2);
  assert.ok(r.runsPerS > 0);
  assert.ok(Math.abs(r.rowsPerS - 8 * r.runsPerS) < 1e-6 * r.rowsPerS);
  await assert.rejects(measureOrtLimit({
    modelPath: path.join(ROOT, 'model_repository', 'add_sub', '1', 'model.onnx'),
    batch: 1, feeds: [{ name: 'INPUT0', rowShape: [16], row: ADD_SUB.inputs[0]!.values }],
    workers: 1, intraOpThreads: 1, seconds: 0.1,
  }), /ORT limit worker: .*INPUT1/);
});
