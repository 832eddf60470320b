/**
 * Tracing in Triton's own mode through both endpoints: every sampled request's trace lands in the trace file in
 * tritonserver 2.51's JSON shape and entry order (HTTP and gRPC timestamps, the model entry, compute timestamps from
 * the instance worker, TENSORS with their values), trace_rate and trace_count sample as Triton does, and log_frequency
 * cuts files `<file>.<k>`.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { addModel, writeModelDir } from '../../scripts/onnx/test-models.ts';
import type { DataPlane } from '../../src/core/data-plane.ts';
import { StatisticsStore } from '../../src/observe/statistics.ts';
import { ModelRepository } from '../../src/repository/model-repository.ts';
import { GrpcEndpoint } from '../../src/transport/grpc/grpc-endpoint.ts';
import { HttpEndpoint } from '../../src/transport/http/http-endpoint.ts';
import { closeGrpcClients, grpcCall } from '../differential/grpc-probe.ts';
import { testDataPlane } from '../support/data-plane.ts';
import { tempDir } from '../support/temp-dir.ts';
import { until } from '../support/wait.ts';

const IO = `backend: "onnxruntime"
max_batch_size: 8
input [ { name: "INPUT0" data_type: TYPE_FP32 dims: [ 4 ] }, { name: "INPUT1" data_type: TYPE_FP32 dims: [ 4 ] } ]
output [ { name: "OUTPUT0" data_type: TYPE_FP32 dims: [ 4 ] } ]
instance_group [ { count: 1 kind: KIND_CPU } ]`;

let repository: ModelRepository;
let plane: DataPlane;
let http: HttpEndpoint;
let grpc: GrpcEndpoint;
let file: string;
const statistics = new StatisticsStore();

before(async () => {
  const repo = tempDir();
  writeModelDir(repo, 'traced', addModel(), { config: IO });
  file = path.join(tempDir(), 'trace.json');
  repository = new ModelRepository({ repositories: [repo], pipeline: { autoComplete: true, defaultMaxBatchSize: 4, devices: { gpus: [] } } });
  await repository.loadAll();
  plane = testDataPlane(repository, statistics, { trace: { level: ['TIMESTAMPS'], rate: 1, count: -1, logFrequency: 1, file } });
  http = await HttpEndpoint.start({ dataPlane: plane }, { port: 0, address: '127.0.0.1', maxInputSize: 1 << 20 });
  grpc = await GrpcEndpoint.start({ dataPlane: plane }, { port: 0, address: '127.0.0.1' });
});

after(async () => {
  closeGrpcClients();
  await Promise.all([http.close(), grpc.close()]);
  await repository.unloadAll();
  statistics.close();
});

const BODY = '{"id":"r7","inputs":[{"name":"INPUT0","datatype":"FP32","shape":[1,4],"data":[1,2,3,4]},{"name":"INPUT1","datatype":"FP32","shape":[1,4],"data":[0.5,0.5,0.5,0.5]}]}';

async function inferHttp(): Promise<void> {
  const response = await fetch(`http://127.0.0.1:${http.port}/v2/models/traced/infer`, { method: 'POST', body: BODY });
  assert.equal(response.status, 200, await response.text());
}

/** The entries of trace file `<file>.<k>`, once written. */
async function traceFile(k: number): Promise<Record<string, unknown>[]> {
  await until(() => existsSync(`${file}.${k}`));
  let text = '';
  await until(() => (text = readFileSync(`${file}.${k}`, 'utf8')).endsWith(']'));
  return JSON.parse(text) as Record<string, unknown>[];
}

const names = (entries: Record<string, unknown>[]): string[] =>
  entries.map((e) => (e.timestamps as { name: string }[] | undefined)?.[0]?.name ?? (e.model_name !== undefined ? 'MODEL' : String(e.activity)));

describe('tracing (triton mode)', () => {
  it("writes an HTTP request's trace in tritonserver 2.51's shape and order", async () => {
    await inferHttp();
    const entries = await traceFile(0);
    assert.deepEqual(names(entries), [
      'HTTP_RECV_START', 'HTTP_RECV_END', 'MODEL', 'REQUEST_START', 'QUEUE_START', 'INFER_RESPONSE_COMPLETE', 'HTTP_SEND_START',
      'HTTP_SEND_END', 'COMPUTE_START', 'COMPUTE_INPUT_END', 'COMPUTE_OUTPUT_START', 'COMPUTE_END', 'REQUEST_END',
    ]);
    assert.deepEqual(entries[2], { id: 1, model_name: 'traced', model_version: 1, request_id: 'r7' });
    const ns = (name: string): number => Number((entries.find((e) => names([e])[0] === name)!.timestamps as { ns: number }[])[0]!.ns);
    assert.ok(ns('HTTP_RECV_START') <= ns('REQUEST_START') && ns('REQUEST_START') <= ns('COMPUTE_START'));
    assert.ok(ns('COMPUTE_START') <= ns('COMPUTE_INPUT_END') && ns('COMPUTE_INPUT_END') <= ns('COMPUTE_OUTPUT_START') && ns('COMPUTE_OUTPUT_START') <= ns('COMPUTE_END'));
  });

  it("writes a gRPC request's trace with the gRPC timestamps", async () => {
    const answer = await grpcCall(`127.0.0.1:${grpc.port}`, 'ModelInfer', {
      model_name: 'traced',
      inputs: [1, 2].map((k) => ({ name: `INPUT${k - 1}`, datatype: 'FP32', shape: [1, 4], contents: { fp32_contents: [k, k, k, k] } })),
    });
    assert.equal(answer.code, 0);
    assert.deepEqual(names(await traceFile(1)), [
      'MODEL', 'REQUEST_START', 'QUEUE_START', 'GRPC_WAITREAD_START', 'GRPC_WAITREAD_END', 'INFER_RESPONSE_COMPLETE', 'GRPC_SEND_START',
      'GRPC_SEND_END', 'COMPUTE_START', 'COMPUTE_INPUT_END', 'COMPUTE_OUTPUT_START', 'COMPUTE_END', 'REQUEST_END',
    ]);
  });

  it('traces tensors with their values at the TENSORS level, and nothing else', async () => {
    plane.updateTraceSettings({ trace_level: ['TENSORS'] });
    await inferHttp();
    assert.deepEqual(await traceFile(2), [
      { id: 3, activity: 'TENSOR_QUEUE_INPUT', tensor: { name: 'INPUT0', data: '1,2,3,4', shape: '1,4', dtype: 'FP32' } },
      { id: 3, activity: 'TENSOR_QUEUE_INPUT', tensor: { name: 'INPUT1', data: '0.5,0.5,0.5,0.5', shape: '1,4', dtype: 'FP32' } },
      { id: 3, activity: 'TENSOR_BACKEND_OUTPUT', tensor: { name: 'OUTPUT0', data: '1.5,2.5,3.5,4.5', shape: '1,4', dtype: 'FP32' } },
    ]);
  });

  it('samples every trace_rate-th request while trace_count lasts', async () => {
    plane.updateTraceSettings({ trace_level: ['TIMESTAMPS'], trace_rate: ['2'], trace_count: ['1'] });
    for (let i = 0; i < 6; i++) await inferHttp();
    assert.equal(new Set((await traceFile(3)).map((e) => e.id)).size, 1);
    assert.equal(plane.traceSettingsView().trace_count, '0');
    assert.equal(existsSync(`${file}.4`), false, 'the count ran out after one trace');
  });
});
