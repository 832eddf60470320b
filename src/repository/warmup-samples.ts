/**
 * Turning a config's model_warmup entries into ready-to-run samples, with Triton's checks in Triton's order
 * (TritonModelInstance::GenerateWarmupData): per sample, first every input's dims must be fully specified, then every
 * input needs its data, then the request is validated like any inference request (InferenceRequest::Normalize).
 */
import type { ModelConfig, ModelWarmup } from '../config/model-config.ts';
import type { ModelPlan } from '../core/model-plan.ts';
import { validateRequest } from '../core/validate-request.ts';
import { datatypeFromConfig, type Datatype } from '../protocol/datatypes.ts';
import { invalidArg } from '../protocol/errors.ts';
import type { InputTensor } from '../protocol/inference.ts';
import { warmupElementCount, warmupInputBytes } from './warmup-data.ts';

/** One input of a warmup request, in config terms. */
export interface WarmupSampleInput {
  readonly name: string;
  readonly datatype: Datatype;
  /** The warmup dims (no batch dimension). */
  readonly dims: readonly number[];
  /** The data of one request. */
  readonly data: Uint8Array;
}

export interface WarmupSample {
  readonly name: string;
  /** Number of requests executed together (≥ 1). */
  readonly batchSize: number;
  /** Iterations (≥ 1). */
  readonly count: number;
  /** The config inputs it feeds, in the sample's order. */
  readonly inputs: readonly WarmupSampleInput[];
  /** A name the sample feeds that is no input of the config; such a sample fails when it runs. */
  readonly unknownInput?: string;
}

/**
 * Checks and builds every sample of `config.model_warmup` (batch_size 0 samples are skipped unchecked). Throws the
 * first problem with Triton's code and text; nothing has run at that point.
 */
export function prepareWarmupSamples(config: Readonly<ModelConfig>, plan: ModelPlan, modelDir: string): WarmupSample[] {
  const samples: WarmupSample[] = [];
  for (const setting of config.model_warmup) {
    if (setting.batch_size === 0) continue;
    samples.push(prepareSample(setting, plan, modelDir));
  }
  return samples;
}

function prepareSample(setting: ModelWarmup, plan: ModelPlan, modelDir: string): WarmupSample {
  const entries = Object.entries(setting.inputs);
  for (const [name, input] of entries) {
    if (warmupElementCount(input.dims) === -1) {
      throw invalidArg(`warmup setting expects all variable-size dimensions are specified for input '${name}'`);
    }
  }
  const inputs: WarmupSampleInput[] = [];
  let unknownInput: string | undefined;
  for (const [name, input] of entries) {
    const data = warmupInputBytes(input, name, plan.name, modelDir);
    if (!plan.inputByName.has(name)) {
      unknownInput ??= name;
      continue;
    }
    // An unset type reaches the request validation, which reports it the way Triton prints TYPE_INVALID.
    const datatype = datatypeFromConfig(input.data_type) ?? ('<invalid>' as Datatype);
    inputs.push({ name, datatype, dims: [...input.dims], data });
  }
  validateRequest(plan, { inputs: inputs.map((input) => requestTensor(input, plan)) });
  return {
    name: setting.name,
    batchSize: setting.batch_size,
    count: Math.max(1, setting.count),
    inputs,
    ...(unknownInput === undefined ? {} : { unknownInput }),
  };
}

/** One request's tensor as a client would send it: `[1, ...dims]` when the model batches, else `dims`. */
function requestTensor(input: WarmupSampleInput, plan: ModelPlan): InputTensor {
  const shape = plan.maxBatchSize > 0 ? [1, ...input.dims] : [...input.dims];
  return { name: input.name, datatype: input.datatype, shape, data: input.data };
}
