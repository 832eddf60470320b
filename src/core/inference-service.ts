/**
 * The in-process inference API that every transport calls: find the version, validate the request once against the
 * plan, hand the execution to the version's scheduler and shape the response. No wire formats here. Each request
 * that passes validation ends with one RequestEvent for the observers.
 */
import type { InferRequest, InferResponse, OutputTensor, ParameterValue, Parameters, SharedMemoryPlace } from '../protocol/inference.ts';
import type { ExecutionResult } from '../protocol/execution.ts';
import type { WireTensor } from '../protocol/wire-tensor.ts';
import type { ModelLookup, ServableVersion } from './model-lookup.ts';
import type { SequenceFlags } from './scheduler-port.ts';
import type { StepRunner } from './step-runner.ts';
import { reshapeFromModel, reshapeToModel } from './model-plan.ts';
import { classify } from './classification.ts';
import type { ResponseCache } from './response-cache.ts';
import type { RouteKind } from './version-router.ts';
import type { ModelRelease } from './model-release.ts';
import { compareOutputs, type OutputComparison } from './shadow-comparison.ts';
import type { SystemSharedMemory } from './system-shared-memory.ts';
import { traceNow } from './tracer.ts';
import { asServerError, ResponseError } from '../protocol/errors.ts';
import { publishRequest } from './request-events.ts';
import { validateRequest } from './validate-request.ts';

const EMPTY = new Uint8Array(0);

/** Request parameter asking for the batch a request ran in; the response then carries the two below. */
export const BATCH_INFO_PARAMETER = 'nereid_batch_info';
export const BATCH_SIZE_PARAMETER = 'nereid_batch_size';
export const QUEUE_TIME_PARAMETER = 'nereid_queue_time_us';

/** A non-negative integer parameter (priority, timeout), 0 when absent. */
function integerParameter(value: ParameterValue | undefined): number {
  if (value === undefined || typeof value === 'boolean') return 0;
  const n = Number(value);
  return Number.isFinite(n) && n > 0 ? n : 0;
}

/** The sequence parameters of a request to a sequence-batching model. */
function sequenceFlags(parameters: Parameters | undefined): SequenceFlags {
  const id = parameters?.sequence_id;
  const numeric = typeof id === 'number' || typeof id === 'bigint';
  const label = id === undefined || typeof id === 'boolean' ? '' : String(id);
  const absent = label === '' || (numeric && label === '0');
  return {
    key: absent ? '' : `${numeric ? 'n' : 's'}${label}`,
    label,
    start: parameters?.sequence_start === true,
    end: parameters?.sequence_end === true,
  };
}

export class InferenceService implements StepRunner {
  /** `cache`: the server's response cache (--cache-config), used for models with response_cache enabled. */
  constructor(
    private readonly lookup: ModelLookup,
    private readonly cache?: ResponseCache,
    /** The system shared-memory regions outputs may be written to. */
    private readonly sharedMemory?: SystemSharedMemory,
  ) {}

  /** Runs `request` on model `modelName` (version: empty/undefined = the highest READY one). Throws ServerError. */
  infer(modelName: string, version: string | undefined, request: InferRequest): Promise<InferResponse> {
    let servable: ServableVersion;
    let release: ModelRelease | undefined;
    let route: RouteKind = 'default';
    const unnamed = version === undefined || version === '' || version === '-1';
    try {
      servable = this.lookup.resolve(modelName, version);
      release = this.lookup.release(modelName);
      if (release !== undefined && unnamed) {
        // Gray release: a request that names no version goes where its model's routing policy says.
        const choice = release.route(this.lookup.readyVersions(modelName), request.headers, request.parameters);
        route = choice.route;
        if (choice.version !== undefined && choice.version !== servable.plan.version) servable = this.lookup.resolve(modelName, String(choice.version));
      }
      const limits = release?.policy.rateLimits;
      if (limits !== undefined) release!.limiter.admit(servable.plan, limits, request.headers, request.parameters);
    } catch (error) {
      return Promise.reject(error as Error); // callers always get a promise, never a throw
    }
    if (release === undefined || !unnamed) return this.inferOn(servable, modelName, request);
    return this.inferReleased(release, servable, modelName, request, route);
  }

