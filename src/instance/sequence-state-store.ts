/**
 * The implicit state of the sequences one session serves (sequence_batching.state), kept inside the instance worker:
 * a sequence's state output stays here and is fed back as its state input at its next request, so it never crosses
 * threads between steps. The sequence batcher names each row's sequence by a key (StateRow) and says whether the row
 * starts its sequence (initial state in), ends it (state let go after the run) or pads the batch (initial state in,
 * nothing kept). State is also let go when the main thread says so (a sequence idled out) and with the session.
 */
import { STATE_END, STATE_NOT_READY, STATE_START, type StateRow } from '../protocol/execution.ts';
import { BYTES_LENGTH_PREFIX } from '../protocol/bytes-codec.ts';
import { elementCount } from '../protocol/datatypes.ts';
import type { WireTensor } from '../protocol/wire-tensor.ts';
import type { SessionStates, StateSpec } from './messages.ts';

/** The error of a continuing row whose state this worker does not hold. */
export function lostStateMessage(): string {
  return 'the implicit state of the sequence is no longer held by its model instance (its worker thread was ' +
    'restarted); start the sequence again with the START flag';
}

export class SequenceStateStore {
  /** Each sequence's state tensors (one row each when batched), in spec order. */
  private readonly held = new Map<number, WireTensor[]>();

  constructor(private readonly states: SessionStates) {}

  get size(): number {
    return this.held.size;
  }

  get outputNames(): readonly string[] {
    return this.states.specs.map((spec) => spec.outputName);
  }

  /** The state inputs of an execution whose rows are `rows`; throws when a continuing row's state is not held. */
  inputs(rows: readonly StateRow[]): WireTensor[] {
    return this.states.specs.map((spec, s) => {
      const parts = rows.map((row) => this.rowState(row, spec, s));
      if (parts.length === 1) return parts[0]!;
      const tail = parts[0]!.shape.slice(1).join();
      if (parts.some((part) => part.shape.slice(1).join() !== tail)) {
        throw new Error(`the implicit states '${spec.inputName}' of the sequences batched together have different shapes`);
      }
      const data = new Uint8Array(parts.reduce((n, part) => n + part.data.byteLength, 0));
      let offset = 0;
      for (const part of parts) {
        data.set(part.data, offset);
        offset += part.data.byteLength;
      }
      return { name: spec.inputName, datatype: spec.datatype, shape: [parts.length, ...parts[0]!.shape.slice(1)], data };
    });
  }

  /** After a successful run: keeps each continuing row's state outputs (`outputs` in spec order), drops ended ones. */
  keep(rows: readonly StateRow[], outputs: readonly WireTensor[]): void {
    const pieces = outputs.map((output, s) => this.split(output, rows.length, this.states.specs[s]!));
    rows.forEach((row, r) => {
      if ((row.flags & STATE_NOT_READY) !== 0) return;
      if ((row.flags & STATE_END) !== 0) this.held.delete(row.key);
      else this.held.set(row.key, pieces.map((rowsOfState) => rowsOfState[r]!));
    });
  }

  /** After a failed run: an ending sequence's state goes all the same (the main thread releases the sequence). */
  dropEnded(rows: readonly StateRow[]): void {
    for (const row of rows) if ((row.flags & (STATE_END | STATE_NOT_READY)) === STATE_END) this.held.delete(row.key);
  }

  drop(keys: readonly number[]): void {
    for (const key of keys) this.held.delete(key);
  }

  private rowState(row: StateRow, spec: StateSpec, s: number): WireTensor {
    if ((row.flags & (STATE_START | STATE_NOT_READY)) !== 0) {
      return { name: spec.inputName, datatype: spec.datatype, shape: this.states.batched ? [1, ...spec.shape] : [...spec.shape], data: spec.initial };
    }
    const kept = this.held.get(row.key)?.[s];
    if (kept === undefined) throw new Error(lostStateMessage());
    return kept;
  }

  /**
   * One state output cut into its rows. A single row keeps ORT's own output (fresh memory for every run); rows of a
   * batch are copied out, so that no sequence's state keeps the whole batch's buffer alive.
   */
  private split(output: WireTensor, rows: number, spec: StateSpec): WireTensor[] {
    const named = { ...output, name: spec.inputName };
    if (rows === 1) return [named];
    if (!this.states.batched || output.shape[0] !== rows) {
      throw new Error(`state output '${spec.outputName}' has shape [${output.shape.join(',')}], not one row for each of the ${rows} sequences of the batch`);
    }
    const shape = [1, ...output.shape.slice(1)];
    if (output.datatype === 'BYTES') {
      const ends = bytesRowEnds(output.data, rows, elementCount(shape));
      return ends.map((end, r) => ({ ...named, shape, data: output.data.slice(r === 0 ? 0 : ends[r - 1]!, end) }));
    }
    const rowBytes = output.data.byteLength / rows;
    return Array.from({ length: rows }, (_, r) => ({ ...named, shape, data: output.data.slice(r * rowBytes, (r + 1) * rowBytes) }));
  }
}

/** Where each row of a BYTES tensor ends (its elements are length-prefixed, `perRow` of them per row). */
function bytesRowEnds(data: Uint8Array, rows: number, perRow: number): number[] {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const ends: number[] = [];
  let offset = 0;
  for (let r = 0; r < rows; r++) {
    for (let e = 0; e < perRow; e++) offset += BYTES_LENGTH_PREFIX + view.getUint32(offset, true);
    ends.push(offset);
  }
  return ends;
}
