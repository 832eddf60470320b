/**
 * The shared-memory ring between the main thread and one instance worker: one SharedArrayBuffer holding a block of
 * control words and then `slotCount` slots of `slotBytes` each. The main thread writes an execution's inputs into the
 * next free slot and bumps SUBMITTED; the worker runs the slots in order, writes each result over its inputs and
 * bumps COMPLETED. Both counters wrap as int32 and are only ever compared for equality, so wrapping is harmless.
 *
 * Words (Int32Array indices of the control block):
 * - DOORBELL: bumped by the main thread after every change the worker must see (a submission, an exit request); the
 *   worker sleeps in Atomics.wait on it, so no wake-up is lost between its checks and its sleep.
 * - SUBMITTED: executions written so far (main thread).
 * - COMPLETED: executions finished so far (worker); the main thread sleeps in Atomics.waitAsync on it.
 * - STARTED: executions begun so far (worker); STARTED ≠ COMPLETED while the worker is inside one.
 * - CONTROL: 0, or EXIT once the main thread wants the thread ended (checked between executions only, never during
 *   a native ONNX Runtime call).
 * - CONTROL_POSTED: control-channel messages posted so far (main thread, before it rings); the worker reads the
 *   channel only when this moved, so an execution costs no look at an empty port.
 * - WORKER_SLEEPING, MAIN_WAITING: 1 while that side is (about to be) asleep on its word. The other side calls
 *   Atomics.notify only then: a notify costs ~3 µs of the caller's CPU on the 2-core dev machine even with nobody
 *   waiting (measured with --cpu-prof on bench/worker-handoff.ts), and under load neither side is usually asleep.
 *   All accesses are sequentially consistent Atomics, so a sleeper's flag and the waker's counter cannot both be
 *   missed: the flag is set before the sleeper's last look at the counter, the counter before the waker reads the flag.
 */
import { DATATYPES, type Datatype } from '../protocol/datatypes.ts';

export const DOORBELL = 0;
export const SUBMITTED = 1;
export const COMPLETED = 2;
export const CONTROL = 3;
export const WORKER_SLEEPING = 4;
export const MAIN_WAITING = 5;
export const STARTED = 6;
export const CONTROL_POSTED = 7;
export const EXIT = 1;

/** Bytes of the control block in front of the slots (one cache line, so slot 0 does not share it). */
export const CONTROL_BYTES = 64;

/** The ring's size, chosen by the main thread when it starts the worker. */
export interface RingGeometry {
  /** A power of two (slots are picked with `sequence & (slotCount - 1)`). */
  readonly slotCount: number;
  /** A multiple of 8. */
  readonly slotBytes: number;
}

/**
 * Four slots of 256 KiB: the server path has at most two executions per instance in the ring (one running, one
 * staged); the other two let direct WorkerClient callers keep more in flight. Pages are committed only once written.
 */
export const DEFAULT_RING: RingGeometry = { slotCount: 4, slotBytes: 256 * 1024 };

/** One slot, as bytes and as a DataView over the same memory. */
export interface Slot {
  readonly bytes: Uint8Array;
  readonly view: DataView;
}

export function checkGeometry(geometry: RingGeometry): void {
  const { slotCount, slotBytes } = geometry;
  if (!Number.isInteger(slotCount) || slotCount < 1 || (slotCount & (slotCount - 1)) !== 0) throw new RangeError(`slotCount must be a power of two, got ${slotCount}`);
  if (!Number.isInteger(slotBytes) || slotBytes < 256 || slotBytes % 8 !== 0) throw new RangeError(`slotBytes must be a multiple of 8 of at least 256, got ${slotBytes}`);
}

export function ringByteLength(geometry: RingGeometry): number {
  return CONTROL_BYTES + geometry.slotCount * geometry.slotBytes;
}

export function controlWords(buffer: SharedArrayBuffer): Int32Array {
  return new Int32Array(buffer, 0, CONTROL_BYTES / 4);
}

export function slotsOf(buffer: SharedArrayBuffer, geometry: RingGeometry): Slot[] {
  return Array.from({ length: geometry.slotCount }, (_, i) => {
    const offset = CONTROL_BYTES + i * geometry.slotBytes;
    return { bytes: new Uint8Array(buffer, offset, geometry.slotBytes), view: new DataView(buffer, offset, geometry.slotBytes) };
  });
}

export function align8(n: number): number {
  return (n + 7) & ~7;
}

/** Datatypes travel as their index in DATATYPES. */
const CODES = new Map<Datatype, number>(DATATYPES.map((d, i) => [d, i]));

export function datatypeCode(datatype: Datatype): number {
  return CODES.get(datatype)!;
}

export function datatypeOfCode(code: number): Datatype {
  const datatype = DATATYPES[code];
  if (datatype === undefined) throw new Error(`unknown datatype code ${code} in a ring slot`);
  return datatype;
}

/** Bytes of one tensor entry in a slot header: 16 fixed bytes, then each dim as a float64. */
export function tensorEntryBytes(rank: number): number {
  return 16 + 8 * rank;
}

/** Dims are written as float64 (exact up to 2^53) and ranks as one byte. */
export const MAX_RANK = 255;
