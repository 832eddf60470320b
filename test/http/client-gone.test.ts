/**
 * A request whose HTTP client disconnects while it waits in the queue is dropped: it never executes, and the
 * statistics count it as a failure rather than an execution.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { buildOnnxModel } from '../../scripts/onnx/builder.ts';
import { writeModelDir } from '../../scripts/onnx/test-models.ts';
import { startTestServer } from '../support/http-server.ts';
import { tempDir } from '../support/temp-dir.ts';

const N = 1024;

/** Y = X·W (four times), W the identity: about 0.3 s for 2048 rows on one thread here. */
function slowModel(): Uint8Array {
  const w = new Float32Array(N * N);
  for (let i = 0; i < N; i++) w[i * N + i] = 1;
  return buildOnnxModel({
    name: 'slow', inputs: [{ name: 'X', type: 'float', shape: ['batch', N] }], outputs: [{ name: 'Y', type: 'float', shape: ['batch', N] }],
    initializers: [{ name: 'W', type: 'float', dims: [N, N], values: w }],
    nodes: [1, 2, 3, 4].map((i) => ({ op: 'MatMul', inputs: [i === 1 ? 'X' : `P${i - 1}`, 'W'], outputs: [i === 4 ? 'Y' : `P${i}`] })),
  });
}

function request(rows: number, signal?: AbortSignal): Promise<Response> {
  const header = Buffer.from(JSON.stringify({ inputs: [{ name: 'X', datatype: 'FP32', shape: [rows, N], parameters: { binary_data_size: rows * N * 4 } }], outputs: [{ name: 'Y', parameters: { binary_data: true } }] }));
  const body = Buffer.concat([header, Buffer.alloc(rows * N * 4)]);
  return fetch(server.url + '/v2/models/slow/infer', { method: 'POST', body, headers: { 'Inference-Header-Content-Length': String(header.length) }, ...(signal ? { signal } : {}) });
}

let server: Awaited<ReturnType<typeof startTestServer>>;

it('a queued request whose HTTP client disconnects never runs', async () => {
  const repo = tempDir();
  writeModelDir(repo, 'slow', slowModel(), {
    config: `backend: "onnxruntime"
max_batch_size: 2048
input [ { name: "X" data_type: TYPE_FP32 dims: [ ${N} ] } ]
output [ { name: "Y" data_type: TYPE_FP32 dims: [ ${N} ] } ]
instance_group [ { count: 1 kind: KIND_CPU } ]
parameters { key: "intra_op_thread_count" value { string_value: "1" } }
dynamic_batching { }`,
  });
  server = await startTestServer({ repositories: [repo] });
  const running = request(2048);
  await new Promise((resolve) => setTimeout(resolve, 100));
  const gone = new AbortController();
  const queued = request(1, gone.signal);
  await new Promise((resolve) => setTimeout(resolve, 30));
  gone.abort();
  await assert.rejects(queued);
  assert.equal((await running).status, 200);
  await new Promise((resolve) => setTimeout(resolve, 50));
  const { model_stats: [stats] } = await (await fetch(server.url + '/v2/models/slow/stats')).json() as { model_stats: any[] };
  assert.equal(stats.execution_count, 1, 'only the long request executed');
  assert.equal(stats.inference_stats.success.count, 1);
  assert.equal(stats.inference_stats.fail.count, 1, 'the dropped request counts as a failure');
});
