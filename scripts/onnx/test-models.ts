/**
 * Model builders for tests: other test files call these to write small ONNX models into temporary repositories.
 * Every builder is deterministic (same options, same bytes).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildOnnxModel, DEFAULT_OPSET, type NodeSpec, type OnnxElemType, type ValueSpec } from './builder.ts';
import { ONNX_DATA_TYPE } from './tensor-data.ts';

/**
 * Input X FP32 ["n","n"] → output Y FP32 ["n","n"] = X multiplied by itself through `matmuls` chained MatMul nodes
 * (default 6, so Y = X^7), a model whose run time a test controls with n. Feed zeros or the identity matrix
 * (Y = I) so the values neither overflow nor turn denormal.
 *
 * Rough run times per run on the 2-core dev machine (onnxruntime-node 1.30, intraOpNumThreads 1, 6 MatMuls, measured
 * once with a throwaway script, never asserted): n=256 ≈ 2 ms, n=512 ≈ 15 ms, n=1024 ≈ 135 ms, n=2048 ≈ 1.2 s.
 * Each doubling of n costs about 8×; the input alone is 4·n² bytes (4 MiB at n=1024).
 */
export function slowMatmulModel(matmuls = 6): Uint8Array {
  if (!Number.isInteger(matmuls) || matmuls < 1) throw new RangeError(`matmuls must be a positive integer, got ${matmuls}`);
  const nodes: NodeSpec[] = [];
  let previous = 'X';
  for (let i = 1; i <= matmuls; i++) {
    const output = i === matmuls ? 'Y' : `P${i}`;
    nodes.push({ op: 'MatMul', inputs: [previous, 'X'], outputs: [output], name: `matmul_${i}` });
    previous = output;
  }
  return buildOnnxModel({
    name: 'slow_matmul',
    inputs: [{ name: 'X', type: 'float', shape: ['n', 'n'] }],
    outputs: [{ name: 'Y', type: 'float', shape: ['n', 'n'] }],
    nodes,
  });
}

/** Options of {@link addModel}. */
export interface AddModelOptions {
  /** Graph inputs (default INPUT0, INPUT1: float ['batch', 4]). */
  inputs?: readonly ValueSpec[];
  /** Graph outputs (default one OUTPUT0 with the type and shape of the first input). */
  outputs?: readonly ValueSpec[];
  /**
   * 'auto' (default): arithmetic when there are ≥ 2 inputs and the first input's type has Add/Sub kernels in
   * onnxruntime's CPU provider, identity otherwise. 'arithmetic': OUTPUT0 = in0 + in1 (+ in2 …), OUTPUT1 = in0 − in1,
   * any later output k = Identity(input k mod #inputs). 'identity': every output k = Identity(input k mod #inputs).
   */
  mode?: 'auto' | 'arithmetic' | 'identity';
  /** Graph name (default 'add'). */
  name?: string;
}

/** Element types with Add/Sub CPU kernels at opset 13 in onnxruntime 1.30. */
const ARITHMETIC_OPSET_13: ReadonlySet<OnnxElemType> = new Set(['float', 'float16', 'double', 'int32', 'int64', 'uint32', 'uint64']);
/** Element types that get Add/Sub kernels from opset 14 on. */
const ARITHMETIC_OPSET_14: ReadonlySet<OnnxElemType> = new Set(['int8', 'int16', 'uint8', 'uint16']);

/**
 * A parameterizable elementwise model for config-validation tests: any input/output names, element types and shapes
 * (fixed dims, symbolic dims, negative = unknown dim, [] = rank 0, null = unknown rank). Examples:
 * - 1 input, 1 output: OUTPUT0 = Identity(INPUT0);
 * - 2 inputs, 1 output: OUTPUT0 = INPUT0 + INPUT1;
 * - 2 inputs, 2 outputs: OUTPUT0 = INPUT0 + INPUT1, OUTPUT1 = INPUT0 − INPUT1.
 * Inputs of a type other than the first input's are Cast to it before arithmetic, and a result whose type differs
 * from its declared output type is Cast to that type, so any combination of types loads. Output shapes are taken as
 * declared: keep them consistent with the computation (ORT only warns and reports odd shapes otherwise). bfloat16
 * tensors cannot be loaded through onnxruntime-node at all.
 */
