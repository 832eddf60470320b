/**
 * Ensembles on real ONNX Runtime sessions: steps run as a data flow through each composing model's own scheduler
 * (independent steps at once, so a batching model batches them; a batching step batches across ensemble requests),
 * results equal to running the steps by hand, unneeded steps pruned, step failures reported `in ensemble '<name>'`,
 * Triton's checks of an ensemble against its composing models at load, ensembles of ensembles, and explicit mode
 * loading composing models with the ensemble and unloading them with unload_dependents.
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { buildOnnxModel } from '../../scripts/onnx/builder.ts';
import { addSubModel } from '../../scripts/onnx/shipped-models.ts';
import { writeModelDir } from '../../scripts/onnx/test-models.ts';
import { InferenceService } from '../../src/core/inference-service.ts';
import type { InferRequest, InferResponse, OutputTensor } from '../../src/protocol/inference.ts';
import { StatisticsStore } from '../../src/observe/statistics.ts';
import { ModelRepository } from '../../src/repository/model-repository.ts';
import { loadRepository, statusesOf } from '../support/repository.ts';
import { tempDir } from '../support/temp-dir.ts';
import { fp32Input, readFp32 } from '../support/tensors.ts';

/** Y = X · 2, FP32 [batch, 16]. */
function doubleModel(): Uint8Array {
  return buildOnnxModel({
    name: 'double',
    inputs: [{ name: 'X', type: 'float', shape: ['batch', 16] }],
    outputs: [{ name: 'Y', type: 'float', shape: ['batch', 16] }],
    initializers: [{ name: 'TWO', type: 'float', dims: [1], values: new Float32Array([2]) }],
    nodes: [{ op: 'Mul', inputs: ['X', 'TWO'], outputs: ['Y'] }],
  });
}

const io = (kind: 'input' | 'output', tensors: [string, string?, string?][]): string =>
  `${kind} [ ${tensors.map(([name, type = 'TYPE_FP32', dims = '[ 16 ]']) => `{ name: "${name}" data_type: ${type} dims: ${dims} }`).join(', ')} ]\n`;

const ADD_SUB = 'backend: "onnxruntime"\nmax_batch_size: 8\n' + io('input', [['INPUT0'], ['INPUT1']]) + io('output', [['OUTPUT0'], ['OUTPUT1']]) +
  'instance_group [ { count: 1 kind: KIND_CPU } ]\n';
const DOUBLE = 'backend: "onnxruntime"\nmax_batch_size: 8\n' + io('input', [['X']]) + io('output', [['Y']]) +
  'instance_group [ { count: 1 kind: KIND_CPU } ]\n';
/** Batches of exactly 2: a lone request would wait a minute, so a test that finishes proves its requests met. */
const DOUBLE_PAIRS = DOUBLE + 'dynamic_batching { preferred_batch_size: [ 2 ] max_queue_delay_microseconds: 60000000 }\n';

interface Step {
  model: string;
  inputs: Record<string, string>;
  outputs: Record<string, string>;
  version?: number;
}

function ensembleConfig(name: string, inputs: string[], outputs: string[], steps: Step[], extra = 'max_batch_size: 8\n'): string {
  const maps = (kind: string, map: Record<string, string>): string =>
    Object.entries(map).map(([key, value]) => `${kind} { key: "${key}" value: "${value}" }`).join(' ');
  return `name: "${name}"\nplatform: "ensemble"\n${extra}` + io('input', inputs.map((n) => [n])) + io('output', outputs.map((n) => [n])) +
    `ensemble_scheduling { step [ ${steps.map((s) =>
      `{ model_name: "${s.model}" model_version: ${s.version ?? -1} ${maps('input_map', s.inputs)} ${maps('output_map', s.outputs)} }`).join(', ')} ] }\n`;
}

function writeEnsemble(repo: string, name: string, config: string): void {
  mkdirSync(join(repo, name, '1'), { recursive: true });
  writeFileSync(join(repo, name, 'config.pbtxt'), config);
}

const A = Array.from({ length: 16 }, (_, i) => i);
const B = Array.from({ length: 16 }, (_, i) => 100 - i * 3);

