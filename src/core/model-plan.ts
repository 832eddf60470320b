/**
 * The per-version model plan: everything about a loaded version's inputs and outputs that request handling needs,
 * computed once when the version loads (never per request) from its normalized config, so validation and the worker
 * only do lookups.
 */
import type { ModelConfig } from '../config/model-config.ts';
import { byteSizeOf, datatypeFromConfig, type Datatype } from '../protocol/datatypes.ts';
import { internal } from '../protocol/errors.ts';
import type { SequenceBatching } from '../config/sequence-batching.ts';
import { batchingPlan, type BatchingPlan } from './batching-plan.ts';
import { tritonInputOrder } from './triton-input-order.ts';

/** The variable-size dimension marker of model configs. */
export const WILDCARD_DIM = -1;

export interface TensorPlan {
  readonly name: string;
  /** Protocol datatype (TYPE_STRING → BYTES). */
  readonly datatype: Datatype;
  /** Config dims, without the batch dimension. */
  readonly dims: readonly number[];
  /** Config `reshape.shape` (what the model sees), if any. */
  readonly reshape?: readonly number[];
  /** Inputs only: the request may leave it out. Always false for outputs. */
  readonly optional: boolean;
  /** Bytes per element; 0 for BYTES. */
  readonly elementByteSize: number;
  /** Position in the config's input or output list. */
  readonly index: number;
  /** The shape clients see in metadata and error texts: `[-1, ...dims]` when the model batches, else `dims`. */
  readonly fullShape: readonly number[];
}

export interface ModelPlan {
  readonly name: string;
  readonly version: number;
  readonly maxBatchSize: number;
  /** In config order. */
  readonly inputs: readonly TensorPlan[];
  /** In config order. */
  readonly outputs: readonly TensorPlan[];
  readonly inputByName: ReadonlyMap<string, TensorPlan>;
  readonly outputByName: ReadonlyMap<string, TensorPlan>;
  /** Number of inputs not marked optional. */
  readonly requiredInputCount: number;
  /** Present when requests are batched together (`dynamic_batching` and `max_batch_size > 0`). */
  readonly dynamicBatching?: BatchingPlan;
  /** Present for `sequence_batching` models: requests carry a correlation ID and run in order per sequence. */
  readonly sequenceBatching?: SequencePlan;
  /** Present for ensembles: the steps, in config order. */
  readonly ensemble?: readonly EnsembleStepPlan[];
  /**
   * Ensembles only: each output's place in a response. Triton answers in the order of its map of the ensemble's
   * outputs (triton-input-order.ts), whatever the order they were asked for in.
   */
  readonly responseRank?: ReadonlyMap<string, number>;
  /** `response_cache { enable: true }`: responses may be answered from the server's response cache. */
  readonly responseCache: boolean;
  /** Each output's class labels by index (the lines of its label_filename), for the classification extension. */
  readonly labels?: ReadonlyMap<string, readonly string[]>;
}

/** One step of an ensemble: the composing model and how its tensors map to the ensemble's. */
export interface EnsembleStepPlan {
  readonly modelName: string;
  /** The version asked for, as a request names it ('' for -1: the highest READY one). */
  readonly modelVersion: string;
  /** [model input, ensemble tensor] pairs. */
  readonly inputs: readonly (readonly [string, string])[];
  /** [model output, ensemble tensor] pairs. */
  readonly outputs: readonly (readonly [string, string])[];
}

interface EnsembleStepConfig {
  model_name: string;
  model_version: number | string | bigint;
  input_map: Record<string, string>;
  output_map: Record<string, string>;
}

function ensemblePlan(config: Readonly<ModelConfig>): readonly EnsembleStepPlan[] | undefined {
  const steps = config.ensemble_scheduling?.step as EnsembleStepConfig[] | undefined;
  if (steps === undefined) return undefined;
  return Object.freeze(steps.map((step) => {
    const version = Number(step.model_version);
    return Object.freeze({
      modelName: step.model_name,
      modelVersion: version < 0 ? '' : String(version),
      inputs: Object.freeze(Object.entries(step.input_map)),
      outputs: Object.freeze(Object.entries(step.output_map)),
    });
  }));
}

/** What the sequence batcher needs of `sequence_batching`. */
export interface SequencePlan {
  /** direct: each sequence holds one of max_batch_size slots per instance; oldest: batched like the dynamic batcher. */
  readonly strategy: 'direct' | 'oldest';
  /**
   * Sequences each instance takes at once (Triton's sequence slots): max_batch_size (at least 1), or for oldest its
   * max_candidate_sequences when set. Further sequences wait in a backlog until one ends.
   */
  readonly slotsPerInstance: number;
  /** max_sequence_idle_microseconds (normalized: 1 s when unset). */
  readonly idleUs: number;
  /** The control inputs the batcher adds to every request, in config order. */
  readonly controls: readonly ControlPlan[];
  /** Implicit state: fed from one request of a sequence to the next. */
  readonly states: readonly StatePlan[];
  /** How long the head requests on a free instance may wait for a fuller batch (0 = never wait). */
  readonly queueDelayUs: number;
  /** oldest: batch sizes worth sending at once (a batch is cut to the largest one its requests reach). */
  readonly preferredBatchSizes: readonly number[];
  /** direct: the share of max_batch_size a batch must fill before the delay is up (0 = send at once). */
  readonly minimumSlotUtilization: number;
}