export function addModel(opts: AddModelOptions = {}): Uint8Array {
  const inputs = opts.inputs ?? [
    { name: 'INPUT0', type: 'float', shape: ['batch', 4] },
    { name: 'INPUT1', type: 'float', shape: ['batch', 4] },
  ];
  if (inputs.length === 0) throw new RangeError('addModel needs at least one input');
  const first = inputs[0]!;
  const outputs = opts.outputs ?? [{ name: 'OUTPUT0', type: first.type, shape: first.shape }];
  if (outputs.length === 0) throw new RangeError('addModel needs at least one output');

  const mode = opts.mode ?? 'auto';
  const computeType = first.type;
  const arithmeticType = ARITHMETIC_OPSET_13.has(computeType) || ARITHMETIC_OPSET_14.has(computeType);
  const arithmetic = mode === 'arithmetic' || (mode === 'auto' && inputs.length >= 2 && arithmeticType);
  if (arithmetic && inputs.length < 2) throw new RangeError("mode 'arithmetic' needs at least two inputs");

  const nodes: NodeSpec[] = [];
  const typeOf = new Map<string, OnnxElemType>(inputs.map((v) => [v.name, v.type]));
  /** Name of `name` converted to `type`, adding a Cast node when needed. */
  const as = (name: string, type: OnnxElemType, castName: string): string => {
    if (typeOf.get(name) === type) return name;
    nodes.push({ op: 'Cast', inputs: [name], outputs: [castName], attributes: { to: ONNX_DATA_TYPE[type] } });
    typeOf.set(castName, type);
    return castName;
  };
  /** Adds `op` over `args` producing `out` of the compute type. */
  const emit = (op: string, args: string[], out: string): string => {
    nodes.push({ op, inputs: args, outputs: [out] });
    typeOf.set(out, op === 'Identity' ? typeOf.get(args[0]!)! : computeType);
    return out;
  };

  const operands = arithmetic ? inputs.map((v, i) => as(v.name, computeType, `cast_in_${i}`)) : [];
  outputs.forEach((output, k) => {
    const result = `result_${k}`;
    if (arithmetic && k === 0) {
      let sum = operands[0]!;
      for (let i = 1; i < operands.length; i++) sum = emit('Add', [sum, operands[i]!], i === operands.length - 1 ? result : `sum_${i}`);
    } else if (arithmetic && k === 1) {
      emit('Sub', [operands[0]!, operands[1]!], result);
    } else {
      emit('Identity', [inputs[k % inputs.length]!.name], result);
    }
    const typed = as(result, output.type, `cast_out_${k}`);
    emit('Identity', [typed], output.name);
  });

  const needs14 = arithmetic && ARITHMETIC_OPSET_14.has(computeType);
  return buildOnnxModel({
    name: opts.name ?? 'add',
    inputs,
    outputs,
    nodes,
    opset: needs14 ? 14 : DEFAULT_OPSET,
  });
}

/** Bytes that are not an ONNX model: protobuf parsing fails on them (wire type 7 does not exist). */
export function corruptModelBytes(): Uint8Array {
  return new Uint8Array([0xff, 0xff, 0xff, 0xff, 0x0f, 0x6e, 0x6f, 0x74, 0x20, 0x6f, 0x6e, 0x6e, 0x78]);
}

/**
 * Writes `bytes` as `<repoDir>/<modelName>/<version>/model.onnx` (version default 1) and, when given, `config` as
 * `<repoDir>/<modelName>/config.pbtxt`. Returns the model directory.
 */
export function writeModelDir(
  repoDir: string,
  modelName: string,
  bytes: Uint8Array,
  opts: { version?: number | string; config?: string } = {},
): string {
  const modelDir = join(repoDir, modelName);
  const versionDir = join(modelDir, String(opts.version ?? 1));
  mkdirSync(versionDir, { recursive: true });
  writeFileSync(join(versionDir, 'model.onnx'), bytes);
  if (opts.config !== undefined) writeFileSync(join(modelDir, 'config.pbtxt'), opts.config);
  return modelDir;
}

/**
 * INPUT0 FP32 ['batch', n] → OUTPUT0 = INPUT0 + `offsets` (n = offsets.length): two versions that differ by known
 * offsets give shadow comparisons with known differences.
 */
export function offsetModel(offsets: readonly number[]): Uint8Array {
  return buildOnnxModel({
    name: 'offset',
    inputs: [{ name: 'INPUT0', type: 'float', shape: ['batch', offsets.length] }],
    outputs: [{ name: 'OUTPUT0', type: 'float', shape: ['batch', offsets.length] }],
    initializers: [{ name: 'offsets', type: 'float', dims: [offsets.length], values: Float32Array.from(offsets) }],
    nodes: [{ op: 'Add', inputs: ['INPUT0', 'offsets'], outputs: ['OUTPUT0'], name: 'add' }],
  });
}

/**
 * INDEX INT64 ['batch', 1] → VALUE FP32 ['batch', 1]: entry INDEX of a table of `size` floats (0, 1, 2, ...). An
 * index of `size` or more fails the execution in ONNX Runtime ("indices element out of data bounds"): a model whose
 * failures depend on the request's data.
 */
export function tableLookupModel(size: number): Uint8Array {
  return buildOnnxModel({
    name: 'table_lookup',
    inputs: [{ name: 'INDEX', type: 'int64', shape: ['batch', 1] }],
    outputs: [{ name: 'VALUE', type: 'float', shape: ['batch', 1] }],
    initializers: [{ name: 'table', type: 'float', dims: [size], values: Float32Array.from({ length: size }, (_, i) => i) }],
    nodes: [{ op: 'Gather', inputs: ['table', 'INDEX'], outputs: ['VALUE'], name: 'lookup', attributes: { axis: 0 } }],
  });
}
