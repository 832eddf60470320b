import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { addModel, writeModelDir } from '../../scripts/onnx/test-models.ts';
import type { ModelConfig } from '../../src/config/model-config.ts';
import { configObjectFromMessage, ModelConfigType } from '../../src/config/model-config-schema.ts';
import { executionChannel, requestChannel, type ExecutionEvent, type RequestEvent } from '../../src/core/inference-events.ts';
import { buildModelPlan, type ModelPlan } from '../../src/core/model-plan.ts';
import type { WireTensor } from '../../src/protocol/wire-tensor.ts';
import { ModelInstance } from '../../src/instance/model-instance.ts';
import { InstancePool } from '../../src/instance/instance-pool.ts';
import { decodeBytesElements, encodeBytesElements } from '../../src/protocol/bytes-codec.ts';
import { type ErrorCode, ServerError } from '../../src/protocol/errors.ts';
import { runWarmup } from '../../src/repository/warmup.ts';
import { tempDir } from '../support/temp-dir.ts';

const repo = tempDir();
/** INPUT0, INPUT1 FP32 [batch, 4] → OUTPUT0 = INPUT0 + INPUT1. */
const addDir = writeModelDir(repo, 'add', addModel());
/** X, Y FP32 [4] (no batch dimension) → OUTPUT0 = X + Y. */
const fixedDir = writeModelDir(
  repo,
  'fixed',
  addModel({
    inputs: [
      { name: 'X', type: 'float', shape: [4] },
      { name: 'Y', type: 'float', shape: [4] },
    ],
  }),
);
/** TEXT STRING [batch, 2] → OUTPUT0 = TEXT. */
const textDir = writeModelDir(repo, 'text', addModel({ inputs: [{ name: 'TEXT', type: 'string', shape: ['batch', 2] }] }));

/** What one execution on an instance received, and what it produced. */
interface Run {
  readonly inputs: { name: string; shape: number[]; data: Uint8Array }[];
  readonly outputNames: readonly string[];
  outputs?: readonly WireTensor[];
}

const runs = new Map<ModelInstance, Run[]>();
const pool = new InstancePool({ workersPerDevice: 2 });
const started: ModelInstance[] = [];

/** Starts an instance and records every execution it is given (copying the inputs before they are transferred). */
async function startInstance(modelDir: string, name: string): Promise<ModelInstance> {
  const instance = new ModelInstance(
    { name, kind: 'KIND_CPU', deviceId: 0 },
    `'${path.basename(modelDir)}' version 1`,
    path.join(modelDir, '1', 'model.onnx'),
    { session: { intraOpNumThreads: 1 } },
    pool,
  );
  await instance.start();
  started.push(instance);
  runs.set(instance, []);
  const run = instance.run.bind(instance);
  instance.run = async (packed, outputNames) => {
    const record: Run = {
      inputs: packed.tensors.map((t) => ({ name: t.name, shape: [...t.shape], data: t.data.slice() })),
      outputNames: [...outputNames],
    };
    runs.get(instance)!.push(record);
    const result = await run(packed, outputNames);
    record.outputs = result.outputs;
    return result;
  };
  return instance;
}

function config(partial: Record<string, unknown>): ModelConfig {
  return configObjectFromMessage(ModelConfigType.fromObject(partial)) as unknown as ModelConfig;
}

const fp32 = (name: string, dims: number[], extra: Record<string, unknown> = {}): Record<string, unknown> => ({ name, data_type: 'TYPE_FP32', dims, ...extra });

/** The add model's config (max_batch_size 8) with these warmup samples; `dims` overrides the inputs' dims. */
function addConfig(model_warmup: unknown[], opts: { maxBatchSize?: number; dims?: number[]; reshape?: number[] } = {}): ModelConfig {
  const io = (name: string): Record<string, unknown> =>
    fp32(name, opts.dims ?? [4], opts.reshape === undefined ? {} : { reshape: { shape: opts.reshape } });
  return config({
    name: 'add',
    max_batch_size: opts.maxBatchSize ?? 8,
    input: [io('INPUT0'), io('INPUT1')],
    output: [fp32('OUTPUT0', opts.reshape ?? [4])],
    model_warmup,
  });
}