/** One implicit state tensor: the model input fed with what the output of the sequence's previous request held. */
export interface StatePlan {
  readonly inputName: string;
  readonly outputName: string;
  readonly datatype: Datatype;
  /** The state at START (all zeros), per request row: shape without the batch dimension. */
  readonly initialShape: readonly number[];
}

/** One control input: which sequence fact it carries, as which tensor. */
export interface ControlPlan {
  readonly name: string;
  readonly kind: 'CONTROL_SEQUENCE_START' | 'CONTROL_SEQUENCE_END' | 'CONTROL_SEQUENCE_READY' | 'CONTROL_SEQUENCE_CORRID';
  readonly datatype: Datatype;
  /** START / END / READY: one element's bytes for false and for true (the config's `*_false_true`). */
  readonly falseTrue?: readonly [Uint8Array, Uint8Array];
}

function sequencePlan(config: Readonly<ModelConfig>): SequencePlan | undefined {
  const seq = config.sequence_batching as SequenceBatching | undefined;
  if (seq === undefined) return undefined;
  const controls: ControlPlan[] = [];
  for (const input of seq.control_input) {
    for (const control of input.control) {
      if (control.kind === 'CONTROL_SEQUENCE_CORRID') {
        const datatype = datatypeFromConfig(control.data_type);
        if (datatype === undefined) throw internal(`model '${config.name}': control '${input.name}' has data type ${control.data_type}`);
        controls.push({ name: input.name, kind: control.kind, datatype });
      } else if (control.fp32_false_true.length === 2) {
        const [f, t] = control.fp32_false_true;
        controls.push({ name: input.name, kind: control.kind, datatype: 'FP32', falseTrue: [bytesOf(new Float32Array([f!])), bytesOf(new Float32Array([t!]))] });
      } else if (control.int32_false_true.length === 2) {
        const [f, t] = control.int32_false_true;
        controls.push({ name: input.name, kind: control.kind, datatype: 'INT32', falseTrue: [bytesOf(new Int32Array([f!])), bytesOf(new Int32Array([t!]))] });
      } else {
        const [f, t] = control.bool_false_true;
        controls.push({ name: input.name, kind: control.kind, datatype: 'BOOL', falseTrue: [Uint8Array.of(f ? 1 : 0), Uint8Array.of(t ? 1 : 0)] });
      }
    }
  }
  const states: StatePlan[] = seq.state.map((state) => {
    const datatype = datatypeFromConfig(state.data_type);
    if (datatype === undefined) throw internal(`model '${config.name}': state '${state.input_name}' has data type ${state.data_type}`);
    // A variable dimension starts empty unless the initial state gives it.
    const initialShape = state.initial_state[0]?.dims ?? state.dims.map((d) => Math.max(0, Number(d)));
    return { inputName: state.input_name, outputName: state.output_name, datatype, initialShape: initialShape.map(Number) };
  });
  return Object.freeze({
    strategy: seq.oldest === undefined ? 'direct' as const : 'oldest' as const,
    slotsPerInstance: Number(seq.oldest?.max_candidate_sequences ?? 0) > 0 ? Number(seq.oldest!.max_candidate_sequences) : Math.max(1, Number(config.max_batch_size)),
    idleUs: Number(seq.max_sequence_idle_microseconds),
    controls: Object.freeze(controls),
    states: Object.freeze(states),
    queueDelayUs: Number(seq.oldest?.max_queue_delay_microseconds ?? seq.direct?.max_queue_delay_microseconds ?? 0),
    preferredBatchSizes: Object.freeze((seq.oldest?.preferred_batch_size ?? []).map(Number).sort((a, b) => a - b)),
    minimumSlotUtilization: seq.direct?.minimum_slot_utilization ?? 0,
  });
}

function bytesOf(values: Float32Array | Int32Array): Uint8Array {
  return new Uint8Array(values.buffer);
}

