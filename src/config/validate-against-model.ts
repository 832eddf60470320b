/**
 * ONNX Runtime backend checks of a config against the ONNX model (`ModelInstanceState` constructor: sequence controls,
 * `ValidateInputs`, `ValidateOutputs`). Runs in both auto-complete modes; texts are Triton's.
 */
import { internal, invalidArg, ServerError } from '../protocol/errors.ts';
import type { ModelConfig, ModelInput, ModelOutput } from './model-config.ts';
import type { ModelMetadata, TensorMetadata } from './model-metadata.ts';
import { type ControlKind, type SequenceBatching, sequenceBatchingOf } from './sequence-batching.ts';
import { booleanControl, type ControlTensor, typedControl } from './validate-scheduling.ts';

/** Config data types the ONNX Runtime backend can map to ONNX element types. */
const ONNX_MAPPABLE = new Set([
  'TYPE_BOOL',
  'TYPE_UINT8',
  'TYPE_UINT16',
  'TYPE_UINT32',
  'TYPE_UINT64',
  'TYPE_INT8',
  'TYPE_INT16',
  'TYPE_INT32',
  'TYPE_INT64',
  'TYPE_FP16',
  'TYPE_FP32',
  'TYPE_FP64',
  'TYPE_STRING',
  'TYPE_BF16',
]);

/** Throws Triton's error for the first mismatch between `config` and the model's inputs/outputs. */
export function validateAgainstModel(config: Readonly<ModelConfig>, metadata: ModelMetadata): void {
  const model = config.name;
  const inputs = new Map(metadata.inputs.map((t) => [t.name, t]));
  const outputs = new Map(metadata.outputs.map((t) => [t.name, t]));

  let expected = config.input.filter((io) => !io.optional).length + config.batch_input.length;
  const seq = sequenceBatchingOf(config);
  if (seq !== undefined) expected += validateSequenceControls(config, seq, inputs) + seq.state.length;
  if (metadata.inputs.length !== expected) {
    throw invalidArg(
      `unable to load model '${model}', configuration expects ${expected} inputs, ` +
        `model provides ${metadata.inputs.length}`,
    );
  }

  for (const io of config.input) validateInput(config, io, inputs);
  const batchOutputTargets = new Set(config.batch_output.flatMap((bo) => bo.target_name));
  for (const io of config.output) validateOutput(config, io, outputs, batchOutputTargets.has(io.name));
}

function validateInput(config: Readonly<ModelConfig>, io: ModelInput, inputs: Map<string, TensorMetadata>): void {
  const model = config.name;
  if (io.optional && config.max_batch_size !== 0) {
    throw invalidArg(
      `unable to load model '${model}', optional input '${io.name}' is not supported for models that support batching`,
    );
  }
  const tensor = inputs.get(io.name);
  if (tensor === undefined) {
    throw invalidArg(`unexpected inference input '${io.name}', allowed inputs are: ${sortedNames(inputs)}`);
  }
  checkDataType(model, io.name, io.data_type, tensor, 'input');
  const dims = io.reshape?.shape ?? io.dims;
  if (io.optional && io.allow_ragged_batch) {
    throw invalidArg(
      `unable to load model '${model}', configuration expects model provides input with shape [-1] for ragged ` +
        `input '${io.name}', which is not supported for optional input`,
    );
  }
  if (io.allow_ragged_batch) {
    if (tensor.shape.length !== 1 || tensor.shape[0] !== -1) {
      // Triton's text has two spaces after "[-1]".
      throw invalidArg(
        `unable to load model '${model}', configuration expects model provides input with shape [-1]  for ragged ` +
          `input '${io.name}', model provides ${shapeString(tensor.shape)}`,
      );
    }
  } else if (tensor.shape.length !== 0) {
    compareDims(model, io.name, tensor.shape, dims, config.max_batch_size, false);
  } else {
    checkScalar(model, io.name, dims);
  }
}

function validateOutput(
  config: Readonly<ModelConfig>,
  io: ModelOutput,
  outputs: Map<string, TensorMetadata>,
  isBatchOutput: boolean,
): void {
  const model = config.name;
  const tensor = outputs.get(io.name);
  if (tensor === undefined) {
    throw invalidArg(`unexpected inference output '${io.name}', allowed outputs are: ${sortedNames(outputs)}`);
  }
  checkDataType(model, io.name, io.data_type, tensor, 'output');
  // A batch output's shape need not match the model.
  if (isBatchOutput) return;
  const dims = io.reshape?.shape ?? io.dims;
  if (tensor.shape.length !== 0) compareDims(model, io.name, tensor.shape, dims, config.max_batch_size, true);
  else checkScalar(model, io.name, dims);
}

/**
 * Checks START/END/READY/CORRID controls against the model inputs (present, dims [1] without the batch dimension, same
 * data type) and returns how many control inputs the model must have.
 */
