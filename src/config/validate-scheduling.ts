/**
 * The scheduling part of core `ValidateModelConfig`: dynamic batching ranges (preferred sizes, priority levels,
 * preserve_ordering conflicts) and sequence batching controls and strategies.
 */
import { invalidArg } from '../protocol/errors.ts';
import type { ModelConfig } from './model-config.ts';
import { type ControlKind, type SequenceBatching, sequenceBatchingOf } from './sequence-batching.ts';

/** Throws INVALID_ARG with Triton's text for the first scheduling setting out of range. */
export function validateScheduling(config: Readonly<ModelConfig>): void {
  validateDynamicBatching(config);
  const seq = sequenceBatchingOf(config);
  if (seq !== undefined) validateSequenceBatching(config, seq);
}

function validateDynamicBatching(config: Readonly<ModelConfig>): void {
  const db = config.dynamic_batching;
  if (db === undefined) return;
  const name = config.name;
  for (const size of db.preferred_batch_size) {
    if (size <= 0) throw invalidArg(`dynamic batching preferred size must be positive for ${name}`);
    if (size > config.max_batch_size) {
      throw invalidArg(`dynamic batching preferred size must be <= max batch size for ${name}`);
    }
  }
  const levels = db.priority_levels;
  if (levels !== 0) {
    if (db.default_priority_level === 0 || db.default_priority_level > levels) {
      throw invalidArg(`default priority level must be in range [1, ${levels}] for ${name}`);
    }
    for (const key of Object.keys(db.priority_queue_policy)) {
      const level = Number(key);
      if (level === 0 || level > levels) {
        throw invalidArg(`priority queue policy must have priority level in range [1, ${levels}] for ${name}`);
      }
    }
  }
  if (db.preserve_ordering) {
    if (levels > 1) throw invalidArg(`Only one priority level is allowed when 'preserve_ordering' is true for ${name}`);
    const policies = [db.default_queue_policy, ...Object.values(db.priority_queue_policy)];
    for (const policy of policies) {
      if (policy !== undefined && policy.default_timeout_microseconds !== 0 && policy.timeout_action === 'DELAY') {
        throw invalidArg(
          `Queue policy can not have DELAY as timeout action when 'preserve_ordering' is true for ${name}`,
        );
      }
    }
  }
}

function validateSequenceBatching(config: Readonly<ModelConfig>, seq: SequenceBatching): void {
  const name = config.name;
  if (config.response_cache?.enable === true) {
    throw invalidArg(
      `Response Cache does not currently support model ${name} with sequence batching scheduler. ` +
        'Please disable the response cache.',
    );
  }
  for (const kind of ['CONTROL_SEQUENCE_START', 'CONTROL_SEQUENCE_END', 'CONTROL_SEQUENCE_READY'] as const) {
    booleanControl(seq, name, kind);
  }
  const corrid = typedControl(seq, name, 'CONTROL_SEQUENCE_CORRID');
  if (corrid !== undefined && !CORRID_TYPES.has(corrid)) {
    throw invalidArg(
      `unexpected data type for control CONTROL_SEQUENCE_CORRID for ${name}. Allowed data types are TYPE_UINT64, ` +
        'TYPE_INT64, TYPE_UINT32, TYPE_INT32 and TYPE_STRING',
    );
  }
  if (seq.oldest !== undefined) {
    for (const size of seq.oldest.preferred_batch_size) {
      if (size <= 0) throw invalidArg(`sequence batching preferred batch size must be positive for ${name}`);
      if (size > config.max_batch_size) {
        throw invalidArg(`sequence batching preferred batch size must be <= max batch size for ${name}`);
      }
    }
  }
  if (seq.direct !== undefined) {
    const u = seq.direct.minimum_slot_utilization;
    if (u < 0 || u > 1) {
      throw invalidArg(`sequence batching minimum slot utilization must be in range (0.0, 1.0] for ${name}`);
    }
  }
}

const CORRID_TYPES = new Set(['TYPE_UINT64', 'TYPE_INT64', 'TYPE_UINT32', 'TYPE_INT32', 'TYPE_STRING']);

/** A resolved control tensor: its name and the data type the control implies. */
export interface ControlTensor {
  name: string;
  dataType: string;
}

/**
 * START/END/READY control of `kind` (core `GetBooleanSequenceControlProperties`): exactly one of int32/fp32/bool
 * false_true with two entries. Returns undefined when the kind is not configured.
 */
export function booleanControl(seq: SequenceBatching, model: string, kind: ControlKind): ControlTensor | undefined {
  let found: ControlTensor | undefined;
  forEachControl(seq, model, kind, (tensor, c) => {
    const present = [c.int32_false_true, c.fp32_false_true, c.bool_false_true].filter((l) => l.length > 0).length;
    if (present === 0) {
      throw invalidArg(
        `sequence batching must specify either 'int32_false_true', 'fp32_false_true' or 'bool_false_true' for ` +
          `${kind} for ${model}`,
      );
    }
    if (present > 1) {
      throw invalidArg(
        `sequence batching specifies more than one from 'int32_false_true', 'fp32_false_true' and ` +
          `'bool_false_true' for ${kind} for ${model}`,
      );
    }
    const [list, field, dataType] =
      c.int32_false_true.length > 0
        ? [c.int32_false_true, 'int32_false_true', 'TYPE_INT32']
        : c.fp32_false_true.length > 0
          ? [c.fp32_false_true, 'fp32_false_true', 'TYPE_FP32']
          : [c.bool_false_true, 'bool_false_true', 'TYPE_BOOL'];
    if (list.length !== 2) {
      throw invalidArg(`sequence batching control '${field}' must have exactly 2 entries for ${kind} for ${model}`);
    }
    found = { name: tensor, dataType };
  });
  return found;
}

/** CORRID control (core `GetTypedSequenceControlProperties`): no false_true lists; returns its data type. */
export function typedControl(seq: SequenceBatching, model: string, kind: ControlKind): string | undefined {
  let dataType: string | undefined;
  forEachControl(seq, model, kind, (_tensor, c) => {
    if (c.int32_false_true.length > 0 || c.fp32_false_true.length > 0 || c.bool_false_true.length > 0) {
      throw invalidArg(
        `sequence batching must not specify either 'int32_false_true', 'fp32_false_true' or 'bool_false_true' ` +
          `for ${kind} for ${model}`,
      );
    }
    dataType = c.data_type;
  });
  return dataType;
}

/** Name of the tensor configured for `kind`, or undefined. */
export function controlTensorName(seq: SequenceBatching, model: string, kind: ControlKind): string | undefined {
  let name: string | undefined;
  forEachControl(seq, model, kind, (tensor) => {
    name = tensor;
  });
  return name;
}

function forEachControl(
  seq: SequenceBatching,
  model: string,
  kind: ControlKind,
  visit: (tensor: string, control: SequenceBatching['control_input'][number]['control'][number]) => void,
): void {
  const seenTensors = new Set<string>();
  let seen = false;
  for (const input of seq.control_input) {
    if (input.name === '') throw invalidArg(`sequence batching control tensor must have a name for ${model}`);
    if (seenTensors.has(input.name)) {
      throw invalidArg(
        `sequence batching control tensor '${input.name}' is specified for multiple control kinds for ${model}`,
      );
    }
    seenTensors.add(input.name);
    for (const c of input.control) {
      if (c.kind !== kind) continue;
      if (seen) throw invalidArg(`sequence batching specifies multiple ${kind} tensors for ${model}`);
      seen = true;
      visit(input.name, c);
    }
  }
}