function inputs(names: [string, string], a = A, b = B): InferRequest['inputs'] {
  return [fp32Input(names[0], [1, 16], a), fp32Input(names[1], [1, 16], b)];
}

function valuesOf(response: InferResponse): Record<string, number[]> {
  return Object.fromEntries(response.outputs.map((o: OutputTensor) => [o.name, readFp32(o)]));
}

/** pipeline: add_sub(IN0, IN1) → SUM, DIFF; then double_pairs(SUM) and double_pairs(DIFF), independent of each other. */
const PIPELINE = ensembleConfig('pipeline', ['IN0', 'IN1'], ['SUM2', 'DIFF2'], [
  { model: 'add_sub', inputs: { INPUT0: 'IN0', INPUT1: 'IN1' }, outputs: { OUTPUT0: 'SUM', OUTPUT1: 'DIFF' } },
  { model: 'double_pairs', inputs: { X: 'SUM' }, outputs: { Y: 'SUM2' } },
  { model: 'double_pairs', inputs: { X: 'DIFF' }, outputs: { Y: 'DIFF2' } },
]);

/** chain: add_sub → DIFF (an output) and SUM → double → SUM2. */
const CHAIN = ensembleConfig('chain', ['IN0', 'IN1'], ['SUM2', 'DIFF'], [
  { model: 'add_sub', inputs: { INPUT0: 'IN0', INPUT1: 'IN1' }, outputs: { OUTPUT0: 'SUM', OUTPUT1: 'DIFF' } },
  { model: 'double', inputs: { X: 'SUM' }, outputs: { Y: 'SUM2' } },
]);

