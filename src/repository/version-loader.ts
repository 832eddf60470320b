/**
 * Loads one version of a model: inspect the ONNX file, complete and check the config against it, start every
 * instance (its own session each, on the instance pool's workers), warm them up, and build the plan and scheduler the hot path
 * uses.
 */
import type { ModelConfig } from '../config/model-config.ts';
import { expandInstances, type InstanceSpec } from '../config/normalize.ts';
import { sessionPlanFor } from '../config/ort-options.ts';
import { completeConfig, completeEnsembleConfig, type PipelineOptions } from '../config/pipeline.ts';
import { validateEnsembleSteps } from '../config/validate-ensemble-steps.ts';
import { refuseNotCarriedOut } from '../config/not-carried-out.ts';
import { buildModelPlan, type ModelPlan } from '../core/model-plan.ts';
import { missingProviderReason } from '../instance/devices.ts';
import { inspectModel } from '../instance/inspect-model.ts';
import type { InstancePool } from '../instance/instance-pool.ts';
import { ortOptionsFor } from '../instance/session-options.ts';
import { ModelInstance } from '../instance/model-instance.ts';
import { unavailable } from '../protocol/errors.ts';
import { DirectScheduler } from '../scheduler/direct-scheduler.ts';
import { DynamicBatcher } from '../scheduler/dynamic-batcher.ts';
import { SequenceBatcher } from '../scheduler/sequence-batcher.ts';
import { EnsembleScheduler } from '../scheduler/ensemble-scheduler.ts';
import { modelLoadChannel } from '../core/inference-events.ts';
import type { Scheduler } from '../core/scheduler-port.ts';
import type { StepRunner } from '../core/step-runner.ts';
import { resolveModelFile } from './model-file.ts';
import { runWarmup } from './warmup.ts';
import { sessionStatesFor } from './sequence-states.ts';
import { readOutputLabels } from './output-labels.ts';

/** A version that is up: everything an inference needs, decided once at load. */
export interface LoadedVersion {
  readonly version: number;
  /** Replaced when a load changes only the `nereid.*` parameters (the version keeps serving untouched). */
  config: Readonly<ModelConfig>;
  readonly plan: ModelPlan;
  readonly instances: readonly ModelInstance[];
  readonly scheduler: Scheduler;
}

export interface VersionSource {
  readonly modelName: string;
  readonly modelDir: string;
  readonly version: number;
  /** The model's config after parsing and server-side fill. */
  readonly filledConfig: ModelConfig;
}

/** What loading a version uses: the config pipeline's options, the instance workers, and (for ensembles) the steps' runner. */
export interface LoadContext {
  readonly pipeline: PipelineOptions;
  readonly pool: InstancePool;
  readonly steps: StepRunner;
}

/**
 * `progress` hears where a load stands (`inspecting the model`, `<k> of <n> instances loaded`, `warming up`), for the
 * repository index of a long load.
 */
export async function loadVersion(source: VersionSource, context: LoadContext, progress: (step: string) => void = () => undefined): Promise<LoadedVersion> {
  if (source.filledConfig.ensemble_scheduling !== undefined) return loadEnsembleVersion(source, context.steps);
  const { pipeline: options, pool } = context;
  const startedAt = performance.now();
  const label = `'${source.modelName}' version ${source.version}`;
  progress('inspecting the model');
  const probePath = resolveModelFile(source.modelDir, source.version, source.filledConfig, source.modelName);
  const metadata = await inspectModel(pool, probePath, label);
  const config = completeConfig(source.filledConfig, metadata, options);
  refuseNotCarriedOut(config);
  const states = sessionStatesFor(config, source.modelDir);
  const labels = readOutputLabels(config, source.modelDir);
  const specs = expandInstances(config);
  const threads = pool.intraOpThreads;
  const instances = specs.map((spec) => {
    checkProviders(config, spec);
    const modelPath = resolveModelFile(source.modelDir, source.version, config, spec.name);
    const options = ortOptionsFor(sessionPlanFor(config, { kind: spec.kind, deviceId: spec.deviceId }), threads, config.name);
    return new ModelInstance({ name: spec.name, kind: spec.kind, deviceId: spec.deviceId }, label, modelPath, options, pool, states);
  });
  let loadedCount = 0;
  progress(`0 of ${instances.length} instances loaded`);
  const started = await Promise.allSettled(instances.map((instance) => instance.start().then((metadata) => {
    progress(`${++loadedCount} of ${instances.length} instances loaded`);
    return metadata;
  })));
  const failure = started.find((result) => result.status === 'rejected');
  if (failure !== undefined) {
    await Promise.all(instances.map((instance) => instance.stop()));
    throw (failure as PromiseRejectedResult).reason;
  }
  const active = instances.filter((_, i) => !specs[i]!.passive);
  const plan = buildModelPlan(config, source.version, labels);
  if ((config.model_warmup ?? []).length > 0) progress('warming up');
  try {
    // Every (non-passive) instance runs the model_warmup samples before the version may turn READY.
    await runWarmup(config, plan, source.modelDir, active);
  } catch (error) {
    await Promise.all(instances.map((instance) => instance.stop()));
    throw error;
  }
  // Triton batches across requests only with dynamic_batching; max_batch_size alone does not (the plan says which).
  const scheduler: Scheduler = plan.sequenceBatching !== undefined
    ? new SequenceBatcher(plan, active)
    : plan.dynamicBatching !== undefined ? new DynamicBatcher(plan, active) : new DirectScheduler(plan, active);
  publishModelLoad(plan, (performance.now() - startedAt) / 1000);
  return { version: source.version, config, plan, instances, scheduler };
}

/**
 * An ensemble version: no file and no instances. Its composing models must be READY (the repository loads them
 * first); the steps are checked against their configs and its scheduler runs the steps on them.
 */
function loadEnsembleVersion(source: VersionSource, steps: StepRunner): LoadedVersion {
  const startedAt = performance.now();
  const config = completeEnsembleConfig(source.filledConfig);
  const plan = buildModelPlan(config, source.version, readOutputLabels(config, source.modelDir));
  const composing = (plan.ensemble ?? []).map((step) => steps.resolve(step.modelName, step.modelVersion).config);
  validateEnsembleSteps(config, (index) => composing[index]!);
  publishModelLoad(plan, (performance.now() - startedAt) / 1000);
  return { version: source.version, config, plan, instances: [], scheduler: new EnsembleScheduler(plan, steps) };
}

function publishModelLoad(plan: ModelPlan, seconds: number): void {
  if (modelLoadChannel.hasSubscribers) modelLoadChannel.publish({ plan, seconds });
}

/** Stops a version once its in-flight executions have finished; its sessions are freed (and workers left empty end). */
export async function unloadVersion(loaded: LoadedVersion): Promise<void> {
  await loaded.scheduler.drained();
  await Promise.all(loaded.instances.map((instance) => instance.stop()));
}

/** A GPU instance needs its providers installed; nothing silently falls back to the CPU. */
function checkProviders(config: Readonly<ModelConfig>, spec: InstanceSpec): void {
  if (spec.kind !== 'KIND_GPU') return;
  const wanted: ('cuda' | 'tensorrt')[] = ['cuda'];
  const accelerators = config.optimization?.execution_accelerators?.gpu_execution_accelerator ?? [];
  if (accelerators.some((a) => a.name === 'tensorrt')) wanted.unshift('tensorrt');
  for (const provider of wanted) {
    const reason = missingProviderReason(provider);
    if (reason !== undefined) throw unavailable(`instance '${spec.name}' of model '${config.name}' (KIND_GPU, device ${spec.deviceId}): ${reason}`);
  }
}