  /**
   * A request routed by a gray release: counted on the version that took it, its outcome given to the guard, and a
   * share of them copied to the shadow version, which the client never waits for.
   */
  private inferReleased(release: ModelRelease, servable: ServableVersion, modelName: string, request: InferRequest, route: RouteKind): Promise<InferResponse> {
    const version = servable.plan.version;
    release.countServed(version, route);
    const shadowVersion = release.shadowTarget(version);
    const shadowing = shadowVersion !== undefined && release.startShadow(version, shadowVersion);
    let primaryOutputs: readonly OutputTensor[] | undefined;
    const startedAt = performance.now();
    const running = this.inferOn(servable, modelName, request, undefined, shadowing ? (outputs) => (primaryOutputs = outputs) : undefined);
    if (release.guarded) {
      running.then(
        () => release.recordOutcome(version, true, performance.now() - startedAt),
        (error: unknown) => {
          if (asServerError(error).code !== 'CANCELLED') release.recordOutcome(version, false, performance.now() - startedAt);
        },
      );
    }
    if (shadowing) {
      // The copy starts once the primary has answered, and after its response has been handed on (setImmediate runs
      // after the promise callbacks that send it): the client's request never shares the main thread with its shadow.
      running.then(
        () => setImmediate(() => void this.runShadow(release, modelName, request, version, shadowVersion, primaryOutputs!)),
        () => release.endShadow(version, shadowVersion, 'skipped'),
      );
    }
    return running;
  }

  /**
   * Runs a copy of `request` on the shadow version (its raw outputs, no shared memory, no classification, no trace,
   * no cancellation) and compares its outputs with the primary's. Never throws.
   */
  private async runShadow(
    release: ModelRelease,
    modelName: string,
    request: InferRequest,
    primaryVersion: number,
    shadowVersion: number,
    primaryOutputs: readonly OutputTensor[],
  ): Promise<void> {
    let outcome: readonly OutputComparison[] | 'failed' = 'failed';
    try {
      const servable = this.lookup.resolve(modelName, String(shadowVersion));
      const copy: InferRequest = {
        ...(request.id === undefined ? {} : { id: request.id }),
        inputs: request.inputs,
        ...(request.outputs === undefined ? {} : { outputs: request.outputs.map((o) => ({ name: o.name })) }),
        ...(request.parameters === undefined ? {} : { parameters: request.parameters }),
      };
      let shadowOutputs: readonly OutputTensor[] = [];
      const startedAt = performance.now();
      let ok = false;
      try {
        await this.inferOn(servable, modelName, copy, undefined, (outputs) => (shadowOutputs = outputs));
        ok = true;
      } finally {
        if (release.guarded) release.recordOutcome(shadowVersion, ok, performance.now() - startedAt);
      }
      const plan = servable.plan;
      outcome = compareOutputs(primaryOutputs, shadowOutputs, new Set(plan.labels?.keys() ?? []), plan.maxBatchSize > 0);
    } catch {
      outcome = 'failed';
    } finally {
      release.endShadow(primaryVersion, shadowVersion, outcome);
    }
  }

  resolve(name: string, version?: string): ServableVersion {
    return this.lookup.resolve(name, version);
  }