function sample(name: string, batch_size: number, inputs: Record<string, unknown>, count = 0): Record<string, unknown> {
  return { name, batch_size, inputs, count };
}

const zeros = (dims: number[] = [4]): Record<string, unknown> => ({ data_type: 'TYPE_FP32', dims, zero_data: true });
const random = (dims: number[] = [4]): Record<string, unknown> => ({ data_type: 'TYPE_FP32', dims, random_data: true });
const file = (name: string, dims: number[] = [4], type = 'TYPE_FP32'): Record<string, unknown> => ({ data_type: type, dims, input_data_file: name });

function floats(data: Uint8Array): number[] {
  return Array.from(new Float32Array(data.slice().buffer));
}

function floatBytes(values: number[]): Uint8Array {
  return new Uint8Array(Float32Array.from(values).buffer);
}

function writeWarmupFile(modelDir: string, name: string, bytes: Uint8Array): void {
  mkdirSync(path.join(modelDir, 'warmup'), { recursive: true });
  writeFileSync(path.join(modelDir, 'warmup', name), bytes);
}

async function assertRejects(promise: Promise<unknown>, code: ErrorCode, message: string): Promise<void> {
  await assert.rejects(promise, (e: unknown) => {
    assert.ok(e instanceof ServerError, `expected ServerError, got ${String(e)}`);
    assert.equal(e.message, message);
    assert.equal(e.code, code);
    return true;
  });
}

function totalRuns(): number {
  let n = 0;
  for (const list of runs.values()) n += list.length;
  return n;
}

let add0: ModelInstance;
let add1: ModelInstance;
let fixed0: ModelInstance;
let text0: ModelInstance;
let addPlan: ModelPlan;

before(async () => {
  [add0, add1, fixed0, text0] = await Promise.all([
    startInstance(addDir, 'add_0'),
    startInstance(addDir, 'add_1'),
    startInstance(fixedDir, 'fixed_0'),
    startInstance(textDir, 'text_0'),
  ]);
  addPlan = buildModelPlan(addConfig([]), 1);
});

beforeEach(() => {
  for (const list of runs.values()) list.length = 0;
});

after(async () => {
  await Promise.all(started.map((instance) => instance.stop()));
});

/** Warms the add model on both of its instances. */
function warmAdd(cfg: ModelConfig): Promise<void> {
  return runWarmup(cfg, buildModelPlan(cfg, 1), addDir, [add0, add1]);
}

