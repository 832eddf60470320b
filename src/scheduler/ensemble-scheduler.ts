/**
 * Triton's ensemble scheduler: a request to an ensemble runs its steps as a data flow. A step starts as soon as every
 * tensor it reads is there (independent steps run at once), each step is a request to its composing model through that
 * model's own scheduler (so a batching step batches across ensemble requests, and the step counts in that model's
 * statistics), and the tensors between steps stay in the server as the bytes the steps produced. Steps whose outputs
 * the request does not need are not run. The first failing step fails the request with `in ensemble '<name>', ...`.
 */
import type { EnsembleStepPlan, ModelPlan } from '../core/model-plan.ts';
import type { ServableVersion } from '../core/model-lookup.ts';
import type { Execution, Scheduler } from '../core/scheduler-port.ts';
import type { StepRunner } from '../core/step-runner.ts';
import { asServerError, ServerError } from '../protocol/errors.ts';
import type { ExecutionResult, RunTimings } from '../protocol/execution.ts';
import type { InferRequest, InputTensor, OutputTensor, Parameters, RequestedOutput } from '../protocol/inference.ts';
import type { WireTensor } from '../protocol/wire-tensor.ts';
import { publishRequest } from '../core/request-events.ts';
import { publishExecution } from './execution-events.ts';

/** An ensemble tensor: its bytes and the batch size of the request or step that produced it (0 = not batched). */
interface Held {
  readonly tensor: WireTensor;
  readonly batchSize: number;
}

/**
 * What the ensemble reports as its own figures: its queue time is its own (until its steps start); its compute times
 * are the sums of its steps' (Triton's secondary stats aggregator).
 */
interface StepTotals {
  queueNs: number;
  computeInputNs: number;
  computeInferNs: number;
  computeOutputNs: number;
}

export class EnsembleScheduler implements Scheduler {
  private readonly steps: readonly EnsembleStepPlan[];
  /** Which step writes each tensor. */
  private readonly producer = new Map<string, number>();
  /** Which steps read each tensor. */
  private readonly consumers = new Map<string, number[]>();
  /** The steps a set of requested outputs needs, by the outputs' names joined. */
  private readonly neededByOutputs = new Map<string, readonly boolean[]>();
  private running = 0;
  private drainWaiters: (() => void)[] = [];

  constructor(
    private readonly plan: ModelPlan,
    private readonly runner: StepRunner,
  ) {
    this.steps = plan.ensemble ?? [];
    this.steps.forEach((step, index) => {
      for (const [, tensor] of step.outputs) this.producer.set(tensor, index);
      for (const [, tensor] of step.inputs) {
        const readers = this.consumers.get(tensor) ?? [];
        if (!readers.includes(index)) readers.push(index);
        this.consumers.set(tensor, readers);
      }
    });
  }

  get inflight(): number {
    return this.running;
  }

  /** An ensemble queues nothing itself: its steps wait in their models' queues. */
  get pending(): number {
    return 0;
  }