/** Builds the plan of one version from its normalized config. Throws INTERNAL on a datatype the config cannot hold. */
/** `labels`: each output's class labels (its label_filename's lines), for the classification extension. */
export function buildModelPlan(config: Readonly<ModelConfig>, version: number, labels?: ReadonlyMap<string, readonly string[]>): ModelPlan {
  const batching = config.max_batch_size > 0;
  const inputs = config.input.map((io, index) =>
    tensorPlan(config.name, io.name, io.data_type, io.dims, io.reshape?.shape, io.optional, index, batching),
  );
  const outputs = config.output.map((io, index) =>
    tensorPlan(config.name, io.name, io.data_type, io.dims, io.reshape?.shape, false, index, batching),
  );
  const dynamicBatching = batchingPlan(config);
  const sequenceBatching = sequencePlan(config);
  const ensemble = ensemblePlan(config);
  const responseRank = ensemble === undefined
    ? undefined
    : new Map(tritonInputOrder(outputs.map((o) => o.name)).map((index, rank) => [outputs[index]!.name, rank]));
  return Object.freeze({
    name: config.name,
    version,
    maxBatchSize: config.max_batch_size,
    inputs: Object.freeze(inputs),
    outputs: Object.freeze(outputs),
    inputByName: new Map(inputs.map((t) => [t.name, t])),
    outputByName: new Map(outputs.map((t) => [t.name, t])),
    requiredInputCount: inputs.reduce((n, t) => (t.optional ? n : n + 1), 0),
    responseCache: (config.response_cache as { enable?: boolean } | undefined)?.enable === true,
    ...(dynamicBatching === undefined ? {} : { dynamicBatching }),
    ...(sequenceBatching === undefined ? {} : { sequenceBatching }),
    ...(ensemble === undefined ? {} : { ensemble, responseRank }),
    ...(labels === undefined || labels.size === 0 ? {} : { labels }),
  });
}

function tensorPlan(
  modelName: string,
  name: string,
  configType: string,
  dims: readonly number[],
  reshape: readonly number[] | undefined,
  optional: boolean,
  index: number,
  batching: boolean,
): TensorPlan {
  const datatype = datatypeFromConfig(configType);
  if (datatype === undefined) {
    throw internal(`tensor '${name}' of model '${modelName}' has unsupported data type '${configType}'`);
  }
  const frozenDims = Object.freeze([...dims]);
  const plan: TensorPlan = {
    name,
    datatype,
    dims: frozenDims,
    optional,
    elementByteSize: byteSizeOf(datatype),
    index,
    fullShape: Object.freeze(batching ? [WILDCARD_DIM, ...dims] : [...dims]),
    ...(reshape !== undefined ? { reshape: Object.freeze([...reshape]) } : {}),
  };
  return Object.freeze(plan);
}

/**
 * Converts a concrete shape in config dims into the shape the model sees (`reshape`), keeping a leading batch
 * dimension when `batched`. The values of the wildcard dims are carried positionally into the wildcards of `reshape`
 * (as Triton does); without a reshape the shape is returned as a copy.
 */
export function reshapeToModel(shape: readonly number[], plan: TensorPlan, batched: boolean): number[] {
  if (plan.reshape === undefined) return [...shape];
  return carryWildcards(shape, plan.dims, plan.reshape, batched);
}

/**
 * Converts a shape the model produced (in `reshape` form) back into config dims, keeping a leading batch dimension
 * when `batched`. The inverse of `reshapeToModel`; without a reshape the shape is returned as a copy.
 */
export function reshapeFromModel(shape: readonly number[], plan: TensorPlan, batched: boolean): number[] {
  if (plan.reshape === undefined) return [...shape];
  return carryWildcards(shape, plan.reshape, plan.dims, batched);
}

/**
 * Rewrites `shape` (laid out as `from`) into the layout `to`: fixed dims of `to` are copied, its wildcards take the
 * values found at the wildcards of `from`, in order. Should `to` have more wildcards than `from` supplies (a config the
 * validator would refuse), the first unfilled one absorbs the remaining element count so the total is kept.
 */
function carryWildcards(
  shape: readonly number[],
  from: readonly number[],
  to: readonly number[],
  batched: boolean,
): number[] {
  const offset = batched ? 1 : 0;
  const out: number[] = batched ? [shape[0]!] : [];
  let fromIndex = 0;
  let missing = -1;
  for (const dim of to) {
    if (dim !== WILDCARD_DIM) {
      out.push(dim);
      continue;
    }
    while (fromIndex < from.length && from[fromIndex] !== WILDCARD_DIM) fromIndex++;
    if (fromIndex < from.length) {
      out.push(shape[offset + fromIndex]!);
      fromIndex++;
    } else {
      if (missing < 0) missing = out.length;
      out.push(1);
    }
  }
  if (missing >= 0) {
    let total = 1;
    for (let i = offset; i < shape.length; i++) total *= shape[i]!;
    let known = 1;
    for (let i = offset; i < out.length; i++) if (i !== missing) known *= out[i]!;
    out[missing] = known === 0 ? 0 : total / known;
  }
  return out;
}