describe('ensembles', () => {
  let repository: ModelRepository;
  let service: InferenceService;
  let statistics: StatisticsStore;
  const counts = (model: string): { inferences: number; executions: number } => {
    const [entry] = statistics.modelStatistics(repository, model);
    return { inferences: entry!.inference_count, executions: entry!.execution_count };
  };

  before(async () => {
    statistics = new StatisticsStore();
    const repo = tempDir();
    writeModelDir(repo, 'add_sub', addSubModel(), { config: ADD_SUB });
    writeModelDir(repo, 'double', doubleModel(), { config: DOUBLE });
    writeModelDir(repo, 'double_pairs', doubleModel(), { config: DOUBLE_PAIRS });
    writeEnsemble(repo, 'pipeline', PIPELINE);
    writeEnsemble(repo, 'chain', CHAIN);
    // An ensemble of an ensemble: named to sort before the ensemble it uses, so load order is not the scan's.
    writeEnsemble(repo, 'a_outer', ensembleConfig('a_outer', ['X0', 'X1'], ['OUT'], [
      { model: 'chain', inputs: { IN0: 'X0', IN1: 'X1' }, outputs: { SUM2: 'S2', DIFF: 'D' } },
      { model: 'add_sub', inputs: { INPUT0: 'S2', INPUT1: 'D' }, outputs: { OUTPUT0: 'OUT' } },
    ]));
    writeEnsemble(repo, 'shapes', ensembleConfig('shapes', ['IN0', 'IN1'], ['SUM'], [
      { model: 'add_sub', inputs: { INPUT0: 'IN0', INPUT1: 'IN1' }, outputs: { OUTPUT0: 'SUM' } },
    ]).replace(/dims: \[ 16 \]/g, 'dims: [ -1 ]'));
    repository = await loadRepository([repo]);
    service = new InferenceService(repository);
  });
  after(() => statistics.close());

  it('loads every ensemble after the models it uses, an ensemble of an ensemble included', () => {
    for (const name of ['a_outer', 'chain', 'pipeline', 'shapes']) assert.deepEqual(statusesOf(repository, name), [{ name, version: 1, state: 'READY', reason: '' }]);
  });

  it('answers as its steps run by hand, and runs independent steps at once (a batching model pairs them)', async () => {
    const before = counts('double_pairs');
    const response = await service.infer('pipeline', undefined, { id: 'p1', inputs: inputs(['IN0', 'IN1']) });
    assert.equal(response.modelName, 'pipeline');
    assert.equal(response.modelVersion, '1');
    assert.equal(response.id, 'p1');
    // Triton's order (its map of the ensemble's outputs), not the config's.
    assert.deepEqual(response.outputs.map((o) => [o.name, o.datatype, o.shape]), [['DIFF2', 'FP32', [1, 16]], ['SUM2', 'FP32', [1, 16]]]);

    const byHand = valuesOf(await service.infer('add_sub', undefined, { inputs: inputs(['INPUT0', 'INPUT1']) }));
    const [sum2, diff2] = await Promise.all([byHand.OUTPUT0!, byHand.OUTPUT1!].map((x) =>
      service.infer('double_pairs', undefined, { inputs: [fp32Input('X', [1, 16], x)] })));
    assert.deepEqual(valuesOf(response), { SUM2: readFp32(sum2!.outputs[0]!), DIFF2: readFp32(diff2!.outputs[0]!) });
    assert.deepEqual(valuesOf(response).SUM2, A.map((a, i) => 2 * (a + B[i]!)));
    // The two branch steps met in the batcher: one execution of 2 (the by-hand pair made the other).
    assert.deepEqual(counts('double_pairs'), { inferences: before.inferences + 4, executions: before.executions + 2 });
  });

  it('batches one step across ensemble requests through the composing model\'s scheduler', async () => {
    const before = counts('double_pairs');
    const responses = await Promise.all([1, 2].map((k) => service.infer('pipeline', undefined, { inputs: inputs(['IN0', 'IN1'], A.map((a) => a * k)) })));
    assert.equal(responses.length, 2);
    assert.equal(counts('double_pairs').inferences, before.inferences + 4);
  });

  it('runs only the steps that the requested outputs need', async () => {
    const before = { addSub: counts('add_sub'), double: counts('double') };
    const onlyDiff = await service.infer('chain', undefined, { inputs: inputs(['IN0', 'IN1']), outputs: [{ name: 'DIFF' }] });
    assert.deepEqual(onlyDiff.outputs.map((o) => o.name), ['DIFF']);
    assert.deepEqual(readFp32(onlyDiff.outputs[0]!), A.map((a, i) => a - B[i]!));
    assert.equal(counts('add_sub').inferences, before.addSub.inferences + 1);
    assert.equal(counts('double').inferences, before.double.inferences);

    const both = await service.infer('chain', undefined, { inputs: inputs(['IN0', 'IN1']) });
    assert.deepEqual(valuesOf(both), { SUM2: A.map((a, i) => 2 * (a + B[i]!)), DIFF: A.map((a, i) => a - B[i]!) });
    assert.equal(counts('double').inferences, before.double.inferences + 1);
  });

  it('runs an ensemble of an ensemble', async () => {
    const response = await service.infer('a_outer', undefined, { inputs: inputs(['X0', 'X1']) });
    assert.deepEqual(valuesOf(response), { OUT: A.map((a, i) => 2 * (a + B[i]!) + (a - B[i]!)) });
  });

  it('fails a request whose step fails with the step\'s code and text, prefixed "in ensemble"', async () => {
    // shapes accepts any length; add_sub wants 16 values per row, so its own validation refuses 8.
    const short = Array.from({ length: 8 }, () => 1);
    const [before] = statistics.modelStatistics(repository, 'shapes');
    await assert.rejects(
      service.infer('shapes', undefined, { inputs: [fp32Input('IN0', [1, 8], short), fp32Input('IN1', [1, 8], short)] }),
      (error: Error & { code?: string }) => {
        assert.equal(error.code, 'INVALID_ARG');
        assert.match(error.message, /^in ensemble 'shapes', .*unexpected shape for input 'INPUT[01]' for model 'add_sub'\. Expected \[-1,16\], got \[1,8\]/);
        return true;
      },
    );
    // Triton 2.51 counts a failed ensemble request twice.
    const [after] = statistics.modelStatistics(repository, 'shapes');
    assert.equal(after!.inference_stats.fail.count - before!.inference_stats.fail.count, 2);
    assert.equal(after!.inference_stats.success.count, before!.inference_stats.success.count);
    const fine = await service.infer('shapes', undefined, { inputs: inputs(['IN0', 'IN1']) });
    assert.deepEqual(valuesOf(fine), { SUM: A.map((a, i) => a + B[i]!) });
  });
});

