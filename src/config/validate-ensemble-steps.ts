/**
 * Core `ValidateEnsembleConfig`: an ensemble checked against its composing models' completed configs, once they have
 * loaded. Each step must map every (non-optional) input of its model exactly once and only to inputs and outputs that
 * exist, an ensemble tensor must have one data type and compatible shapes wherever it appears, and no composing model
 * may allow a smaller batch than the ensemble. Triton's texts throughout.
 */
import { invalidArg } from '../protocol/errors.ts';
import type { ModelConfig } from './model-config.ts';

interface StepConfig {
  model_name: string;
  input_map: Record<string, string>;
  output_map: Record<string, string>;
}

/** An ensemble tensor as one model sees it (Triton's TensorNode). */
interface TensorView {
  readonly model: string;
  readonly type: string;
  readonly dims: readonly number[];
  /** dims with a leading -1 when the model batches. */
  readonly fullDims: readonly number[];
}

function view(model: string, batching: boolean, type: string, dims: readonly (number | bigint | string)[]): TensorView {
  const numeric = dims.map(Number);
  return { model, type, dims: numeric, fullDims: batching ? [-1, ...numeric] : numeric };
}

/** Throws INVALID_ARG when `ensemble` does not fit the configs of its steps' models (`composing(i)` for step i). */
export function validateEnsembleSteps(ensemble: Readonly<ModelConfig>, composing: (step: number) => Readonly<ModelConfig>): void {
  const name = ensemble.name;
  const batching = ensemble.max_batch_size > 0;
  const tensors = new Map<string, TensorView>();
  for (const io of ensemble.input) tensors.set(io.name, view(name, batching, io.data_type, io.reshape?.shape ?? io.dims));
  for (const io of ensemble.output) {
    if (!tensors.has(io.name)) tensors.set(io.name, view(name, batching, io.data_type, io.reshape?.shape ?? io.dims));
  }
  const steps = (ensemble.ensemble_scheduling?.step ?? []) as StepConfig[];
  steps.forEach((step, index) => {
    const model = composing(index);
    if (model.max_batch_size !== 0 && model.max_batch_size < ensemble.max_batch_size) {
      throw invalidArg(
        `ensemble ${name} allows maximum batch size ${ensemble.max_batch_size}, but it contains model ` +
          `${step.model_name} which only allows maximum batch size to be ${model.max_batch_size}`,
      );
    }
    validateMapping(name, step, model, tensors);
  });
}

function validateMapping(ensemble: string, step: StepConfig, model: Readonly<ModelConfig>, tensors: Map<string, TensorView>): void {
  const stepModel = step.model_name;
  const batching = model.max_batch_size > 0;
  const prefix = `in ensemble ${ensemble}, `;
  const inputNames = new Set(model.input.map((io) => io.name));
  for (const [input, tensor] of Object.entries(step.input_map)) {
    if (!inputNames.has(input)) {
      throw invalidArg(`${prefix}ensemble tensor ${tensor} is mapping to non-existing input ${input} in model ${stepModel}`);
    }
  }
  for (const io of model.input) {
    const tensor = step.input_map[io.name];
    if (tensor === undefined) {
      if (io.optional) continue;
      throw invalidArg(`${prefix}input ${io.name} in model ${stepModel} is not mapped to any ensemble tensors`);
    }
    record(tensors, tensor, view(stepModel, batching, io.data_type, io.dims), `${prefix}ensemble tensor ${tensor}: `);
  }
  const outputNames = new Set(model.output.map((io) => io.name));
  for (const [output, tensor] of Object.entries(step.output_map)) {
    if (!outputNames.has(output)) {
      throw invalidArg(`${prefix}ensemble tensor ${tensor} is mapped from non-existing output ${output} in model ${stepModel}`);
    }
  }
  for (const [output, tensor] of Object.entries(step.output_map)) {
    const io = model.output.find((o) => o.name === output)!;
    record(tensors, tensor, view(stepModel, batching, io.data_type, io.dims), `${prefix}ensemble tensor ${tensor}: `);
  }
}

/** Adds the tensor's first view, or checks a later one against it (Triton's ValidateTensorConsistency). */
function record(tensors: Map<string, TensorView>, tensor: string, seen: TensorView, prefix: string): void {
  const known = tensors.get(tensor);
  if (known === undefined) {
    tensors.set(tensor, seen);
    return;
  }
  if (known.type !== seen.type) {
    throw invalidArg(
      `${prefix}inconsistent data type: ${known.type} is inferred from model ${known.model} while ${seen.type} is inferred from model ${seen.model}`,
    );
  }
  // Equal up to variable dims, or equal once batch dims are added (a batching and a non-batching model sharing it).
  if (!sameDims(known.dims, seen.dims) && !sameDims(known.fullDims, seen.fullDims)) {
    throw invalidArg(
      `${prefix}inconsistent shape: ${dimsText(known.fullDims)} is inferred from model ${known.model} while ` +
        `${dimsText(seen.fullDims)} is inferred from model ${seen.model}`,
    );
  }
}

function sameDims(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === -1 || b[i] === -1 || d === b[i]);
}

function dimsText(dims: readonly number[]): string {
  return `[${dims.join(',')}]`;
}
