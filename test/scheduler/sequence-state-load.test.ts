/**
 * Implicit state as a repository serves it: the initial state from a file under `<model_dir>/initial_state/`, every
 * initial_state that Triton's sequence batcher refuses at load refused with its text (each seen on tritonserver 2.51;
 * a data file outside the model directory is refused with nereid's own), the state let go in the worker when a sequence idles out, and a sequence whose
 * worker died failing with a clear error until it starts again.
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { accumulatorModel } from '../../scripts/onnx/shipped-models.ts';
import { writeModelDir } from '../../scripts/onnx/test-models.ts';
import { InferenceService } from '../../src/core/inference-service.ts';
import type { Parameters } from '../../src/protocol/inference.ts';
import type { LoadedVersion } from '../../src/repository/version-loader.ts';
import type { ModelRepository } from '../../src/repository/model-repository.ts';
import type { SequenceBatcher } from '../../src/scheduler/sequence-batcher.ts';
import { loadRepository, statusesOf } from '../support/repository.ts';
import { tempDir } from '../support/temp-dir.ts';
import { fp32Input, readFp32 } from '../support/tensors.ts';
import { until } from '../support/wait.ts';

/** The shipped accumulator: OUTPUT = STATE_OUT = STATE_IN + INPUT, [batch, 1]. */
const ACCUMULATOR = accumulatorModel();

/** The accumulator's config with `initial` as the state's initial_state list and `extra` in sequence_batching. */
function config(initial: string, extra = '', stateDims = '[ 1 ]'): string {
  return `backend: "onnxruntime"
max_batch_size: 4
input [ { name: "INPUT" data_type: TYPE_FP32 dims: [ 1 ] } ]
output [ { name: "OUTPUT" data_type: TYPE_FP32 dims: [ 1 ] } ]
instance_group [ { count: 1 kind: KIND_CPU } ]
sequence_batching {
  ${extra}
  state [ { input_name: "STATE_IN" output_name: "STATE_OUT" data_type: TYPE_FP32 dims: ${stateDims}
            initial_state [ ${initial} ] } ]
}`;
}

const fp32File = (values: number[]): Uint8Array => new Uint8Array(Float32Array.from(values).buffer);

/** Models whose initial_state Triton refuses, with the reason each must fail with. */
const REFUSED: { model: string; config: string; reason: string | RegExp; files?: Record<string, Uint8Array> }[] = [
  {
    model: 'bad_type',
    config: config('{ data_type: TYPE_INT32 dims: [ 1 ] zero_data: true name: "z" }'),
    reason: "The data type used for 'initial_state' field of state 'STATE_IN' does not match the state data type.",
  },
  {
    model: 'bad_no_name',
    config: config('{ data_type: TYPE_FP32 dims: [ 1 ] zero_data: true }'),
    reason: "Field 'name' must be set when using initial_state for state input 'STATE_IN'.",
  },
  {
    model: 'bad_two_initial',
    config: config('{ data_type: TYPE_FP32 dims: [ 1 ] zero_data: true name: "a" }, { data_type: TYPE_INT32 dims: [ 1 ] zero_data: true name: "b" }'),
    reason: "initial_state field for state input 'STATE_IN' must contain exactly one or zero element. Found '2' elements.",
  },
  {
    model: 'bad_rank',
    config: config('{ data_type: TYPE_FP32 dims: [ 1, 1 ] zero_data: true name: "z" }'),
    reason: "Number of dimensions in 'initial_state' doesn't match the size of 'state' dimensions for state input 'STATE_IN'. 2 != 1",
  },
  {
    model: 'bad_variable',
    config: config('{ data_type: TYPE_FP32 dims: [ -1 ] zero_data: true name: "z" }', '', '[ -1 ]'),
    reason: "'initial_state' field for state input name 'STATE_IN' contains variable dimensions.",
  },
  {
    model: 'bad_dim',
    config: config('{ data_type: TYPE_FP32 dims: [ 2 ] zero_data: true name: "z" }'),
    reason: "'initial_state' dim for input name 'STATE_IN' doesn't match 'state' dim description. 2 != 1",
  },
  {
    model: 'bad_no_data',
    config: config('{ data_type: TYPE_FP32 dims: [ 1 ] name: "z" }'),
    reason: "initial_state setting expects state'STATE_IN' to have state_data set",
  },
  {
    model: 'bad_short_file',
    config: config('{ data_type: TYPE_FP32 dims: [ 1 ] data_file: "two_bytes" name: "z" }'),
    files: { two_bytes: new Uint8Array(2) },
    reason: 'initial_state setting expects 4 bytes, but the data provided from two_bytesonly has 2 bytes.',
  },
  {
    model: 'bad_missing_file',
    config: config('{ data_type: TYPE_FP32 dims: [ 1 ] data_file: "absent" name: "z" }'),
    reason: /^Internal: failed to open text file for read .*bad_missing_file\/initial_state\/absent: No such file or directory$/,
  },
  {
    model: 'bad_outside',
    config: config('{ data_type: TYPE_FP32 dims: [ 1 ] data_file: "../../bad_type/config.pbtxt" name: "z" }'),
    reason: "initial state data file path '../../bad_type/config.pbtxt' for state input 'STATE_IN' in model 'bad_outside' is outside model directory",
  },
];