describe('model warmup: data and execution', () => {
  it('runs a zero_data sample on every instance as one execution of batch_size requests, asking for every output', async () => {
    await warmAdd(addConfig([sample('zeros', 3, { INPUT0: zeros(), INPUT1: zeros() })]));
    for (const instance of [add0, add1]) {
      const list = runs.get(instance)!;
      assert.equal(list.length, 1, `${instance.name} ran once`);
      const run = list[0]!;
      assert.deepEqual(run.inputs.map((t) => [t.name, t.shape]), [['INPUT0', [3, 4]], ['INPUT1', [3, 4]]]);
      for (const t of run.inputs) assert.deepEqual(floats(t.data), new Array(12).fill(0));
      assert.deepEqual(run.outputNames, ['OUTPUT0']);
      assert.deepEqual(run.outputs!.map((o) => [o.name, o.shape]), [['OUTPUT0', [3, 4]]]);
    }
  });

  it('fills random_data with random bytes on every instance', async () => {
    await warmAdd(addConfig([sample('random', 2, { INPUT0: random(), INPUT1: zeros() })]));
    for (const instance of [add0, add1]) {
      const [run] = runs.get(instance)!;
      const [input0, input1] = run!.inputs;
      assert.deepEqual(input0!.shape, [2, 4]);
      assert.equal(input0!.data.byteLength, 32);
      // Both requests of the batch carry the sample's data; 16 random bytes are all zero with probability 2^-128.
      assert.deepEqual(input0!.data.subarray(0, 16), input0!.data.subarray(16));
      assert.ok(input0!.data.some((b) => b !== 0), 'random data is not all zeros');
      assert.ok(input1!.data.every((b) => b === 0));
      // The model really ran on that data: OUTPUT0 = INPUT0 + 0 (bit patterns compared, NaNs included).
      assert.deepEqual(run!.outputs![0]!.data, input0!.data);
    }
  });

  it('reads input_data_file from <model_dir>/warmup in row-major order, using only the bytes it needs', async () => {
    writeWarmupFile(addDir, 'in0.bin', floatBytes([1, 2, 3, 4, 99])); // longer than needed: the tail is unused
    writeWarmupFile(addDir, 'in1.bin', floatBytes([10, 20, 30, 40]));
    await warmAdd(addConfig([sample('file', 2, { INPUT0: file('in0.bin'), INPUT1: file('in1.bin') })]));
    for (const instance of [add0, add1]) {
      const [run] = runs.get(instance)!;
      assert.deepEqual(floats(run!.inputs[0]!.data), [1, 2, 3, 4, 1, 2, 3, 4]);
      assert.deepEqual(floats(run!.inputs[1]!.data), [10, 20, 30, 40, 10, 20, 30, 40]);
      assert.deepEqual(floats(run!.outputs![0]!.data), [11, 22, 33, 44, 11, 22, 33, 44]);
    }
  });

  it('skips batch_size 0 samples without checking them, and runs the others in config order', async () => {
    await warmAdd(
      addConfig([
        sample('first', 1, { INPUT0: zeros(), INPUT1: zeros() }),
        sample('skipped', 0, { INPUT0: { data_type: 'TYPE_FP32', dims: [-1] }, BOGUS: { data_type: 'TYPE_FP32', dims: [4] } }),
        sample('second', 2, { INPUT0: zeros(), INPUT1: zeros() }),
      ]),
    );
    for (const instance of [add0, add1]) {
      assert.deepEqual(runs.get(instance)!.map((r) => r.inputs[0]!.shape), [[1, 4], [2, 4]]);
    }
  });

  it('runs a sample count times (count 0 and 1 both mean once)', async () => {
    await warmAdd(
      addConfig([
        sample('three', 1, { INPUT0: zeros(), INPUT1: zeros() }, 3),
        sample('once', 2, { INPUT0: zeros(), INPUT1: zeros() }, 1),
        sample('default', 4, { INPUT0: zeros(), INPUT1: zeros() }, 0),
      ]),
    );
    for (const instance of [add0, add1]) {
      assert.deepEqual(runs.get(instance)!.map((r) => r.inputs[0]!.shape[0]), [1, 1, 1, 2, 4]);
    }
  });

  it('runs a request with the warmup dims when the model does not batch (max_batch_size 0), count times', async () => {
    writeWarmupFile(fixedDir, 'x.bin', floatBytes([1, 2, 3, 4]));
    const cfg = config({
      name: 'fixed',
      max_batch_size: 0,
      input: [fp32('X', [4]), fp32('Y', [4])],
      output: [fp32('OUTPUT0', [4])],
      model_warmup: [sample('alone', 1, { X: file('x.bin'), Y: zeros() }, 3)],
    });
    await runWarmup(cfg, buildModelPlan(cfg, 1), fixedDir, [fixed0]);
    const list = runs.get(fixed0)!;
    assert.equal(list.length, 3);
    for (const run of list) {
      assert.deepEqual(run.inputs.map((t) => t.shape), [[4], [4]]);
      assert.deepEqual(floats(run.outputs![0]!.data), [1, 2, 3, 4]);
    }
  });

  it('fails a sample of several requests when the model does not batch, as tritonserver 2.51 does', async () => {
    const message = "batch size 3 for 'fixed_0', max allowed is 0; ";
    const cfg = config({
      name: 'fixed',
      max_batch_size: 0,
      input: [fp32('X', [4]), fp32('Y', [4])],
      output: [fp32('OUTPUT0', [4])],
      model_warmup: [sample('three', 3, { X: zeros(), Y: zeros() })],
    });
    await assertRejects(
      runWarmup(cfg, buildModelPlan(cfg, 1), fixedDir, [fixed0]),
      'INVALID_ARG',
      `failed to run warmup sample 'three': ${message}${message}${message}`,
    );
    assert.equal(totalRuns(), 0);
  });

  it('gives the model its reshaped shapes, as the inference path does', async () => {
    await warmAdd(addConfig([sample('reshaped', 3, { INPUT0: zeros([2, 2]), INPUT1: zeros([2, 2]) })], { dims: [2, 2], reshape: [4] }));
    for (const instance of [add0, add1]) {
      const [run] = runs.get(instance)!;
      assert.deepEqual(run!.inputs.map((t) => t.shape), [[3, 4], [3, 4]]);
    }
  });

  it('feeds STRING inputs: a file used whole (length-prefixed elements), zero_data and random_data as empty strings', async () => {
    writeWarmupFile(textDir, 'text.bin', encodeBytesElements(['hello', 'wörld']));
    const cfg = config({
      name: 'text',
      max_batch_size: 4,
      input: [{ name: 'TEXT', data_type: 'TYPE_STRING', dims: [2] }],
      output: [{ name: 'OUTPUT0', data_type: 'TYPE_STRING', dims: [2] }],
      model_warmup: [
        sample('file', 2, { TEXT: file('text.bin', [2], 'TYPE_STRING') }),
        sample('zero', 1, { TEXT: { data_type: 'TYPE_STRING', dims: [2], zero_data: true } }),
        sample('random', 1, { TEXT: { data_type: 'TYPE_STRING', dims: [2], random_data: true } }),
      ],
    });
    await runWarmup(cfg, buildModelPlan(cfg, 1), textDir, [text0]);
    const list = runs.get(text0)!;
    assert.equal(list.length, 3);
    const decode = (data: Uint8Array): string[] => decodeBytesElements(data).map((b) => Buffer.from(b).toString('utf8'));
    assert.deepEqual(list[0]!.inputs[0]!.shape, [2, 2]);
    assert.deepEqual(decode(list[0]!.outputs![0]!.data), ['hello', 'wörld', 'hello', 'wörld']);
    for (const run of list.slice(1)) {
      assert.deepEqual(run.inputs[0]!.data, new Uint8Array(8));
      assert.deepEqual(decode(run.outputs![0]!.data), ['', '']);
    }
  });

  it('does nothing without samples or instances', async () => {
    await warmAdd(addConfig([]));
    await runWarmup(addConfig([sample('s', 1, { INPUT0: zeros(), INPUT1: zeros() })]), addPlan, addDir, []);
    assert.equal(totalRuns(), 0);
  });
});

