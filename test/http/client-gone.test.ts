/**
 * A request whose HTTP client disconnects while it waits in the queue is dropped: it never executes, and the
 * statistics count it as a failure rather than an execution.
 *
 * The request waits because the dynamic batcher holds it for a partner (preferred batch size 2, a queue delay of an
 * hour), not behind an execution of some length: it stays queued until the test acts, however busy the machine is.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { requestChannel, type RequestEvent } from '../../src/core/inference-events.ts';
import { addModel, writeModelDir } from '../../scripts/onnx/test-models.ts';
import { startTestServer } from '../support/http-server.ts';
import { tempDir } from '../support/temp-dir.ts';
import { nextMessage, until } from '../support/wait.ts';

function request(rows: number, signal?: AbortSignal): Promise<Response> {
  const body = JSON.stringify({ inputs: [{ name: 'X', datatype: 'FP32', shape: [rows, 4], data: new Array(rows * 4).fill(1) }] });
  return fetch(server.url + '/v2/models/held/infer', { method: 'POST', body, ...(signal ? { signal } : {}) });
}

let server: Awaited<ReturnType<typeof startTestServer>>;

it('a queued request whose HTTP client disconnects never runs', { timeout: 120_000 }, async () => {
  const repo = tempDir();
  writeModelDir(repo, 'held', addModel({ inputs: [{ name: 'X', type: 'float', shape: ['batch', 4] }], outputs: [{ name: 'Y', type: 'float', shape: ['batch', 4] }] }), {
    config: `backend: "onnxruntime"
max_batch_size: 2
input [ { name: "X" data_type: TYPE_FP32 dims: [ 4 ] } ]
output [ { name: "Y" data_type: TYPE_FP32 dims: [ 4 ] } ]
instance_group [ { count: 1 kind: KIND_CPU } ]
dynamic_batching { preferred_batch_size: [ 2 ] max_queue_delay_microseconds: 3600000000 }`,
  });
  server = await startTestServer({ repositories: [repo] });
  const { scheduler } = server.repository.resolve('held');

  const gone = new AbortController();
  const queued = request(1, gone.signal);
  await until(() => scheduler.pending === 1);
  const dropped = nextMessage(requestChannel, (m) => {
    const event = m as RequestEvent;
    return event.plan.name === 'held' && !event.ok ? event.failureReason : undefined;
  });
  gone.abort();
  await assert.rejects(queued);
  assert.equal(await dropped, 'CANCELED');
  assert.equal(scheduler.inflight, 0, 'the dropped request left the queue');

  // Two rows are a preferred batch on their own, so this runs at once; had the dropped row still been queued, it
  // would have gone first (alone, the two together exceeding max_batch_size) and been counted as an execution.
  const later = await request(2);
  assert.equal(later.status, 200, await later.clone().text());
  const { model_stats: [stats] } = await (await fetch(server.url + '/v2/models/held/stats')).json() as { model_stats: any[] };
  assert.equal(stats.execution_count, 1, 'only the later request executed');
  assert.deepEqual(stats.batch_stats.map((b: { batch_size: number }) => b.batch_size), [2]);
  assert.equal(stats.inference_stats.success.count, 1);
  assert.equal(stats.inference_stats.fail.count, 1, 'the dropped request counts as a failure');
});