  /** Runs `request` on a resolved version; `onResult` hears the execution's result (an ensemble sums its steps'). */
  async inferOn(
    servable: ServableVersion,
    modelName: string,
    request: InferRequest,
    onResult?: (result: ExecutionResult) => void,
    /** Hears the outputs as the model gave them, before classification and shared memory (for shadow comparison). */
    onOutputs?: (outputs: readonly OutputTensor[]) => void,
  ): Promise<InferResponse> {
    const startedAt = performance.now();
    const { plan, scheduler } = servable;
    const trace = request.trace;
    trace?.reachedModel(plan.name, plan.version, request.id, traceNow());
    // A request refused by validation never reaches the model: Triton 2.51 counts it nowhere (statistics, metrics).
    const validated = validateRequest(plan, request);
    const { inputs: inputPlans, batchSize } = validated;
    const rank = plan.responseRank;
    const wanted = rank === undefined ? validated.outputs : [...validated.outputs].sort((a, b) => rank.get(a.name)! - rank.get(b.name)!);
    const batched = plan.maxBatchSize > 0;
    const inputs: WireTensor[] = request.inputs.map((input, i) => {
      const tensor = inputPlans[i]!;
      const shape = tensor.reshape === undefined ? input.shape : reshapeToModel(input.shape, tensor, batched);
      return { name: input.name, datatype: input.datatype, shape, data: input.data };
    });
    const parameters = request.parameters;
    const sequence = plan.sequenceBatching === undefined && plan.ensemble === undefined ? undefined : sequenceFlags(parameters);
    if (trace !== undefined) {
      trace.queued();
      for (const input of request.inputs) trace.tensor('TENSOR_QUEUE_INPUT', input.name, input.datatype, input.shape, input.data);
    }
    // Sequence models and ensembles are never answered from the cache (a step of a sequence depends on the ones before).
    const cacheKey = this.cache !== undefined && plan.responseCache && sequence === undefined ? this.cache.key(plan, inputs) : undefined;
    let cacheNs = 0;
    if (cacheKey !== undefined) {
      const lookedUpAt = performance.now();
      const cached = this.cache!.lookup(cacheKey, (outputs) => holdsAll(outputs, wanted));
      cacheNs = Math.round((performance.now() - lookedUpAt) * 1e6);
      if (cached !== undefined) return this.answerFromCache(plan, modelName, request, wanted, cached, startedAt, cacheNs);
    }
    // A request the scheduler refuses at once (a full queue) is not counted either, as in Triton 2.51.
    const running = scheduler.enqueue({
      inputs,
      outputNames: wanted.map((o) => o.name),
      batchSize,
      priority: integerParameter(parameters?.priority),
      timeoutUs: integerParameter(parameters?.timeout),
      requestId: request.id ?? '',
      // An ensemble hands the sequence parameters on to its steps, as Triton does.
      ...(sequence === undefined ? {} : { sequence }),
      ...(request.signal === undefined ? {} : { signal: request.signal }),
    });
    let result: ExecutionResult | undefined;
    try {
      result = await running;
      const outputs: OutputTensor[] = result.outputs.map((output, i) => {
        const tensor = wanted[i]!;
        const shape = tensor.reshape === undefined ? output.shape : reshapeFromModel(output.shape, tensor, batched);
        return { name: tensor.name, datatype: tensor.datatype, shape, data: output.data };
      });
      if (cacheKey !== undefined) {
        const insertedAt = performance.now();
        this.cache!.insert(cacheKey, outputs);
        cacheNs += Math.round((performance.now() - insertedAt) * 1e6);
      }
      publishRequest(plan, startedAt, result, undefined, undefined, cacheKey === undefined ? undefined : { hit: false, ns: cacheNs });
      if (trace !== undefined) {
        for (const output of outputs) trace.tensor('TENSOR_BACKEND_OUTPUT', output.name, output.datatype, output.shape, output.data);
        trace.responded(result.timings);
      }
      onResult?.(result);
      onOutputs?.(outputs.slice());
      // Classification and shared-memory outputs are the front end's business in Triton: after the request is counted.
      if (request.outputs?.some((o) => o.classCount !== undefined && o.classCount > 0)) classifyOutputs(outputs, request, plan);
      if (request.outputs?.some((o) => o.sharedMemory !== undefined)) this.writeSharedMemoryOutputs(outputs, request);
      return {
        modelName,
        modelVersion: String(plan.version),
        ...(request.id ? { id: request.id } : {}),
        outputs,
        ...responseParameters(plan.ensemble === undefined ? undefined : sequence, parameters?.[BATCH_INFO_PARAMETER] === true ? result : undefined),
      };
    } catch (error) {
      // An ensemble counts its failures itself (as Triton does: twice, under OTHER).
      if (result === undefined && plan.ensemble === undefined) publishRequest(plan, startedAt, undefined, error);
      throw error;
    }
  }

  /** A response answered from the cache: counted as a success that never queued nor ran, then classified. */
  private answerFromCache(
    plan: ServableVersion['plan'],
    modelName: string,
    request: InferRequest,
    wanted: readonly { name: string }[],
    cached: readonly OutputTensor[],
    startedAt: number,
    cacheNs: number,
  ): InferResponse {
    const outputs = cachedOutputs(cached, wanted);
    publishRequest(plan, startedAt, CACHE_HIT_RESULT, undefined, undefined, { hit: true, ns: cacheNs });
    request.trace?.responded(undefined);
    if (request.outputs?.some((o) => o.classCount !== undefined && o.classCount > 0)) classifyOutputs(outputs, request, plan);
    if (request.outputs?.some((o) => o.sharedMemory !== undefined)) this.writeSharedMemoryOutputs(outputs, request);
    return { modelName, modelVersion: String(plan.version), ...(request.id ? { id: request.id } : {}), outputs };
  }