describe('model warmup: failures', () => {
  it('needs a data source for every input', async () => {
    await assertRejects(
      warmAdd(addConfig([sample('s', 1, { INPUT0: zeros(), INPUT1: { data_type: 'TYPE_FP32', dims: [4] } })])),
      'INVALID_ARG',
      "[request id: <id_unknown>] warmup setting expects input 'INPUT1' to have input_data_type set",
    );
    assert.equal(totalRuns(), 0);
  });

  it('needs fully specified dims, checked for every input of a sample before any data', async () => {
    await assertRejects(
      warmAdd(addConfig([sample('s', 1, { INPUT0: { data_type: 'TYPE_FP32', dims: [4] }, INPUT1: zeros([-1]) })])),
      'INVALID_ARG',
      "warmup setting expects all variable-size dimensions are specified for input 'INPUT1'",
    );
  });

  it('checks every sample before running any', async () => {
    await assertRejects(
      warmAdd(addConfig([sample('good', 1, { INPUT0: zeros(), INPUT1: zeros() }), sample('bad', 1, { INPUT0: zeros(), INPUT1: zeros([-1, 4]) })])),
      'INVALID_ARG',
      "warmup setting expects all variable-size dimensions are specified for input 'INPUT1'",
    );
    assert.equal(totalRuns(), 0);
  });

  it('fails a sample that feeds an input the config does not have, once per request of the batch', async () => {
    await assertRejects(
      warmAdd(addConfig([sample('extra', 2, { INPUT0: zeros(), INPUT1: zeros(), BOGUS: zeros() })])),
      'INVALID_ARG',
      "failed to run warmup sample 'extra': Failed to retrieve the ONNX input tensor info from 'BOGUS'.; " +
        "Failed to retrieve the ONNX input tensor info from 'BOGUS'.; ",
    );
    assert.equal(totalRuns(), 0);
  });

  it('validates the warmup request like an inference request (missing input, wrong shape)', async () => {
    await assertRejects(
      warmAdd(addConfig([sample('s', 1, { INPUT0: zeros() })])),
      'INVALID_ARG',
      "[request id: <id_unknown>] expected 2 inputs but got 1 inputs for model 'add'. Got input(s) ['INPUT0'], but " +
        "missing required input(s) ['INPUT1']. Please provide all required input(s).",
    );
    await assertRejects(
      warmAdd(addConfig([sample('s', 1, { INPUT0: zeros([5]), INPUT1: zeros() })])),
      'INVALID_ARG',
      "[request id: <id_unknown>] unexpected shape for input 'INPUT0' for model 'add'. Expected [-1,4], got [1,5]. " +
        'NOTE: Setting a non-zero max_batch_size in the model config requires a batch dimension to be prepended to ' +
        'each input shape. If you want to specify the full shape including the batch dim in your input dims config, ' +
        'try setting max_batch_size to zero. See the model configuration docs for more info on max_batch_size.',
    );
    assert.equal(totalRuns(), 0);
  });

  it('refuses a data file shorter than the tensor, naming both sizes', async () => {
    writeWarmupFile(addDir, 'short.bin', floatBytes([1, 2, 3]));
    await assertRejects(
      warmAdd(addConfig([sample('s', 1, { INPUT0: file('short.bin'), INPUT1: zeros() })])),
      'INVALID_ARG',
      '[request id: <id_unknown>] warmup setting expects 16 bytes, but the data provided from short.binonly has 12 bytes',
    );
  });

  it('refuses a data file missing from <model_dir>/warmup', async () => {
    await assertRejects(
      warmAdd(addConfig([sample('s', 1, { INPUT0: file('absent.bin'), INPUT1: zeros() })])),
      'INTERNAL',
      `failed to open text file for read ${path.join(addDir, 'warmup', 'absent.bin')}: No such file or directory`,
    );
  });

  it('refuses data file paths that leave the model directory (.., absolute, symlink)', async () => {
    writeWarmupFile(addDir, 'ok.bin', floatBytes([1, 2, 3, 4]));
    const outsideFile = path.join(repo, 'secret.bin');
    writeFileSync(outsideFile, floatBytes([1, 2, 3, 4]));
    symlinkSync(outsideFile, path.join(addDir, 'warmup', 'link.bin'));
    for (const name of ['../../secret.bin', outsideFile, 'link.bin']) {
      await assertRejects(
        warmAdd(addConfig([sample('s', 1, { INPUT0: file(name), INPUT1: zeros() })])),
        'UNSUPPORTED',
        `warmup data file path '${name}' for input 'INPUT0' in model 'add' is outside model directory`,
      );
    }
    // Inside the model directory is fine, even through `..` from the warmup folder.
    await warmAdd(addConfig([sample('s', 1, { INPUT0: file('../warmup/ok.bin'), INPUT1: zeros() })]));
    assert.equal(runs.get(add0)!.length, 1);
  });

  it("reports a failed execution as Triton does: one error per request of the batch, after the sample's name", async () => {
    // The config says [-1, 3] but the ONNX model takes [batch, 4]: the request is valid, ONNX Runtime refuses it.
    const cfg = addConfig([sample('bad', 2, { INPUT0: zeros([3]), INPUT1: zeros([3]) })], { dims: [3] });
    await assert.rejects(warmAdd(cfg), (e: unknown) => {
      assert.ok(e instanceof ServerError);
      assert.equal(e.code, 'INVALID_ARG');
      const match = /^failed to run warmup sample 'bad': (onnx runtime error: [^;]+); (.*)$/s.exec(e.message);
      assert.ok(match, e.message);
      assert.equal(match[2], `${match[1]}; `);
      return true;
    });
    assert.equal(runs.get(add0)!.length, 1);
    assert.equal(runs.get(add1)!.length, 1);
  });

  it('stops an instance at its first failing sample', async () => {
    const cfg = addConfig(
      [sample('bad', 1, { INPUT0: zeros([3]), INPUT1: zeros([3]) }, 3), sample('never', 1, { INPUT0: zeros([3]), INPUT1: zeros([3]) })],
      { dims: [3] },
    );
    await assert.rejects(warmAdd(cfg), (e: unknown) => {
      assert.ok(e instanceof ServerError);
      assert.match(e.message, /^failed to run warmup sample 'bad': onnx runtime error: [^;]+; $/);
      return true;
    });
    assert.equal(runs.get(add0)!.length, 1);
    assert.equal(runs.get(add1)!.length, 1);
  });

  it('fails a batch larger than max_batch_size with the backend error, once per request', async () => {
    const message = "batch size 3 for 'add_0', max allowed is 2; ";
    const cfg = addConfig([sample('big', 3, { INPUT0: zeros(), INPUT1: zeros() })], { maxBatchSize: 2 });
    await assertRejects(
      runWarmup(cfg, buildModelPlan(cfg, 1), addDir, [add0]),
      'INVALID_ARG',
      `failed to run warmup sample 'big': ${message}${message}${message}`,
    );
    assert.equal(totalRuns(), 0);
  });
});