describe('ensemble checks against the composing models at load', () => {
  const cases: [string, string, string][] = [
    ['unknown input', ensembleConfig('e', ['I0', 'I1'], ['S'], [{ model: 'add_sub', inputs: { INPUT0: 'I0', INPUT1: 'I1', NOPE: 'I1' }, outputs: { OUTPUT0: 'S' } }]),
      'Invalid argument: in ensemble e, ensemble tensor I1 is mapping to non-existing input NOPE in model add_sub'],
    ['unmapped input', ensembleConfig('e', ['I0'], ['S'], [{ model: 'add_sub', inputs: { INPUT0: 'I0' }, outputs: { OUTPUT0: 'S' } }]),
      'Invalid argument: in ensemble e, input INPUT1 in model add_sub is not mapped to any ensemble tensors'],
    ['unknown output', ensembleConfig('e', ['I0', 'I1'], ['S'], [{ model: 'add_sub', inputs: { INPUT0: 'I0', INPUT1: 'I1' }, outputs: { OUTPUT9: 'S' } }]),
      'Invalid argument: in ensemble e, ensemble tensor S is mapped from non-existing output OUTPUT9 in model add_sub'],
    ['data type', ensembleConfig('e', ['I0', 'I1'], ['S'], [{ model: 'add_sub', inputs: { INPUT0: 'I0', INPUT1: 'I1' }, outputs: { OUTPUT0: 'S' } }])
      .replace('name: "I0" data_type: TYPE_FP32', 'name: "I0" data_type: TYPE_INT32'),
      'Invalid argument: in ensemble e, ensemble tensor I0: inconsistent data type: TYPE_INT32 is inferred from model e while TYPE_FP32 is inferred from model add_sub'],
    ['shape', ensembleConfig('e', ['I0', 'I1'], ['S'], [{ model: 'add_sub', inputs: { INPUT0: 'I0', INPUT1: 'I1' }, outputs: { OUTPUT0: 'S' } }])
      .replace('name: "I0" data_type: TYPE_FP32 dims: [ 16 ]', 'name: "I0" data_type: TYPE_FP32 dims: [ 8 ]'),
      'Invalid argument: in ensemble e, ensemble tensor I0: inconsistent shape: [-1,8] is inferred from model e while [-1,16] is inferred from model add_sub'],
    ['batch size', ensembleConfig('e', ['I0', 'I1'], ['S'], [{ model: 'add_sub', inputs: { INPUT0: 'I0', INPUT1: 'I1' }, outputs: { OUTPUT0: 'S' } }], 'max_batch_size: 16\n'),
      'Invalid argument: ensemble e allows maximum batch size 16, but it contains model add_sub which only allows maximum batch size to be 8'],
  ];
  let repository: ModelRepository;

  before(async () => {
    const repo = tempDir();
    writeModelDir(repo, 'add_sub', addSubModel(), { config: ADD_SUB });
    cases.forEach(([, config], i) => writeEnsemble(repo, `e${i}`, config.replace('name: "e"', `name: "e${i}"`)));
    repository = await loadRepository([repo]);
  });

  for (const [what, , reason] of cases) {
    it(`refuses a mismatch of ${what} with Triton's text`, () => {
      const i = cases.findIndex(([w]) => w === what);
      assert.deepEqual(statusesOf(repository, `e${i}`), [{ name: `e${i}`, version: 1, state: 'UNAVAILABLE', reason: reason.replaceAll(' e,', ` e${i},`).replaceAll('model e ', `model e${i} `).replace('ensemble e ', `ensemble e${i} `) }]);
    });
  }
});

