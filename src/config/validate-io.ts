/**
 * Core `ValidateModelIOConfig`: each input and output (name, data type, dims, reshape rules, formats, TensorRT-only
 * flags) and the batch inputs/outputs. Every message ends with ` for <model>` as in Triton.
 */
import { ServerError } from '../protocol/errors.ts';
import { TENSORRT_PLATFORM } from './backend-kinds.ts';
import type { ModelConfig, ModelInput, ModelOutput } from './model-config.ts';

const WILDCARD = -1;
const BATCH_INPUT_KINDS = new Set([
  'BATCH_ELEMENT_COUNT',
  'BATCH_ACCUMULATED_ELEMENT_COUNT',
  'BATCH_ACCUMULATED_ELEMENT_COUNT_WITH_ZERO',
  'BATCH_MAX_ELEMENT_COUNT_AS_SHAPE',
  'BATCH_ITEM_SHAPE',
  'BATCH_ITEM_SHAPE_FLATTEN',
]);

/** Throws INVALID_ARG (Triton's text + ` for <model>`) for the first invalid input, output or batch input/output. */
export function validateIoConfig(config: Readonly<ModelConfig>): void {
  const suffix = ` for ${config.name}`;
  const withSuffix = (check: () => void): void => {
    try {
      check();
    } catch (e) {
      if (e instanceof ServerError) throw new ServerError(e.code, e.message + suffix);
      throw e;
    }
  };
  for (const io of config.input) withSuffix(() => validateInput(io, config.max_batch_size, config.platform));
  for (const io of config.output) withSuffix(() => validateOutput(io, config.max_batch_size, config.platform));
  withSuffix(() => validateBatchIo(config));
}

function validateInput(io: ModelInput, maxBatchSize: number, platform: string): void {
  validateShape(io, maxBatchSize, 'model input ');
  if ((io.format === 'FORMAT_NHWC' || io.format === 'FORMAT_NCHW') && io.dims.length !== 3) {
    throw bad('model input NHWC/NCHW require 3 dims');
  }
  if (platform !== TENSORRT_PLATFORM && io.is_shape_tensor) {
    throw bad('shape tensors are only supported for TensorRT platform');
  }
  validateNonLinearFormat(io, platform, 'input');
}

function validateOutput(io: ModelOutput, maxBatchSize: number, platform: string): void {
  validateShape(io, maxBatchSize, 'model output ');
  if (platform !== TENSORRT_PLATFORM && io.is_shape_tensor) {
    throw bad('shape tensors are only supported for TensorRT platform');
  }
  validateNonLinearFormat(io, platform, 'output');
}

function validateNonLinearFormat(io: ModelInput | ModelOutput, platform: string, what: 'input' | 'output'): void {
  if (!io.is_non_linear_format_io) return;
  if (platform !== TENSORRT_PLATFORM) throw bad('Non-linear IO format is only supported for the TensorRT platform');
  if (io.dims.length !== 3) throw bad(`Non-linear IO format ${what} requires 3 dims`);
}

function validateShape(io: ModelInput | ModelOutput, maxBatchSize: number, prefix: string): void {
  if (io.name === '') throw bad(`${prefix}must specify 'name'`);
  const p = `${prefix}'${io.name}' `;
  if (io.data_type === 'TYPE_INVALID') throw bad(`${p}must specify 'data_type'`);
  if (io.dims.length === 0) throw bad(`${p}must specify 'dims'`);
  // An empty reshape means "scalar per batch item", which only exists when there is a batch dimension.
  if (io.reshape !== undefined && io.reshape.shape.length === 0 && maxBatchSize === 0) {
    throw bad(`${p}cannot have empty reshape for non-batching model as scalar tensors are not supported`);
  }
  for (const dim of io.dims) {
    if (dim < 1 && dim !== WILDCARD) {
      throw bad(`${p}dimension must be integer >= 1, or -1 to indicate a variable-size dimension`);
    }
  }
  if (io.reshape === undefined) return;
  const shape = io.reshape.shape;
  for (const dim of shape) {
    if (dim < 1 && dim !== WILDCARD) {
      throw bad(`${p}reshape dimensions must be integer >= 1, or -1 to indicate a variable-size dimension`);
    }
  }
  const dimsSize = elementCount(io.dims);
  const reshapeSize = elementCount(shape);
  // Same element count, or both variable; an empty reshape (count 0) is allowed for dims holding one element.
  if (dimsSize !== reshapeSize && (reshapeSize !== 0 || dimsSize !== 1)) {
    throw bad(`${p}has different size for dims and reshape`);
  }
  if (dimsSize === WILDCARD) {
    // The fixed runs between wildcards must match pairwise: [2,4,-1,6] → [8,-1,1,6] is valid.
    const a = runProducts(io.dims);
    const b = runProducts(shape);
    if (a.length !== b.length) {
      throw bad(`${p}has different number of variable-size dimensions for dims and reshape`);
    }
    if (a.some((v, i) => v !== b[i])) throw bad(`${p}has different size for dims and reshape`);
  }
}

function validateBatchIo(config: Readonly<ModelConfig>): void {
  const inputs = new Set(config.input.map((io) => io.name));
  const outputs = new Set(config.output.map((io) => io.name));
  for (const bi of config.batch_input) {
    if (!BATCH_INPUT_KINDS.has(bi.kind)) throw bad(`unknown batch input kind '${bi.kind}'`);
    if (bi.source_input.length !== 1) {
      throw bad(`batch input kind '${bi.kind}' expects 1 source input, got ${bi.source_input.length}`);
    }
    if (bi.data_type !== 'TYPE_INT32' && bi.data_type !== 'TYPE_FP32') {
      throw bad('batch input data type must be TYPE_INT32 or TYPE_FP32');
    }
    for (const s of bi.source_input) if (!inputs.has(s)) throw bad(`unknown source input name '${s}'`);
  }
  for (const bo of config.batch_output) {
    if (bo.kind !== 'BATCH_SCATTER_WITH_INPUT_SHAPE') throw bad(`unknown batch output kind '${bo.kind}'`);
    if (bo.source_input.length !== 1) {
      throw bad(`batch output kind '${bo.kind}' expects 1 source input, got ${bo.source_input.length}`);
    }
    for (const s of bo.source_input) if (!inputs.has(s)) throw bad(`unknown source input name '${s}'`);
    const seen = new Set<string>();
    for (const t of bo.target_name) {
      if (!outputs.has(t)) throw bad(`unknown target output name '${t}'`);
      if (seen.has(t)) throw bad(`target output name '${t}' can only be specified once`);
      seen.add(t);
    }
  }
}

/** Triton's element count: -1 if any dimension is a wildcard, 0 for an empty shape, else the product. */
function elementCount(dims: readonly number[]): number {
  if (dims.length === 0) return 0;
  let n = 1;
  for (const d of dims) {
    if (d === WILDCARD) return WILDCARD;
    n *= d;
  }
  return n;
}

/** Products of the fixed-size runs separated by wildcards. */
function runProducts(dims: readonly number[]): number[] {
  const out: number[] = [];
  let current = 1;
  for (const d of dims) {
    if (d === WILDCARD) {
      out.push(current);
      current = 1;
    } else {
      current *= d;
    }
  }
  out.push(current);
  return out;
}

function bad(message: string): ServerError {
  return new ServerError('INVALID_ARG', message);
}