function validateSequenceControls(
  config: Readonly<ModelConfig>,
  seq: SequenceBatching,
  inputs: Map<string, TensorMetadata>,
): number {
  const model = config.name;
  let count = 0;
  const kinds: ControlKind[] = ['CONTROL_SEQUENCE_START', 'CONTROL_SEQUENCE_END', 'CONTROL_SEQUENCE_READY'];
  const controls: (ControlTensor | undefined)[] = kinds.map((kind) => booleanControl(seq, model, kind));
  const corridType = typedControl(seq, model, 'CONTROL_SEQUENCE_CORRID');
  if (corridType !== undefined) {
    const corrid = seq.control_input.find((ci) => ci.control.some((c) => c.kind === 'CONTROL_SEQUENCE_CORRID'));
    controls.push({ name: corrid?.name ?? '', dataType: corridType });
  }
  for (const control of controls) {
    if (control === undefined) continue;
    count++;
    const tensor = inputs.get(control.name);
    if (tensor === undefined) {
      throw internal(
        `configuration specified sequence control '${control.name}', but model does not provide that input`,
      );
    }
    const dims = tensor.shape.slice(config.max_batch_size > 0 ? 1 : 0);
    if (dims.length !== 1 || dims[0] !== 1) {
      throw invalidArg(
        `unable to load model '${model}', sequence control '${control.name}' in model has dims ` +
          `${shapeString(dims)} but dims [1] is expected`,
      );
    }
    if (control.dataType !== tensor.dataType) {
      throw invalidArg(
        `unable to load model '${model}', sequence control '${control.name}', the model expects data-type ` +
          `${onnxTypeName(tensor.dataType)} but the model configuration specifies data-type ${control.dataType}`,
      );
    }
  }
  return count;
}

function checkDataType(
  model: string,
  tensorName: string,
  dataType: string,
  tensor: TensorMetadata,
  what: string,
): void {
  if (!ONNX_MAPPABLE.has(dataType)) {
    throw internal(`unsupported datatype ${dataType} for ${what} '${tensorName}' for model '${model}'`);
  }
  if (dataType !== tensor.dataType) {
    throw invalidArg(
      `unable to load model '${model}', configuration expects datatype ${dataType} for ${what} '${tensorName}', ` +
        `model provides TYPE_${tritonTypeName(tensor.dataType)}`,
    );
  }
}

/**
 * ORT backend `CompareDimsSupported`: with batching the model's first dim must be -1 and `[-1]+dims` must have the
 * model's rank; each fixed model dim must equal the config's (outputs: every dim, -1 included).
 */
function compareDims(
  model: string,
  tensorName: string,
  modelShape: readonly number[],
  dims: readonly number[],
  maxBatchSize: number,
  exact: boolean,
): void {
  const matches = (full: readonly number[]): boolean =>
    modelShape.length === full.length && modelShape.every((m, i) => (!exact && m === -1) || m === full[i]);
  if (maxBatchSize > 0) {
    if (modelShape.length === 0 || modelShape[0] !== -1) {
      throw invalidArg(
        `model '${model}', tensor '${tensorName}': for the model to support batching the shape should have at least ` +
          `1 dimension and the first dimension must be -1; but shape expected by the model is ` +
          shapeString(modelShape),
      );
    }
    const full = [-1, ...dims];
    if (!matches(full)) {
      throw invalidArg(
        `model '${model}', tensor '${tensorName}': the model expects ${modelShape.length} dimensions (shape ` +
          `${shapeString(modelShape)}) but the model configuration specifies ${full.length} dimensions (an initial ` +
          `batch dimension because max_batch_size > 0 followed by the explicit tensor shape, making complete shape ` +
          `${shapeString(full)})`,
      );
    }
  } else if (!matches(dims)) {
    throw invalidArg(
      `model '${model}', tensor '${tensorName}': the model expects ${modelShape.length} dimensions (shape ` +
        `${shapeString(modelShape)}) but the model configuration specifies ${dims.length} dimensions (shape ` +
        `${shapeString(dims)})`,
    );
  }
}

/** A rank-0 model tensor: every configured dim must be 1. */
function checkScalar(model: string, tensorName: string, dims: readonly number[]): void {
  if (dims.every((d) => d === 1)) return;
  throw new ServerError(
    'INVALID_ARG',
    `unable to load model '${model}', scalar tensor '${tensorName}', should only provide 1 in the model ` +
      `configuration when the model doesn't support batching. Model configuration provided: ${shapeString(dims)}.`,
  );
}

/** Triton's ShapeToString: `[1,2,-1]`. */
function shapeString(shape: readonly number[]): string {
  return `[${shape.join(',')}]`;
}

/** Names joined the way Triton lists a std::set: sorted, comma + space. */
function sortedNames(tensors: Map<string, TensorMetadata>): string {
  return [...tensors.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).join(', ');
}

/** `TRITONSERVER_DataTypeString` of a model tensor's type: BYTES for strings, `<invalid>` when unmapped. */
function tritonTypeName(dataType: string): string {
  if (dataType === 'TYPE_STRING') return 'BYTES';
  if (dataType === 'TYPE_INVALID') return '<invalid>';
  return dataType.slice('TYPE_'.length);
}

/** ORT backend `OnnxDataTypeName`. */
function onnxTypeName(dataType: string): string {
  const names: Record<string, string> = {
    TYPE_FP32: 'FLOAT',
    TYPE_FP16: 'FLOAT16',
    TYPE_FP64: 'DOUBLE',
    TYPE_BF16: 'BFLOAT16',
    TYPE_STRING: 'STRING',
  };
  return names[dataType] ?? (dataType === 'TYPE_INVALID' ? 'UNDEFINED' : dataType.slice('TYPE_'.length));
}