describe('ensembles whose composing models are not ready', () => {
  let repository: ModelRepository;

  before(async () => {
    const repo = tempDir();
    writeModelDir(repo, 'add_sub', addSubModel(), { config: ADD_SUB });
    writeModelDir(repo, 'broken', addSubModel(), { config: ADD_SUB.replace('max_batch_size: 8', 'max_batch_size: -1') });
    const oneStep = (name: string, model: string, version = -1): string => ensembleConfig(name, ['I0', 'I1'], ['S'], [
      { model, version, inputs: { INPUT0: 'I0', INPUT1: 'I1' }, outputs: { OUTPUT0: 'S' } },
    ]);
    writeEnsemble(repo, 'missing', oneStep('missing', 'nosuch'));
    writeEnsemble(repo, 'over_broken', oneStep('over_broken', 'broken'));
    writeEnsemble(repo, 'version5', oneStep('version5', 'add_sub', 5));
    writeEnsemble(repo, 'cyc_a', ensembleConfig('cyc_a', ['I0', 'I1'], ['S'], [{ model: 'cyc_b', inputs: { I0: 'I0', I1: 'I1' }, outputs: { S: 'S' } }]));
    writeEnsemble(repo, 'cyc_b', ensembleConfig('cyc_b', ['I0', 'I1'], ['S'], [{ model: 'cyc_a', inputs: { I0: 'I0', I1: 'I1' }, outputs: { S: 'S' } }]));
    repository = await loadRepository([repo]);
  });

  const reasons: [string, string][] = [
    ['missing', 'Invalid argument: ensemble missing contains models that are not available or ambiguous: nosuch'],
    ['over_broken', "Invalid argument: ensemble 'over_broken' depends on 'broken' which has no loaded version. Model 'broken' loading failed with " +
      "error: version 1 is at UNAVAILABLE state: Invalid argument: 'max_batch_size' must be non-negative value for broken;"],
    ['version5', "Invalid argument: ensemble 'version5' depends on 'add_sub' whose required version 5 is not loaded."],
    ['cyc_a', 'Invalid argument: circular dependency between ensembles: cyc_a -> ... -> cyc_b -> cyc_a'],
    ['cyc_b', 'Invalid argument: circular dependency between ensembles: cyc_b -> ... -> cyc_a -> cyc_b'],
  ];
  for (const [name, reason] of reasons) {
    it(`${name}: UNAVAILABLE with Triton's reason`, () => {
      assert.deepEqual(statusesOf(repository, name), [{ name, state: 'UNAVAILABLE', reason }]);
    });
  }
});

describe('ensembles in explicit mode', () => {
  it('loading an ensemble loads its composing models; unload_dependents unloads them with it', async () => {
    const repo = tempDir();
    writeModelDir(repo, 'add_sub', addSubModel(), { config: ADD_SUB });
    writeModelDir(repo, 'double', doubleModel(), { config: DOUBLE });
    writeEnsemble(repo, 'chain', CHAIN);
    const repository = new ModelRepository({
      repositories: [repo],
      pipeline: { autoComplete: true, defaultMaxBatchSize: 4, devices: { gpus: [] } },
      controlMode: 'explicit',
    });
    try {
      await repository.loadAll();
      assert.deepEqual(repository.statuses(), []);
      await repository.load('chain');
      assert.deepEqual(repository.statuses().map((s) => [s.name, s.state]), [['add_sub', 'READY'], ['chain', 'READY'], ['double', 'READY']]);
      const response = await new InferenceService(repository).infer('chain', undefined, { inputs: inputs(['IN0', 'IN1']) });
      assert.deepEqual(valuesOf(response).DIFF, A.map((a, i) => a - B[i]!));

      await repository.unload('chain');
      assert.deepEqual(repository.statuses().map((s) => [s.name, s.state]), [['add_sub', 'READY'], ['chain', 'UNAVAILABLE'], ['double', 'READY']]);
      // Only what was loaded for the ensemble goes with it (double was loaded by hand since).
      await repository.load('double');
      await repository.load('chain');
      await repository.unload('chain', { unloadDependents: true });
      assert.deepEqual(repository.statuses().map((s) => [s.name, s.state]), [['add_sub', 'UNAVAILABLE'], ['chain', 'UNAVAILABLE'], ['double', 'READY']]);

      // Unloading a composing model takes the ensemble down with it; loading the model brings the ensemble back.
      await repository.load('chain');
      await repository.unload('add_sub');
      assert.deepEqual(repository.statuses().map((s) => [s.name, s.state]), [['add_sub', 'UNAVAILABLE'], ['chain', 'UNAVAILABLE'], ['double', 'READY']]);
      await repository.load('add_sub');
      assert.deepEqual(repository.statuses().map((s) => [s.name, s.state]), [['add_sub', 'READY'], ['chain', 'READY'], ['double', 'READY']]);
    } finally {
      await repository.unloadAll();
    }
  });
});
