/**
 * The example models shipped in model_repository/: how each .onnx file is built, and the code that writes them all.
 * Weights come from fixed seeds, so every build yields the same bytes as the committed files.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { buildOnnxModel, seededRandom, uniformFloat32 } from './builder.ts';

/** Triton's "simple" example: INPUT0, INPUT1 FP32 [batch, 16] → OUTPUT0 = INPUT0 + INPUT1, OUTPUT1 = INPUT0 − INPUT1. */
export function addSubModel(): Uint8Array {
  const tensor = (name: string) => ({ name, type: 'float' as const, shape: ['batch', 16] });
  return buildOnnxModel({
    name: 'add_sub',
    inputs: [tensor('INPUT0'), tensor('INPUT1')],
    outputs: [tensor('OUTPUT0'), tensor('OUTPUT1')],
    nodes: [
      { op: 'Add', inputs: ['INPUT0', 'INPUT1'], outputs: ['OUTPUT0'], name: 'add' },
      { op: 'Sub', inputs: ['INPUT0', 'INPUT1'], outputs: ['OUTPUT1'], name: 'sub' },
    ],
  });
}

/** INT64 INPUT0 [batch, length] → OUTPUT0 = Identity(INPUT0) (symbolic dims). */
export function identityInt64Model(): Uint8Array {
  return buildOnnxModel({
    name: 'identity_int64',
    inputs: [{ name: 'INPUT0', type: 'int64', shape: ['batch', 'length'] }],
    outputs: [{ name: 'OUTPUT0', type: 'int64', shape: ['batch', 'length'] }],
    nodes: [{ op: 'Identity', inputs: ['INPUT0'], outputs: ['OUTPUT0'], name: 'identity' }],
  });
}

/**
 * ONNX string (Triton BYTES) INPUT0 → OUTPUT0 = Identity(INPUT0). Both dims are left unknown (no dim_param), the other
 * way ONNX spells a dynamic dim; onnxruntime-node reports them as "".
 */
export function identityBytesModel(): Uint8Array {
  return buildOnnxModel({
    name: 'identity_bytes',
    inputs: [{ name: 'INPUT0', type: 'string', shape: [-1, -1] }],
    outputs: [{ name: 'OUTPUT0', type: 'string', shape: [-1, -1] }],
    nodes: [{ op: 'Identity', inputs: ['INPUT0'], outputs: ['OUTPUT0'], name: 'identity' }],
  });
}

/** Layer sizes of mlp_classifier: 16 features → 32 hidden → 4 classes. */
export const MLP_SIZES = { input: 16, hidden: 32, classes: 4 } as const;
/** Seed of mlp_classifier's weights. */
export const MLP_SEED = 20240521;

/** mlp_classifier's parameters, row-major; W1 is [hidden, input] and W2 [classes, hidden] (Gemm transB = 1). */
export interface MlpWeights {
  w1: Float32Array;
  b1: Float32Array;
  w2: Float32Array;
  b2: Float32Array;
}

/** The weights of mlp_classifier, drawn from {@link MLP_SEED} (uniform ±1/√fan_in, in the order w1, b1, w2, b2). */
export function mlpClassifierWeights(): MlpWeights {
  const random = seededRandom(MLP_SEED);
  const { input, hidden, classes } = MLP_SIZES;
  const w1 = uniformFloat32(random, hidden * input, 1 / Math.sqrt(input));
  const b1 = uniformFloat32(random, hidden, 1 / Math.sqrt(input));
  const w2 = uniformFloat32(random, classes * hidden, 1 / Math.sqrt(hidden));
  const b2 = uniformFloat32(random, classes, 1 / Math.sqrt(hidden));
  return { w1, b1, w2, b2 };
}

/** "input" FP32 [batch, 16] → Gemm(16→32) → Relu → Gemm(32→4) → Softmax → "probabilities" FP32 [batch, 4]. */
export function mlpClassifierModel(): Uint8Array {
  const { input, hidden, classes } = MLP_SIZES;
  const { w1, b1, w2, b2 } = mlpClassifierWeights();
  return buildOnnxModel({
    name: 'mlp_classifier',
    inputs: [{ name: 'input', type: 'float', shape: ['batch', input] }],
    outputs: [{ name: 'probabilities', type: 'float', shape: ['batch', classes] }],
    initializers: [
      { name: 'fc1.weight', type: 'float', dims: [hidden, input], values: w1 },
      { name: 'fc1.bias', type: 'float', dims: [hidden], values: b1 },
      { name: 'fc2.weight', type: 'float', dims: [classes, hidden], values: w2 },
      { name: 'fc2.bias', type: 'float', dims: [classes], values: b2 },
    ],
    nodes: [
      { op: 'Gemm', inputs: ['input', 'fc1.weight', 'fc1.bias'], outputs: ['hidden'], name: 'fc1', attributes: { transB: 1 } },
      { op: 'Relu', inputs: ['hidden'], outputs: ['hidden_relu'], name: 'relu' },
      { op: 'Gemm', inputs: ['hidden_relu', 'fc2.weight', 'fc2.bias'], outputs: ['logits'], name: 'fc2', attributes: { transB: 1 } },
      { op: 'Softmax', inputs: ['logits'], outputs: ['probabilities'], name: 'softmax', attributes: { axis: 1 } },
    ],
  });
}

