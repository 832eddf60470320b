/**
 * The implicit state tensors of a model with `sequence_batching.state`, as its instances' workers keep them: each
 * state's initial value per sequence (zeros, or the bytes of a file under `<model_dir>/initial_state/`), checked as
 * Triton's sequence batcher checks them when the model loads, with its texts (each one seen on tritonserver 2.51). A
 * data file path that leads out of the model directory is refused with nereid's own text; Triton just opens it.
 */
import type { ModelConfig } from '../config/model-config.ts';
import { sequenceBatchingOf, type SequenceInitialState, type SequenceState } from '../config/sequence-batching.ts';
import type { SessionStates, StateSpec } from '../instance/messages.ts';
import { BYTES_LENGTH_PREFIX } from '../protocol/bytes-codec.ts';
import { byteSizeOf, datatypeFromConfig } from '../protocol/datatypes.ts';
import { internal, invalidArg } from '../protocol/errors.ts';
import { readModelDataFile } from './model-data-file.ts';

/** Folder of a model directory that holds initial state files (Triton's kInitialStateFolder). */
export const INITIAL_STATE_FOLDER = 'initial_state';

/** undefined for a model without implicit state; throws Triton's INVALID_ARG for a bad initial_state. */
export function sessionStatesFor(config: Readonly<ModelConfig>, modelDir: string): SessionStates | undefined {
  const seq = sequenceBatchingOf(config);
  if (seq === undefined || seq.state.length === 0) return undefined;
  const initialized = new Set<string>();
  const specs = seq.state.map((state): StateSpec => {
    const datatype = datatypeFromConfig(state.data_type);
    if (datatype === undefined) throw internal(`model '${config.name}': state '${state.input_name}' has data type ${state.data_type}`);
    let shape = state.dims.map((d) => Math.max(0, Number(d)));
    let initial: Uint8Array | undefined;
    if (state.initial_state.length > 1) {
      throw invalidArg(
        `initial_state field for state input '${state.input_name}' must contain exactly one or zero element. ` +
          `Found '${state.initial_state.length}' elements.`,
      );
    }
    const given = state.initial_state[0];
    if (given !== undefined) ({ shape, initial } = initialState(given, state, initialized, modelDir, config.name));
    initial ??= new Uint8Array(shape.reduce((n, d) => n * d, 1) * elementBytes(datatype));
    return { inputName: state.input_name, outputName: state.output_name, datatype, shape, initial };
  });
  return { specs, batched: config.max_batch_size > 0 };
}

function elementBytes(datatype: NonNullable<ReturnType<typeof datatypeFromConfig>>): number {
  return datatype === 'BYTES' ? BYTES_LENGTH_PREFIX : byteSizeOf(datatype);
}

/** One initial_state entry, checked in Triton's order (GenerateInitialStateData). */
function initialState(
  given: SequenceInitialState,
  state: SequenceState,
  initialized: Set<string>,
  modelDir: string,
  modelName: string,
): { shape: number[]; initial: Uint8Array } {
  const input = state.input_name;
  if (given.data_type !== state.data_type) {
    throw invalidArg(`The data type used for 'initial_state' field of state '${input}' does not match the state data type.`);
  }
  if (given.name.length === 0) throw invalidArg(`Field 'name' must be set when using initial_state for state input '${input}'.`);
  if (initialized.has(input)) throw invalidArg(`State input name '${input}' specified more than once.`);
  initialized.add(input);
  const dims = given.dims.map(Number);
  const stateDims = state.dims.map(Number);
  if (dims.length !== stateDims.length) {
    throw invalidArg(
      `Number of dimensions in 'initial_state' doesn't match the size of 'state' dimensions for state input '${input}'. ` +
        `${dims.length} != ${stateDims.length}`,
    );
  }
  dims.forEach((d, i) => {
    if (d === -1) throw invalidArg(`'initial_state' field for state input name '${input}' contains variable dimensions.`);
    if (stateDims[i] !== -1 && d !== stateDims[i]) {
      throw invalidArg(`'initial_state' dim for input name '${input}' doesn't match 'state' dim description. ${d} != ${stateDims[i]}`);
    }
  });
  const datatype = datatypeFromConfig(given.data_type)!;
  const byteSize = dims.reduce((n, d) => n * d, 1) * elementBytes(datatype);
  if (given.zero_data !== undefined) return { shape: dims, initial: new Uint8Array(byteSize) };
  if (given.data_file !== undefined) {
    const data = readModelDataFile(modelDir, INITIAL_STATE_FOLDER, given.data_file, () =>
      invalidArg(`initial state data file path '${given.data_file}' for state input '${input}' in model '${modelName}' is outside model directory`));
    if (datatype === 'BYTES') return { shape: dims, initial: data };
    if (byteSize > data.byteLength) {
      // Triton's text has no space between the file name and "only has"; kept as is.
      throw invalidArg(`initial_state setting expects ${byteSize} bytes, but the data provided from ${given.data_file}only has ${data.byteLength} bytes.`);
    }
    return { shape: dims, initial: data.slice(0, byteSize) };
  }
  throw invalidArg(`initial_state setting expects state'${input}' to have state_data set`);
}
