/**
 * Model warmup (model_warmup, model-config §8): before a version turns READY every instance runs every warmup sample,
 * in config order, straight on the instance (no scheduler); outputs are discarded. Any failure fails the load with
 * Triton's error (TritonModelInstance::WarmUp and the ONNX Runtime backend's execution checks).
 */
import type { ModelConfig } from '../config/model-config.ts';
import { reshapeToModel, type ModelPlan } from '../core/model-plan.ts';
import type { ModelInstance } from '../instance/model-instance.ts';
import { packInputs, type PackedInputs } from '../protocol/packed-inputs.ts';
import { invalidArg } from '../protocol/errors.ts';
import { prepareWarmupSamples, type WarmupSample } from './warmup-samples.ts';

/**
 * Runs every warmup sample of the config, in order, on every instance; throws Triton's errors (load then fails).
 * Pass the instances that serve requests: Triton does not warm passive instances. Samples are checked and their data
 * built once, before anything runs; instances then warm up side by side, each running its samples one after another.
 */
export async function runWarmup(
  config: Readonly<ModelConfig>,
  plan: ModelPlan,
  modelDir: string,
  instances: readonly ModelInstance[],
): Promise<void> {
  if (config.model_warmup.length === 0 || instances.length === 0) return;
  const samples = prepareWarmupSamples(config, plan, modelDir);
  if (samples.length === 0) return;
  const results = await Promise.allSettled(instances.map((instance) => warmInstance(instance, samples, plan)));
  const failure = results.find((result) => result.status === 'rejected');
  if (failure !== undefined) throw (failure as PromiseRejectedResult).reason;
}

async function warmInstance(instance: ModelInstance, samples: readonly WarmupSample[], plan: ModelPlan): Promise<void> {
  for (const sample of samples) {
    for (let iteration = 1; iteration <= sample.count; iteration++) {
      const errors = await runSample(instance, sample, plan);
      if (errors.length > 0) {
        throw invalidArg(`failed to run warmup sample '${sample.name}': ${errors.map((e) => `${e}; `).join('')}`);
      }
    }
  }
}

/**
 * Executes one iteration of a sample and returns the error of each request that failed. When the model batches, the
 * sample's requests run together as one execution of batch size `batchSize`, and a failed execution fails every
 * request (as the ONNX Runtime backend answers them all with its error). When it does not, each request runs alone.
 */
async function runSample(instance: ModelInstance, sample: WarmupSample, plan: ModelPlan): Promise<string[]> {
  const outputNames = plan.outputs.map((output) => output.name);
  const batching = plan.maxBatchSize > 0;
  const failEach = (message: string): string[] => new Array<string>(sample.batchSize).fill(message);
  if (batching) {
    if (sample.batchSize > plan.maxBatchSize) {
      return failEach(`batch size ${sample.batchSize} for '${instance.name}', max allowed is ${plan.maxBatchSize}`);
    }
    const error = await execute(instance, sample, plan, outputNames, sample.batchSize);
    return error === undefined ? [] : failEach(error);
  }
  const errors: string[] = [];
  for (let request = 0; request < sample.batchSize; request++) {
    const error = await execute(instance, sample, plan, outputNames, 0);
    if (error !== undefined) errors.push(error);
  }
  return errors;
}

/** Runs one execution (`rows` requests concatenated, or one unbatched request when 0); returns its error text. */
async function execute(
  instance: ModelInstance,
  sample: WarmupSample,
  plan: ModelPlan,
  outputNames: readonly string[],
  rows: number,
): Promise<string | undefined> {
  // A name outside the config reaches the backend, which finds no ONNX input of that name (sequence control inputs,
  // which Triton injects this way, are not supported).
  if (sample.unknownInput !== undefined) return `Failed to retrieve the ONNX input tensor info from '${sample.unknownInput}'.`;
  try {
    await instance.run(packSample(sample, plan, rows), outputNames);
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/** The sample's inputs in model-side shapes (reshape applied as on the inference path), one fresh packed buffer. */
function packSample(sample: WarmupSample, plan: ModelPlan, rows: number): PackedInputs {
  const batched = rows > 0;
  return packInputs(
    sample.inputs.map((input) => {
      const tensor = plan.inputByName.get(input.name)!;
      const shape = reshapeToModel(batched ? [rows, ...input.dims] : input.dims, tensor, batched);
      const parts = batched ? new Array<Uint8Array>(rows).fill(input.data) : [input.data];
      return { name: input.name, datatype: input.datatype, shape, parts };
    }),
  );
}
