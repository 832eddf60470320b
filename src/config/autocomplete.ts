/**
 * ONNX Runtime backend auto-complete (`ModelState::AutoCompleteConfig`): fills max_batch_size, dynamic_batching and
 * missing inputs/outputs from the model's own metadata. Skipped entirely when the config already lists at least one
 * input (batch inputs count) and at least one output.
 */
import { invalidArg } from '../protocol/errors.ts';
import type { DynamicBatching, ModelConfig, ModelInput, ModelOutput } from './model-config.ts';
import type { ModelMetadata, TensorMetadata } from './model-metadata.ts';
import { plainMessage } from './model-config-schema.ts';

export interface AutoCompleteOptions {
  /** Backend config `default-max-batch-size` (Triton's default: 4). */
  defaultMaxBatchSize: number;
}

/** Returns the auto-completed copy of `config`; throws INVALID_ARG when a non-batching model has max_batch_size > 0. */
export function autoCompleteOnnx(config: ModelConfig, metadata: ModelMetadata, opts: AutoCompleteOptions): ModelConfig {
  const c = structuredClone(config);
  const inputCount = c.input.length + c.batch_input.length;
  const outputCount = c.output.length;
  if (inputCount > 0 && outputCount > 0) return c;

  // Batching is possible only if every input and output has a variable first dimension.
  const canBatch = [...metadata.inputs, ...metadata.outputs].every((t) => t.shape.length > 0 && t.shape[0] === -1);
  if (canBatch) {
    if (c.max_batch_size === 0) c.max_batch_size = Math.max(opts.defaultMaxBatchSize, 0);
    if (c.max_batch_size > 1 && c.dynamic_batching === undefined && c.sequence_batching === undefined) {
      c.dynamic_batching = plainMessage<DynamicBatching>('ModelDynamicBatching');
    }
  } else if (c.max_batch_size !== 0) {
    throw invalidArg(
      `autofill failed for model '${c.name}': model does not support batching while non-zero max_batch_size ` +
        'is specified',
    );
  }

  if (inputCount === 0) {
    c.input = metadata.inputs.map((t) => plainMessage<ModelInput>('ModelInput', tensorFields(t, c)));
  }
  if (outputCount === 0) {
    c.output = metadata.outputs.map((t) => plainMessage<ModelOutput>('ModelOutput', tensorFields(t, c)));
  }
  return c;
}

/** name, data_type and dims (minus the batch dimension); a tensor left without dims gets [1] (+ empty reshape). */
function tensorFields(tensor: TensorMetadata, c: ModelConfig): Record<string, unknown> {
  const dims = tensor.shape.slice(c.max_batch_size > 0 ? 1 : 0);
  const fields: Record<string, unknown> = { name: tensor.name, data_type: tensor.dataType, dims };
  if (dims.length === 0) {
    fields.dims = [1];
    // An empty reshape on a non-batching model would describe a scalar, which configs cannot express.
    if (c.max_batch_size > 0) fields.reshape = { shape: [] };
  }
  return fields;
}
