/**
 * ModelStreamInfer answers in request order, as tritonserver 2.51 does for non-decoupled models: a response that is
 * ready early (a fast request, or an error found while validating) waits behind the earlier requests' responses.
 * Order comes from the batcher, not from timing: `held` keeps its first request queued until its preferred batch of 4
 * fills, which only the requests sent after the fast or invalid one can do.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import { after, before, describe, it } from 'node:test';
import { writeModelDir } from '../../scripts/onnx/test-models.ts';
import { inferenceServiceDefinition } from '../../src/transport/grpc/grpc-protos.ts';
import { startGrpcTestServer } from '../support/grpc-server.ts';
import { tempDir } from '../support/temp-dir.ts';
import { range } from '../support/tensors.ts';

const SHIPPED = fileURLToPath(new URL('../../model_repository', import.meta.url));
const HELD_CONFIG = `${readFileSync(`${SHIPPED}/add_sub/config.pbtxt`, 'utf8').replace(/^name: .*$/m, '')}
dynamic_batching { preferred_batch_size: [ 4 ] max_queue_delay_microseconds: 60000000 }`;

let client: grpc.Client & Record<string, (...args: unknown[]) => unknown>;

before(async () => {
  const repo = tempDir();
  writeModelDir(repo, 'held', readFileSync(`${SHIPPED}/add_sub/1/model.onnx`), { config: HELD_CONFIG });
  const server = await startGrpcTestServer({ repositories: [SHIPPED, repo] });
  const Client = grpc.makeClientConstructor(inferenceServiceDefinition, 'GRPCInferenceService');
  client = new Client(server.hostPort, grpc.credentials.createInsecure()) as typeof client;
});
after(() => client.close());

function request(model: string, id: string) {
  const f32 = (values: number[]) => Buffer.from(Float32Array.from(values).buffer);
  return {
    model_name: model, id,
    inputs: ['INPUT0', 'INPUT1'].map((name) => ({ name, datatype: 'FP32', shape: [1, 16] })),
    raw_input_contents: [f32(range(16)), f32(range(16, () => 1))],
  };
}

/** Writes `requests` on one stream, half-closes, and resolves with [id, error_message] per response and the status. */
async function stream(requests: object[]): Promise<{ answers: [string, string][]; status: grpc.StatusObject }> {
  const call = (client.ModelStreamInfer as () => grpc.ClientDuplexStream<object, any>).call(client);
  const answers: [string, string][] = [];
  call.on('data', (r) => answers.push([r.infer_response.id, r.error_message]));
  const status = once(call, 'status') as Promise<[grpc.StatusObject]>;
  for (const r of requests) call.write(r);
  call.end();
  const [result] = await status;
  return { answers, status: result };
}

describe('ModelStreamInfer answers in request order', () => {
  it('an invalid request\'s error waits behind the earlier request\'s response', async () => {
    const { answers, status } = await stream([
      request('held', 'h0'), request('nope', 'bad'), request('held', 'h1'), request('held', 'h2'), request('held', 'h3'),
    ]);
    assert.equal(status.code, grpc.status.OK, status.details);
    assert.deepEqual(answers, [
      ['h0', ''], ['bad', "Request for unknown model: 'nope' is not found"], ['h1', ''], ['h2', ''], ['h3', ''],
    ]);
  });

  it('a fast success waits behind a slower earlier one', async () => {
    const { answers, status } = await stream([
      request('held', 'h0'), request('add_sub', 'fast'), request('held', 'h1'), request('held', 'h2'), request('held', 'h3'),
    ]);
    assert.equal(status.code, grpc.status.OK, status.details);
    assert.deepEqual(answers.map(([id, error]) => `${id}${error}`), ['h0', 'fast', 'h1', 'h2', 'h3']);
  });
});
