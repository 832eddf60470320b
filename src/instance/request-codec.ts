/**
 * An execution's request in a ring slot (main thread writes, worker reads). Little-endian, offsets from the slot start:
 *
 *   0  u32 kind (INLINE, or EXTERNAL: the request came as a side-channel message because it did not fit)
 *   4  u32 input count, 8 u32 output count, 12 u32 session id (which of the worker's sessions runs it)
 *   16 u32 state row count (0 unless the model has implicit state), 20 u32 unused
 *   24 per input: u16 name index, u8 datatype code, u8 rank, u32 byte length, u32 data offset, u32 unused, then
 *      rank float64 dims
 *   .. per requested output: u16 name index; then padding to 8
 *   .. per state row (StateRow, one per batch row): float64 sequence key, u32 flags, u32 unused
 *   .. tensor data, each tensor 8-byte aligned
 *
 * Names are interned: an index into the model's input or output names (fixed per loaded session, the same lists on
 * both sides). A name the model does not have is not an error here: the request then goes the external way, where
 * names travel as strings and ONNX Runtime words the error.
 */
import type { StateRow } from '../protocol/execution.ts';
import type { WireTensor } from '../protocol/wire-tensor.ts';
import { align8, datatypeCode, datatypeOfCode, MAX_RANK, tensorEntryBytes, type Slot } from './ring-layout.ts';

export const INLINE = 0;
export const EXTERNAL = 1;

const HEADER = 24;
const STATE_ROW_BYTES = 16;

/** A model's input and output names with their indices, as the main thread interns them. */
export interface NameIndex {
  readonly inputs: ReadonlyMap<string, number>;
  readonly outputs: ReadonlyMap<string, number>;
}

/** Writes the request into the slot; false (nothing usable written) when it does not fit or a name is unknown. */
export function writeRequest(slot: Slot, inputs: readonly WireTensor[], outputNames: readonly string[], names: NameIndex, states: readonly StateRow[] = []): boolean {
  let offset = HEADER;
  for (const input of inputs) {
    if (input.shape.length > MAX_RANK || !names.inputs.has(input.name)) return false;
    offset += tensorEntryBytes(input.shape.length);
  }
  for (const name of outputNames) if (!names.outputs.has(name)) return false;
  offset = align8(offset + 2 * outputNames.length) + STATE_ROW_BYTES * states.length;
  let end = offset;
  for (const input of inputs) end = align8(end) + input.data.byteLength;
  if (end > slot.bytes.byteLength) return false;

  const { view, bytes } = slot;
  view.setUint32(0, INLINE, true);
  view.setUint32(4, inputs.length, true);
  view.setUint32(8, outputNames.length, true);
  view.setUint32(16, states.length, true);
  let entry = HEADER;
  let data = offset;
  for (const input of inputs) {
    const rank = input.shape.length;
    view.setUint16(entry, names.inputs.get(input.name)!, true);
    view.setUint8(entry + 2, datatypeCode(input.datatype));
    view.setUint8(entry + 3, rank);
    view.setUint32(entry + 4, input.data.byteLength, true);
    view.setUint32(entry + 8, data, true);
    for (let d = 0; d < rank; d++) view.setFloat64(entry + 16 + 8 * d, input.shape[d]!, true);
    bytes.set(input.data, data);
    data = align8(data + input.data.byteLength);
    entry += tensorEntryBytes(rank);
  }
  for (const name of outputNames) {
    view.setUint16(entry, names.outputs.get(name)!, true);
    entry += 2;
  }
  entry = align8(entry);
  for (const row of states) {
    view.setFloat64(entry, row.key, true);
    view.setUint32(entry + 8, row.flags, true);
    entry += STATE_ROW_BYTES;
  }
  return true;
}

/** Marks the slot as carrying no request of its own: the worker takes the next side-channel message instead. */
export function writeExternalMarker(slot: Slot): void {
  slot.view.setUint32(0, EXTERNAL, true);
}

/** Names the worker session that runs the slot's execution (inline or external alike). */
export function writeSessionId(slot: Slot, session: number): void {
  slot.view.setUint32(12, session, true);
}

export function requestSessionId(slot: Slot): number {
  return slot.view.getUint32(12, true);
}

export function requestKind(slot: Slot): number {
  return slot.view.getUint32(0, true);
}

/** An inline request as the worker reads it: tensors viewing the slot's shared memory, and the outputs to fetch. */
export interface SlotRequest {
  readonly inputs: WireTensor[];
  readonly outputNames: string[];
  readonly states: StateRow[];
}

export function readRequest(slot: Slot, inputNames: readonly string[], outputNames: readonly string[]): SlotRequest {
  const { view, bytes } = slot;
  const inputCount = view.getUint32(4, true);
  const outputCount = view.getUint32(8, true);
  const stateCount = view.getUint32(16, true);
  const inputs: WireTensor[] = [];
  let entry = HEADER;
  for (let i = 0; i < inputCount; i++) {
    const rank = view.getUint8(entry + 3);
    const byteLength = view.getUint32(entry + 4, true);
    const data = view.getUint32(entry + 8, true);
    const shape: number[] = [];
    for (let d = 0; d < rank; d++) shape.push(view.getFloat64(entry + 16 + 8 * d, true));
    inputs.push({
      name: inputNames[view.getUint16(entry, true)]!,
      datatype: datatypeOfCode(view.getUint8(entry + 2)),
      shape,
      data: bytes.subarray(data, data + byteLength),
    });
    entry += tensorEntryBytes(rank);
  }
  const wanted: string[] = [];
  for (let i = 0; i < outputCount; i++) {
    wanted.push(outputNames[view.getUint16(entry, true)]!);
    entry += 2;
  }
  entry = align8(entry);
  const states: StateRow[] = [];
  for (let i = 0; i < stateCount; i++) {
    states.push({ key: view.getFloat64(entry, true), flags: view.getUint32(entry + 8, true) });
    entry += STATE_ROW_BYTES;
  }
  return { inputs, outputNames: wanted, states };
}