/** "x", "y" FP32 [batch, 4] → "sum" = x + y; shipped without config.pbtxt to show auto-complete. */
export function autocompleteAddModel(): Uint8Array {
  const tensor = (name: string) => ({ name, type: 'float' as const, shape: ['batch', 4] });
  return buildOnnxModel({
    name: 'autocomplete_add',
    inputs: [tensor('x'), tensor('y')],
    outputs: [tensor('sum')],
    nodes: [{ op: 'Add', inputs: ['x', 'y'], outputs: ['sum'], name: 'add' }],
  });
}

/**
 * accumulator, a stateful model for the sequence batcher: INPUT FP32 [batch, 1] and the implicit state STATE_IN
 * [batch, 1] → OUTPUT = STATE_OUT = STATE_IN + INPUT. Fed back step by step, OUTPUT is the running sum of a sequence.
 */
export function accumulatorModel(): Uint8Array {
  const tensor = (name: string) => ({ name, type: 'float' as const, shape: ['batch', 1] });
  return buildOnnxModel({
    name: 'accumulator',
    inputs: [tensor('INPUT'), tensor('STATE_IN')],
    outputs: [tensor('OUTPUT'), tensor('STATE_OUT')],
    nodes: [
      { op: 'Add', inputs: ['STATE_IN', 'INPUT'], outputs: ['OUTPUT'], name: 'sum' },
      { op: 'Identity', inputs: ['OUTPUT'], outputs: ['STATE_OUT'], name: 'state' },
    ],
  });
}

/** The feature means and spreads preprocess removes (raw readings around 50 ± 10 become features around 0 ± 1). */
export const PREPROCESS_SHIFT = 50;
export const PREPROCESS_SCALE = 10;

/** preprocess, the first step of mlp_pipeline: "raw" FP32 [batch, 16] → "features" = (raw − 50) / 10. */
export function preprocessModel(): Uint8Array {
  const { input } = MLP_SIZES;
  return buildOnnxModel({
    name: 'preprocess',
    inputs: [{ name: 'raw', type: 'float', shape: ['batch', input] }],
    outputs: [{ name: 'features', type: 'float', shape: ['batch', input] }],
    initializers: [
      { name: 'shift', type: 'float', dims: [1], values: new Float32Array([PREPROCESS_SHIFT]) },
      { name: 'scale', type: 'float', dims: [1], values: new Float32Array([PREPROCESS_SCALE]) },
    ],
    nodes: [
      { op: 'Sub', inputs: ['raw', 'shift'], outputs: ['centered'], name: 'center' },
      { op: 'Div', inputs: ['centered', 'scale'], outputs: ['features'], name: 'scale' },
    ],
  });
}

/** postprocess, the last step of mlp_pipeline: "probabilities" FP32 [batch, 4] → "class_id" INT64 and "score" FP32 [batch, 1]. */
export function postprocessModel(): Uint8Array {
  const { classes } = MLP_SIZES;
  return buildOnnxModel({
    name: 'postprocess',
    inputs: [{ name: 'probabilities', type: 'float', shape: ['batch', classes] }],
    outputs: [{ name: 'class_id', type: 'int64', shape: ['batch', 1] }, { name: 'score', type: 'float', shape: ['batch', 1] }],
    nodes: [
      { op: 'ArgMax', inputs: ['probabilities'], outputs: ['class_id'], name: 'argmax', attributes: { axis: 1, keepdims: 1 } },
      { op: 'ReduceMax', inputs: ['probabilities'], outputs: ['score'], name: 'max', attributes: { axes: [1], keepdims: 1 } },
    ],
  });
}

/** Every shipped .onnx file: its path relative to the model repository, and the function that builds it. */
export const SHIPPED_MODELS: readonly { path: string; build: () => Uint8Array }[] = [
  { path: 'add_sub/1/model.onnx', build: addSubModel },
  { path: 'identity_int64/1/model.onnx', build: identityInt64Model },
  { path: 'identity_bytes/1/model.onnx', build: identityBytesModel },
  { path: 'mlp_classifier/1/model.onnx', build: mlpClassifierModel },
  { path: 'autocomplete_add/1/model.onnx', build: autocompleteAddModel },
  { path: 'accumulator/1/model.onnx', build: accumulatorModel },
  { path: 'preprocess/1/model.onnx', build: preprocessModel },
  { path: 'postprocess/1/model.onnx', build: postprocessModel },
];

/**
 * Writes every shipped .onnx file under `repoDir` (creating folders, overwriting existing model files, touching
 * nothing else). Returns the written paths with their sizes in bytes.
 */
export function writeShippedModels(repoDir: string): { path: string; bytes: number }[] {
  return SHIPPED_MODELS.map(({ path, build }) => {
    const target = join(repoDir, path);
    const bytes = build();
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, bytes);
    return { path: target, bytes: bytes.length };
  });
}
