/**
 * An execution's result in its ring slot, written by the worker over the request it has consumed, read by the main
 * thread. Little-endian, offsets from the slot start:
 *
 *   0  u32 status: OK or FAILED, plus EXTERNAL when the outputs or the error text came as a side-channel message
 *   4  u32 output count (OK), or the error text's UTF-8 byte length (FAILED, inline)
 *   8  float64 × 5: startedAtMs, endedAtMs, computeInputNs, computeInferNs, computeOutputNs
 *   48 per output, in the order asked for: u8 datatype code, u8 rank, u16 unused, u32 byte length, u32 data offset,
 *      u32 unused, then rank float64 dims; the error text instead for FAILED
 *   .. output data, each tensor 8-byte aligned
 *
 * The main thread copies the outputs out (one allocation and one memcpy for all of them): the slot is reused by the
 * next execution while the caller still holds its result.
 */
import type { RunTimings } from '../protocol/execution.ts';
import type { WireTensor } from '../protocol/wire-tensor.ts';
import { align8, datatypeCode, datatypeOfCode, MAX_RANK, tensorEntryBytes, type Slot } from './ring-layout.ts';

export const OK = 0;
export const FAILED = 1;
export const EXTERNAL_RESULT = 2;

const HEADER = 48;

/** Writes the outputs; false (nothing usable written) when they do not fit the slot. */
export function writeOutputs(slot: Slot, outputs: readonly WireTensor[]): boolean {
  let offset = HEADER;
  for (const output of outputs) {
    if (output.shape.length > MAX_RANK) return false;
    offset += tensorEntryBytes(output.shape.length);
  }
  let end = align8(offset);
  for (const output of outputs) end = align8(end) + output.data.byteLength;
  if (end > slot.bytes.byteLength) return false;

  const { view, bytes } = slot;
  view.setUint32(0, OK, true);
  view.setUint32(4, outputs.length, true);
  let entry = HEADER;
  let data = align8(offset);
  for (const output of outputs) {
    const rank = output.shape.length;
    view.setUint8(entry, datatypeCode(output.datatype));
    view.setUint8(entry + 1, rank);
    view.setUint32(entry + 4, output.data.byteLength, true);
    view.setUint32(entry + 8, data, true);
    for (let d = 0; d < rank; d++) view.setFloat64(entry + 16 + 8 * d, output.shape[d]!, true);
    bytes.set(output.data, data);
    data = align8(data + output.data.byteLength);
    entry += tensorEntryBytes(rank);
  }
  return true;
}

/** Writes a failure's text; false when it does not fit. */
export function writeError(slot: Slot, message: string): boolean {
  const length = Buffer.byteLength(message, 'utf8');
  if (HEADER + length > slot.bytes.byteLength) return false;
  slot.view.setUint32(0, FAILED, true);
  slot.view.setUint32(4, length, true);
  Buffer.from(slot.bytes.buffer, slot.bytes.byteOffset + HEADER, length).write(message, 'utf8');
  return true;
}

/** Marks the slot's result (OK or FAILED) as carried by the next side-channel message. */
export function writeExternalStatus(slot: Slot, status: number): void {
  slot.view.setUint32(0, status | EXTERNAL_RESULT, true);
}

export function writeTimings(slot: Slot, timings: RunTimings): void {
  const { view } = slot;
  view.setFloat64(8, timings.startedAtMs, true);
  view.setFloat64(16, timings.endedAtMs, true);
  view.setFloat64(24, timings.computeInputNs, true);
  view.setFloat64(32, timings.computeInferNs, true);
  view.setFloat64(40, timings.computeOutputNs, true);
}

export function resultStatus(slot: Slot): number {
  return slot.view.getUint32(0, true);
}

export function readTimings(slot: Slot): RunTimings {
  const { view } = slot;
  return {
    startedAtMs: view.getFloat64(8, true),
    endedAtMs: view.getFloat64(16, true),
    computeInputNs: view.getFloat64(24, true),
    computeInferNs: view.getFloat64(32, true),
    computeOutputNs: view.getFloat64(40, true),
  };
}

/** The outputs of an inline OK result, copied out of the slot into one fresh buffer; `names` in the order asked for. */
export function readOutputs(slot: Slot, names: readonly string[]): WireTensor[] {
  const { view, bytes } = slot;
  const count = view.getUint32(4, true);
  let entry = HEADER;
  let first = -1;
  let end = 0;
  for (let i = 0; i < count; i++) {
    const data = view.getUint32(entry + 8, true);
    if (first < 0) first = data;
    end = data + view.getUint32(entry + 4, true);
    entry += tensorEntryBytes(view.getUint8(entry + 1));
  }
  const copy = count === 0 ? new Uint8Array(0) : bytes.slice(first, end);
  const outputs: WireTensor[] = [];
  entry = HEADER;
  for (let i = 0; i < count; i++) {
    const rank = view.getUint8(entry + 1);
    const byteLength = view.getUint32(entry + 4, true);
    const data = view.getUint32(entry + 8, true) - first;
    const shape: number[] = [];
    for (let d = 0; d < rank; d++) shape.push(view.getFloat64(entry + 16 + 8 * d, true));
    outputs.push({ name: names[i]!, datatype: datatypeOfCode(view.getUint8(entry)), shape, data: copy.subarray(data, data + byteLength) });
    entry += tensorEntryBytes(rank);
  }
  return outputs;
}

export function readError(slot: Slot): string {
  const length = slot.view.getUint32(4, true);
  return Buffer.from(slot.bytes.buffer, slot.bytes.byteOffset + HEADER, length).toString('utf8');
}
