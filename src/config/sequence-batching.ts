/**
 * Typed view of `ModelConfig.sequence_batching` (model-config.ts keeps it as an open record). The shapes follow the
 * plain form: scalars and repeated fields present, unset sub-messages and oneof members (`direct` / `oldest`) absent.
 */
import type { ConfigDataType } from '../protocol/datatypes.ts';
import type { ModelConfig } from './model-config.ts';
import { unsupported } from '../protocol/errors.ts';

export type ControlKind =
  | 'CONTROL_SEQUENCE_START'
  | 'CONTROL_SEQUENCE_READY'
  | 'CONTROL_SEQUENCE_END'
  | 'CONTROL_SEQUENCE_CORRID';

export interface SequenceControl {
  kind: ControlKind;
  int32_false_true: number[];
  fp32_false_true: number[];
  bool_false_true: boolean[];
  data_type: ConfigDataType;
}

export interface SequenceControlInput {
  name: string;
  control: SequenceControl[];
}

export interface SequenceInitialState {
  data_type: ConfigDataType;
  dims: number[];
  zero_data?: boolean;
  data_file?: string;
  name: string;
}

export interface SequenceState {
  input_name: string;
  output_name: string;
  data_type: ConfigDataType;
  dims: number[];
  initial_state: SequenceInitialState[];
}

export interface SequenceBatching {
  direct?: { max_queue_delay_microseconds: number; minimum_slot_utilization: number };
  oldest?: {
    max_candidate_sequences: number;
    preferred_batch_size: number[];
    max_queue_delay_microseconds: number;
    preserve_ordering: boolean;
  };
  max_sequence_idle_microseconds: number;
  control_input: SequenceControlInput[];
  state: SequenceState[];
  iterative_sequence: boolean;
}

/** The sequence batching block of `config`, typed; undefined when the model does not use the sequence batcher. */
export function sequenceBatchingOf(config: Readonly<ModelConfig>): SequenceBatching | undefined {
  return config.sequence_batching as SequenceBatching | undefined;
}

/**
 * Refuses what the sequence batcher does not carry out yet, naming the field (never ignored): iterative sequences.
 * What is left (correlation IDs, START and END, control inputs, implicit state with zero or file initial state,
 * in-order execution per sequence, the idle timeout, both strategies with their queue delays, preferred batch sizes
 * and minimum slot utilization) is what it runs.
 */
export function refuseUnbuiltSequenceFeatures(config: Readonly<ModelConfig>): void {
  const seq = sequenceBatchingOf(config);
  if (seq?.iterative_sequence === true) {
    throw unsupported(`model '${config.name}': sequence_batching.iterative_sequence is not supported yet: nereid's sequence batcher does not run iterative sequences`);
  }
}
