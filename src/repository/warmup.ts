/**
 * Model warmup (model_warmup, model-config §8): before a version turns READY every instance runs every warmup sample,
 * in config order, straight on the instance (no scheduler); outputs are discarded. Any failure fails the load with
 * Triton's error (TritonModelInstance::WarmUp and the ONNX Runtime backend's execution checks). As in tritonserver
 * 2.51, a warmup that succeeds is counted in statistics and metrics like inference: each iteration of a sample is one
 * execution of `batch_size` requests on each instance. The events are published once every instance has warmed up,
 * so a load that fails leaves no counts behind.
 */
import type { ModelConfig } from '../config/model-config.ts';
import { reshapeToModel, type ModelPlan } from '../core/model-plan.ts';
import { publishRequest } from '../core/request-events.ts';
import type { ModelInstance } from '../instance/model-instance.ts';
import type { RunTimings } from '../protocol/execution.ts';
import { packInputs, type PackedInputs } from '../protocol/packed-inputs.ts';
import { invalidArg } from '../protocol/errors.ts';
import { publishExecution } from '../scheduler/execution-events.ts';
import { prepareWarmupSamples, type WarmupSample } from './warmup-samples.ts';

/** One warmup execution that succeeded, kept until the whole warmup has (then published as statistics). */
interface WarmupExecution {
  readonly requests: number;
  readonly startedAt: number;
  readonly endedAt: number;
  readonly timings: RunTimings;
}

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
  const executions: WarmupExecution[] = [];
  const results = await Promise.allSettled(instances.map((instance) => warmInstance(instance, samples, plan, executions)));
  const failure = results.find((result) => result.status === 'rejected');
  if (failure !== undefined) throw (failure as PromiseRejectedResult).reason;
  for (const execution of executions) publishWarmupExecution(plan, execution);
}

async function warmInstance(
  instance: ModelInstance,
  samples: readonly WarmupSample[],
  plan: ModelPlan,
  executions: WarmupExecution[],
): Promise<void> {
  for (const sample of samples) {
    for (let iteration = 1; iteration <= sample.count; iteration++) {
      const errors = await runSample(instance, sample, plan, executions);
      if (errors.length > 0) {
        throw invalidArg(`failed to run warmup sample '${sample.name}': ${errors.map((e) => `${e}; `).join('')}`);
      }
    }
  }
}

/**
 * Executes one iteration of a sample (its `batchSize` requests together, as one execution) and returns the error of
 * each request that failed: a failed execution fails every request, as the ONNX Runtime backend answers them all
 * with its error. The backend refuses more requests than the model batches: above max_batch_size, and more than one
 * when the model does not batch (max_batch_size 0; tritonserver 2.51 fails such a warmup).
 */
async function runSample(instance: ModelInstance, sample: WarmupSample, plan: ModelPlan, executions: WarmupExecution[]): Promise<string[]> {
  const failEach = (message: string): string[] => new Array<string>(sample.batchSize).fill(message);
  if (sample.batchSize !== 1 && sample.batchSize > plan.maxBatchSize) {
    return failEach(`batch size ${sample.batchSize} for '${instance.name}', max allowed is ${plan.maxBatchSize}`);
  }
  // A name outside the config reaches the backend, which finds no ONNX input of that name (sequence control inputs,
  // which Triton injects this way, are not supported).
  if (sample.unknownInput !== undefined) return failEach(`Failed to retrieve the ONNX input tensor info from '${sample.unknownInput}'.`);
  const outputNames = plan.outputs.map((output) => output.name);
  const startedAt = performance.now();
  try {
    const { timings } = await instance.run(packSample(sample, plan), outputNames);
    executions.push({ requests: sample.batchSize, startedAt, endedAt: performance.now(), timings });
    return [];
  } catch (error) {
    return failEach(error instanceof Error ? error.message : String(error));
  }
}

/** Counts one warmup execution as the schedulers count an inference: the execution, then each of its requests. */
function publishWarmupExecution(plan: ModelPlan, execution: WarmupExecution): void {
  publishExecution(plan, execution.requests, execution.requests, execution.timings);
  const result = { queueNs: 0, timings: execution.timings };
  for (let i = 0; i < execution.requests; i++) publishRequest(plan, execution.startedAt, result, undefined, execution.endedAt);
}

/**
 * The sample's inputs in model-side shapes (reshape applied as on the inference path), one fresh packed buffer: its
 * requests concatenated along the batch dimension, or the one request as it is when the model does not batch.
 */
function packSample(sample: WarmupSample, plan: ModelPlan): PackedInputs {
  const batched = plan.maxBatchSize > 0;
  const rows = sample.batchSize;
  return packInputs(
    sample.inputs.map((input) => {
      const tensor = plan.inputByName.get(input.name)!;
      const shape = reshapeToModel(batched ? [rows, ...input.dims] : input.dims, tensor, batched);
      const parts = batched ? new Array<Uint8Array>(rows).fill(input.data) : [input.data];
      return { name: input.name, datatype: input.datatype, shape, parts };
    }),
  );
}