  drained(): Promise<void> {
    if (this.running === 0) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  enqueue(execution: Execution): Promise<ExecutionResult> {
    this.running++;
    const done = (): void => {
      if (--this.running > 0) return;
      const waiters = this.drainWaiters;
      this.drainWaiters = [];
      for (const resolve of waiters) resolve();
    };
    const run = this.run(execution);
    run.then(done, done);
    return run;
  }

  private async run(execution: Execution): Promise<ExecutionResult> {
    const startedAt = performance.now();
    // Every composing model is looked up before any step runs (Triton takes a handle on each for the whole request).
    const versions: ServableVersion[] = [];
    const held = new Map<string, Held>();
    const totals: StepTotals = { queueNs: 0, computeInputNs: 0, computeInferNs: 0, computeOutputNs: 0 };
    try {
      for (const step of this.steps) versions.push(this.runner.resolve(step.modelName, step.modelVersion));
      for (const input of execution.inputs) held.set(input.name, { tensor: input, batchSize: execution.batchSize });
      totals.queueNs = Math.round((performance.now() - startedAt) * 1e6);
      await this.runSteps(execution, versions, held, totals);
    } catch (error) {
      // Triton 2.51 counts a failed ensemble request twice, under OTHER whatever the step's failure was.
      publishRequest(this.plan, startedAt, undefined, 'OTHER');
      publishRequest(this.plan, startedAt, undefined, 'OTHER');
      throw this.inEnsemble(error);
    }

    const batched = this.plan.maxBatchSize > 0;
    const outputs: WireTensor[] = execution.outputNames.map((name) => {
      const { tensor, batchSize } = held.get(name)!;
      const dims = this.plan.outputByName.get(name)?.dims ?? tensor.shape;
      return { name, datatype: tensor.datatype, shape: shapeFor(dims, batched, batchSize, tensor.shape), data: tensor.data };
    });
    const timings: RunTimings = {
      startedAtMs: performance.timeOrigin + startedAt,
      endedAtMs: performance.timeOrigin + performance.now(),
      computeInputNs: totals.computeInputNs,
      computeInferNs: totals.computeInferNs,
      computeOutputNs: totals.computeOutputNs,
    };
    const batchSize = Math.max(1, execution.batchSize);
    publishExecution(this.plan, batchSize, 1, timings);
    return { outputs, timings, queueNs: totals.queueNs, batchSize };
  }

  /** Runs the steps the requested outputs need, each once its inputs are held; rejects with the first failure. */
  private runSteps(execution: Execution, versions: readonly ServableVersion[], held: Map<string, Held>, totals: StepTotals): Promise<void> {
    const needed = this.needed(execution.outputNames);
    let remaining = needed.filter(Boolean).length;
    if (remaining === 0) return Promise.resolve();
    const started = new Set<number>();
    const parameters = stepParameters(execution);
    const addTotals = (result: ExecutionResult): void => {
      totals.computeInputNs += result.timings.computeInputNs;
      totals.computeInferNs += result.timings.computeInferNs;
      totals.computeOutputNs += result.timings.computeOutputNs;
    };
    return new Promise<void>((resolve, reject) => {
      let failed = false;
      const launch = (candidates: Iterable<number>): void => {
        for (const index of candidates) {
          if (failed || !needed[index] || started.has(index)) continue;
          const step = this.steps[index]!;
          if (!step.inputs.every(([, tensor]) => held.has(tensor))) continue;
          started.add(index);
          const version = versions[index]!;
          let request: InferRequest;
          let stepBatch: number;
          try {
            ({ request, batchSize: stepBatch } = stepRequest(step, version, held, execution, parameters));
          } catch (error) {
            failed = true;
            reject(error);
            return;
          }
          this.runner.inferOn(version, step.modelName, request, addTotals).then((response) => {
            if (failed) return;
            const produced: string[] = [];
            for (const output of response.outputs) {
              const tensor = step.outputs.find(([name]) => name === output.name)?.[1];
              if (tensor === undefined) continue;
              held.set(tensor, { tensor: asTensor(tensor, output), batchSize: stepBatch });
              produced.push(tensor);
            }
            if (--remaining === 0) {
              resolve();
              return;
            }
            launch(produced.flatMap((tensor) => this.consumers.get(tensor) ?? []));
          }, (error: unknown) => {
            if (failed) return;
            failed = true;
            reject(error);
          });
        }
      };
      launch(this.steps.keys());
    });
  }

  /** The steps that write, directly or through other steps, one of `outputs` (Triton prunes the rest). */
  private needed(outputs: readonly string[]): readonly boolean[] {
    const key = outputs.join('\u0000');
    const cached = this.neededByOutputs.get(key);
    if (cached !== undefined) return cached;
    const needed = this.steps.map(() => false);
    const pending = [...outputs];
    for (let tensor = pending.pop(); tensor !== undefined; tensor = pending.pop()) {
      const index = this.producer.get(tensor);
      if (index === undefined || needed[index]) continue;
      needed[index] = true;
      for (const [, input] of this.steps[index]!.inputs) pending.push(input);
    }
    this.neededByOutputs.set(key, needed);
    return needed;
  }

  private inEnsemble(error: unknown): ServerError {
    const e = asServerError(error);
    return new ServerError(e.code, `in ensemble '${this.plan.name}', ${e.message}`);
  }
}

/** The request parameters every step carries over from the ensemble request: correlation ID, its flags, priority. */
function stepParameters(execution: Execution): Parameters | undefined {
  const parameters: Parameters = {};
  const sequence = execution.sequence;
  if (sequence !== undefined && sequence.key !== '') {
    parameters.sequence_id = sequence.key.startsWith('n') ? BigInt(sequence.label) : sequence.label;
  }
  if (sequence?.start === true) parameters.sequence_start = true;
  if (sequence?.end === true) parameters.sequence_end = true;
  if (execution.priority > 0) parameters.priority = execution.priority;
  return Object.keys(parameters).length === 0 ? undefined : parameters;
}

/** A step's request: its inputs from the held tensors (shaped for the model's batching) and its mapped outputs. */
function stepRequest(
  step: EnsembleStepPlan,
  version: ServableVersion,
  held: ReadonlyMap<string, Held>,
  execution: Execution,
  parameters: Parameters | undefined,
): { request: InferRequest; batchSize: number } {
  const batching = version.plan.maxBatchSize > 0;
  const inputs: InputTensor[] = step.inputs.map(([name, tensorName]) => {
    const { tensor, batchSize } = held.get(tensorName)!;
    const dims = version.plan.inputByName.get(name)?.dims ?? tensor.shape;
    return { name, datatype: tensor.datatype, shape: shapeFor(dims, batching, batchSize, tensor.shape), data: tensor.data };
  });
  const outputs: RequestedOutput[] = step.outputs.map(([name]) => ({ name }));
  const request: InferRequest = {
    ...(execution.requestId === '' ? {} : { id: execution.requestId }),
    inputs,
    outputs,
    ...(parameters === undefined ? {} : { parameters }),
    ...(execution.signal === undefined ? {} : { signal: execution.signal }),
  };
  return { request, batchSize: batching ? (inputs[0]?.shape[0] ?? 0) : 0 };
}

function asTensor(name: string, output: OutputTensor): WireTensor {
  return { name, datatype: output.datatype, shape: output.shape, data: output.data };
}

/**
 * Triton's ReshapeTensorDims: a tensor moving between a batching and a non-batching side gains a batch dimension of 1
 * (when its shape already matches the dims) or loses a batch dimension of 1 (when it does not); otherwise it is kept.
 */
function shapeFor(dims: readonly number[], batching: boolean, tensorBatch: number, shape: readonly number[]): readonly number[] {
  if (batching === (tensorBatch !== 0)) return shape;
  if (batching) return matchesDims(dims, shape) ? [1, ...shape] : shape;
  return !matchesDims(dims, shape) && tensorBatch === 1 ? shape.slice(1) : shape;
}

/** Triton's CompareDimsWithWildcard: the same rank, each dim equal or either one variable (-1). */
function matchesDims(dims: readonly number[], shape: readonly number[]): boolean {
  return dims.length === shape.length && dims.every((d, i) => d === -1 || shape[i] === -1 || d === shape[i]);
}