let repository: ModelRepository;
let service: InferenceService;

before(async () => {
  const repo = tempDir();
  const fromFile = writeModelDir(repo, 'from_file', ACCUMULATOR, { config: config('{ data_type: TYPE_FP32 dims: [ 1 ] data_file: "start.bin" name: "s" }') });
  mkdirSync(path.join(fromFile, 'initial_state'));
  writeFileSync(path.join(fromFile, 'initial_state', 'start.bin'), fp32File([100]));
  writeModelDir(repo, 'idle', ACCUMULATOR, { config: config('{ data_type: TYPE_FP32 dims: [ 1 ] zero_data: true name: "z" }', 'max_sequence_idle_microseconds: 1000') });
  writeModelDir(repo, 'crash', ACCUMULATOR, { config: config('{ data_type: TYPE_FP32 dims: [ 1 ] zero_data: true name: "z" }') });
  for (const bad of REFUSED) {
    const modelDir = writeModelDir(repo, bad.model, ACCUMULATOR, { config: bad.config });
    mkdirSync(path.join(modelDir, 'initial_state'));
    for (const [name, bytes] of Object.entries(bad.files ?? {})) writeFileSync(path.join(modelDir, 'initial_state', name), bytes);
  }
  repository = await loadRepository([repo]);
  service = new InferenceService(repository);
});

async function step(model: string, value: number, parameters: Parameters): Promise<number> {
  const response = await service.infer(model, undefined, { inputs: [fp32Input('INPUT', [1, 1], [value])], parameters });
  return readFp32(response.outputs[0]!)[0]!;
}

const instanceOf = (model: string): LoadedVersion['instances'][number] => (repository.resolve(model) as LoadedVersion).instances[0]!;

describe('implicit state in a served model', () => {
  it('starts a sequence from the initial state file under <model_dir>/initial_state/', async () => {
    assert.equal(await step('from_file', 1, { sequence_id: 1, sequence_start: true }), 101);
    assert.equal(await step('from_file', 2, { sequence_id: 1, sequence_end: true }), 103);
  });

  it("refuses at load every initial_state Triton's sequence batcher refuses, with its text", () => {
    for (const bad of REFUSED) {
      const [status] = statusesOf(repository, bad.model);
      assert.equal(status?.state, 'UNAVAILABLE', bad.model);
      // The index reason is the status as Triton prints it: its code's name, then the text.
      if (typeof bad.reason === 'string') assert.equal(status.reason, `Invalid argument: ${bad.reason}`, bad.model);
      else assert.match(status.reason, bad.reason, bad.model);
    }
  });

  it('lets the worker drop the state of a sequence that idles out', async () => {
    const instance = instanceOf('idle');
    assert.equal(await step('idle', 5, { sequence_id: 9, sequence_start: true }), 5);
    assert.equal(await instance.releaseStates([]), 1, 'the worker holds the live sequence');
    await until(() => (repository.resolve('idle').scheduler as SequenceBatcher).liveSequences === 0);
    assert.equal(await instance.releaseStates([]), 0, 'and let it go when it idled out');
  });

  it('fails a sequence whose worker died with a clear error, until it starts again', async () => {
    const instance = instanceOf('crash');
    assert.equal(await step('crash', 1, { sequence_id: 4, sequence_start: true }), 1);
    await instance.killWorker();
    await until(() => statusesOf(repository, 'crash')[0]?.state === 'READY');
    await assert.rejects(step('crash', 1, { sequence_id: 4 }), (error: Error & { code?: string }) => {
      assert.equal(error.code, 'INTERNAL');
      assert.match(error.message, /^the implicit state of the sequence is no longer held by its model instance/);
      return true;
    });
    assert.equal(await step('crash', 7, { sequence_id: 4, sequence_start: true }), 7);
    assert.equal(await step('crash', 1, { sequence_id: 4, sequence_end: true }), 8);
  });
});