  /**
   * Writes each output asked for in shared memory into its region, leaving the response an empty tensor that says
   * where it went; a region too small for the output fails the response with Triton's INTERNAL text.
   */
  private writeSharedMemoryOutputs(outputs: OutputTensor[], request: InferRequest): void {
    const places = new Map<string, SharedMemoryPlace>();
    for (const o of request.outputs!) if (o.sharedMemory !== undefined) places.set(o.name, o.sharedMemory);
    for (let i = 0; i < outputs.length; i++) {
      const output = outputs[i]!;
      const place = places.get(output.name);
      if (place === undefined) continue;
      if (place.byteSize < output.data.byteLength) {
        throw new ResponseError(
          'INTERNAL',
          `shared memory size specified with the request for output '${output.name}' (${place.byteSize} bytes) should be at least ` +
            `${output.data.byteLength} bytes to hold the results`,
        );
      }
      if (this.sharedMemory === undefined) throw new ResponseError('NOT_FOUND', `Unable to find shared memory region: '${place.region}'`);
      this.sharedMemory.write(place, output.data);
      outputs[i] = { name: output.name, datatype: output.datatype, shape: output.shape, data: EMPTY, sharedMemory: place };
    }
  }
}

/** The queue and compute times of a request answered from the cache: none. */
const CACHE_HIT_RESULT = { queueNs: 0, timings: { startedAtMs: 0, endedAtMs: 0, computeInputNs: 0, computeInferNs: 0, computeOutputNs: 0 } };

/** Whether a stored response has every output a request wants. */
function holdsAll(stored: readonly OutputTensor[], wanted: readonly { name: string }[]): boolean {
  return wanted.every((w) => stored.some((o) => o.name === w.name));
}

/** The outputs a request wants, taken from a stored response that holds them all (holdsAll), in the response's order. */
function cachedOutputs(cached: readonly OutputTensor[], wanted: readonly { name: string }[]): OutputTensor[] {
  return wanted.map((w) => cached.find((o) => o.name === w.name)!);
}

/** Replaces each output requested with a class count by its classification (classification.ts). */
function classifyOutputs(outputs: OutputTensor[], request: InferRequest, plan: ServableVersion['plan']): void {
  const counts = new Map<string, number>();
  for (const o of request.outputs!) if (o.classCount !== undefined && o.classCount > 0) counts.set(o.name, o.classCount);
  for (let i = 0; i < outputs.length; i++) {
    const count = counts.get(outputs[i]!.name);
    if (count !== undefined) outputs[i] = classify(outputs[i]!, count, plan.maxBatchSize > 0, plan.labels?.get(outputs[i]!.name));
  }
}

/**
 * The response's parameters: an ensemble's carry the request's correlation ID and flags back, as Triton's do (an
 * integer ID, 0 when none, or a string); `batchInfo` adds the batch the request ran in when it asked for it.
 */
function responseParameters(ensembleSequence: SequenceFlags | undefined, batchInfo: ExecutionResult | undefined): { parameters?: Parameters } {
  if (ensembleSequence === undefined && batchInfo === undefined) return {};
  const parameters: Parameters = {};
  if (ensembleSequence !== undefined) {
    const { key, label } = ensembleSequence;
    parameters.sequence_id = key.startsWith('s') ? label : key === '' ? 0 : integerValue(label);
    parameters.sequence_start = ensembleSequence.start;
    parameters.sequence_end = ensembleSequence.end;
  }
  if (batchInfo !== undefined) {
    parameters[BATCH_SIZE_PARAMETER] = batchInfo.batchSize;
    parameters[QUEUE_TIME_PARAMETER] = Math.round(batchInfo.queueNs / 1000);
  }
  return { parameters };
}

/** A decimal integer as a number when it is exact, else as a bigint. */
function integerValue(label: string): number | bigint {
  const n = Number(label);
  return Number.isSafeInteger(n) ? n : BigInt(label);
}