describe('model warmup: statistics', () => {
  /** Records the request and execution events published while `work` runs. */
  async function recordEvents(work: () => Promise<void>): Promise<{ requests: RequestEvent[]; executions: ExecutionEvent[] }> {
    const requests: RequestEvent[] = [];
    const executions: ExecutionEvent[] = [];
    const onRequest = (m: unknown): void => void requests.push({ ...(m as RequestEvent) });
    const onExecution = (m: unknown): void => void executions.push({ ...(m as ExecutionEvent) });
    requestChannel.subscribe(onRequest);
    executionChannel.subscribe(onExecution);
    try {
      await work().catch(() => undefined);
    } finally {
      requestChannel.unsubscribe(onRequest);
      executionChannel.unsubscribe(onExecution);
    }
    return { requests, executions };
  }

  it('counts each iteration on each instance as one execution of batch_size requests, as tritonserver 2.51 does', async () => {
    const cfg = addConfig([sample('zeros', 2, { INPUT0: zeros(), INPUT1: zeros() }, 3)]);
    const plan = buildModelPlan(cfg, 1);
    const { requests, executions } = await recordEvents(() => runWarmup(cfg, plan, addDir, [add0, add1]));
    assert.equal(executions.length, 6, '3 iterations on each of 2 instances');
    for (const e of executions) {
      assert.equal(e.plan, plan);
      assert.deepEqual([e.batchSize, e.requestCount], [2, 2]);
      assert.ok(e.computeInferNs > 0);
    }
    assert.equal(requests.length, 12);
    for (const r of requests) {
      assert.equal(r.plan, plan);
      assert.equal(r.ok, true);
      assert.equal(r.queueNs, 0);
      assert.ok(r.durationNs >= r.computeInferNs && r.computeInferNs > 0);
    }
  });

  it('counts nothing when the warmup fails, even what succeeded before the failure', async () => {
    const failing = addConfig([
      sample('fine', 1, { INPUT0: zeros(), INPUT1: zeros() }),
      sample('too big', 9, { INPUT0: zeros(), INPUT1: zeros() }),
    ]);
    const failingPlan = buildModelPlan(failing, 1);
    const { requests, executions } = await recordEvents(() => runWarmup(failing, failingPlan, addDir, [add0]));
    assert.equal(runs.get(add0)!.length, 1, 'the first sample ran before the second failed');
    assert.deepEqual([requests.length, executions.length], [0, 0]);
  });
});
