/**
 * The sequence batcher for models with `sequence_batching`, as Triton's: every request names its sequence by
 * correlation ID, the first one with the START flag, and a sequence's requests run one at a time, in arrival order, on
 * the instance it is bound to. Control inputs are added to every request. Implicit state is kept by the instance
 * itself, in its worker (sequence-state-store.ts): each row of an execution names its sequence's key and whether it
 * starts, ends or pads, and a sequence that idles out has its state let go there. As in Triton, a request must have
 * batch size 1.
 *
 * Each instance has sequence slots (max_batch_size of them; for oldest, max_candidate_sequences when set); a new
 * sequence takes the lowest free one (or waits in the backlog until a sequence ends).
 * direct: an execution carries one row per slot up to the highest slot with a request waiting; a slot without one
 * gets a not-ready row (READY false, its output dropped), so every sequence keeps its row.
 * oldest: the head requests of the sequences bound to an instance are batched oldest first, cut to the largest
 * preferred batch size they reach. With a queue delay, both wait up to it for a fuller batch (direct: the minimum slot
 * utilization; oldest: the largest preferred size). A sequence ends after its request with the END flag, or when no
 * request has come for max_sequence_idle_microseconds; a later request without START then fails as Triton's does.
 */
import type { ControlPlan, ModelPlan, StatePlan } from '../core/model-plan.ts';
import { byteSizeOf } from '../protocol/datatypes.ts';
import type { Execution, Scheduler, SequenceFlags } from '../core/scheduler-port.ts';
import type { WireTensor } from '../protocol/wire-tensor.ts';
import { invalidArg } from '../protocol/errors.ts';
import { STATE_END, STATE_NOT_READY, STATE_START, type ExecutionResult, type ExecutionSlot, type StateRow } from '../protocol/execution.ts';
import { inputsInPlace } from '../protocol/packed-inputs.ts';
import { assembleBatch, splitOutput } from './batch-assembly.ts';
import { publishExecution } from './execution-events.ts';
import { Fifo } from './fifo.ts';
import { cancelledError } from './queue-errors.ts';

interface Queued {
  readonly execution: Execution;
  readonly enqueuedAt: number;
  /** The request carried START: its implicit state starts from the initial state. */
  readonly start: boolean;
  /** The request carried END: the sequence ends after it unless another START is queued behind it. */
  readonly end: boolean;
  resolve(result: ExecutionResult): void;
  reject(error: Error): void;
}

/** A sequence's request picked for an execution. */
interface Entry {
  readonly sequence: Sequence;
  readonly item: Queued;
}

interface Sequence {
  readonly key: string;
  /** Names its implicit state in its instance's worker (unique per batcher). */
  readonly stateKey: number;
  /** The instance it is bound to; undefined while a direct-strategy sequence waits in the backlog for a slot. */
  instance: ExecutionSlot | undefined;
  /** direct: its slot on that instance (-1 in the backlog). */
  slot: number;
  readonly queue: Fifo<Queued>;
  running: boolean;
  idleTimer?: NodeJS.Timeout;
}

export class SequenceBatcher implements Scheduler {
  private readonly sequences = new Map<string, Sequence>();
  /** Each instance's sequence slots and the sequence holding each. */
  private readonly slots = new Map<ExecutionSlot, (Sequence | undefined)[]>();
  /** Sequences waiting for a free slot, oldest first (Triton's backlog). */
  private backlog: Sequence[] = [];
  private readonly direct: boolean;
  private queued = 0;
  private running = 0;
  private drainWaiters: (() => void)[] = [];
  private readonly outputOrder: readonly string[];
  private readonly controls: readonly ControlPlan[];
  private readonly states: readonly StatePlan[];
  /** How many sequences' requests one execution may take: 1 when a state tensor has a variable dimension. */
  private readonly batchLimit: number;
  private schedulePending = false;
  /** The timer that schedules again once a held-back batch's queue delay is up, and when it fires. */
  private delayTimer?: NodeJS.Timeout;
  private delayTimerAt = Infinity;
  private nextStateKey = 1;

  /** `plan.sequenceBatching` must be present. */
  constructor(
    private readonly plan: ModelPlan,
    private readonly instances: readonly ExecutionSlot[],
  ) {
    if (plan.sequenceBatching === undefined) throw new TypeError(`model '${plan.name}' has no sequence batching plan`);
    this.outputOrder = plan.outputs.map((o) => o.name);
    this.controls = plan.sequenceBatching.controls;
    this.states = plan.sequenceBatching.states;
    const variableState = this.states.some((state) => state.initialShape.some((d) => d === 0));
    this.batchLimit = variableState ? 1 : Math.max(1, plan.maxBatchSize);
    this.direct = plan.sequenceBatching.strategy === 'direct';
    for (const instance of instances) {
      this.slots.set(instance, new Array<Sequence | undefined>(plan.sequenceBatching.slotsPerInstance).fill(undefined));
    }
    // An instance says it is free before the result of its execution reaches this batcher (finish): scheduling then
    // would see that execution's sequences as still running and leave their next requests out of the batch.
    // finish() schedules in any case; this catches an instance freed by another model sharing its worker.
    const schedule = (): void => {
      if (this.schedulePending) return;
      this.schedulePending = true;
      setImmediate(() => {
        this.schedulePending = false;
        this.schedule();
      });
    };
    for (const instance of instances) instance.addAvailabilityListener(schedule);
  }

  get inflight(): number {
    return this.queued + this.running;
  }

  get pending(): number {
    return this.queued;
  }

  /** Live sequences (for tests and operators). */
  get liveSequences(): number {
    return this.sequences.size;
  }

  /**
   * Throws Triton's INVALID_ARG for a request of more than one row, without correlation ID, or for an unknown sequence
   * without START (checked in Triton's order).
   */
  enqueue(execution: Execution): Promise<ExecutionResult> {
    if (execution.batchSize > 1) {
      throw invalidArg(`inference request to model '${this.plan.name}' must specify batch-size 1 due to requirements of sequence batcher`);
    }
    const flags = execution.sequence;
    if (flags === undefined || flags.key === '') {
      throw invalidArg(`inference request to model '${this.plan.name}' must specify a non-zero or non-empty correlation ID`);
    }
    let sequence = this.sequences.get(flags.key);
    if (sequence === undefined) {
      if (!flags.start) {
        throw invalidArg(
          `inference request for sequence ${flags.label} to model '${this.plan.name}' must specify the START flag on the first request of the sequence`,
        );
      }
      sequence = this.open(flags.key);
    }
    if (execution.signal?.aborted) return Promise.reject(cancelledError());
    if (sequence.idleTimer !== undefined) clearTimeout(sequence.idleTimer);
    sequence.idleTimer = undefined;
    const target = sequence;
    const withControls = this.controls.length === 0 ? execution : { ...execution, inputs: [...execution.inputs, ...this.controlTensors(flags)] };
    const result = new Promise<ExecutionResult>((resolve, reject) => {
      target.queue.push({ execution: withControls, enqueuedAt: performance.now(), start: flags.start, end: flags.end, resolve, reject });
    });
    this.queued++;
    this.schedule();
    return result;
  }

  /**
   * The control inputs of one request: START / END as its flags say, READY true (every row the batcher runs is a live
   * request), CORRID its correlation ID; shaped [1, 1] for a batching model, [1] otherwise.
   */
  private controlTensors(flags: SequenceFlags): WireTensor[] {
    const shape = this.plan.maxBatchSize > 0 ? [1, 1] : [1];
    return this.controls.map((control) => {
      const data = control.falseTrue === undefined
        ? correlationIdBytes(control.datatype, flags)
        : control.falseTrue[control.kind === 'CONTROL_SEQUENCE_START' ? Number(flags.start) : control.kind === 'CONTROL_SEQUENCE_END' ? Number(flags.end) : 1]!;
      return { name: control.name, datatype: control.datatype, shape, data };
    });
  }

  drained(): Promise<void> {
    if (this.inflight === 0) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  /** Binds a new sequence to the lowest free slot of any instance, or puts it in the backlog when every slot is held. */
  private open(key: string): Sequence {
    const sequence: Sequence = { key, stateKey: this.nextStateKey++, instance: undefined, slot: -1, queue: new Fifo<Queued>(), running: false };
    this.sequences.set(key, sequence);
    if (!this.takeFreeSlot(sequence)) this.backlog.push(sequence);
    return sequence;
  }

  /** Puts `sequence` in the lowest free slot (instances in order at equal slots); false when none is free. */
  private takeFreeSlot(sequence: Sequence): boolean {
    const width = this.plan.sequenceBatching!.slotsPerInstance;
    for (let slot = 0; slot < width; slot++) {
      for (const instance of this.instances) {
        const slots = this.slots.get(instance)!;
        if (slots[slot] !== undefined) continue;
        slots[slot] = sequence;
        sequence.instance = instance;
        sequence.slot = slot;
        return true;
      }
    }
    return false;
  }

  /**
   * Ends a sequence: after its END (its worker has already let its state go), or `idle` (its worker is told to let
   * the state go).
   */
  private release(sequence: Sequence, idle = false): void {
    if (this.sequences.get(sequence.key) !== sequence) return;
    if (sequence.idleTimer !== undefined) clearTimeout(sequence.idleTimer);
    this.sequences.delete(sequence.key);
    if (idle && this.states.length > 0 && sequence.instance !== undefined) void sequence.instance.releaseStates([sequence.stateKey]);
    if (sequence.instance === undefined) {
      this.backlog = this.backlog.filter((s) => s !== sequence);
      return;
    }
    this.slots.get(sequence.instance)![sequence.slot] = undefined;
    // The freed slot goes to the oldest sequence of the backlog.
    const next = this.backlog.shift();
    if (next !== undefined) this.takeFreeSlot(next);
  }

  /** An idle sequence (nothing queued or running) is released once max_sequence_idle_microseconds pass. */
  private armIdle(sequence: Sequence): void {
    if (sequence.running || sequence.queue.length > 0 || this.sequences.get(sequence.key) !== sequence) return;
    sequence.idleTimer = setTimeout(() => {
      this.release(sequence, true);
      this.schedule(); // the freed slot may have gone to a backlogged sequence with a request waiting
    }, this.plan.sequenceBatching!.idleUs / 1000);
    sequence.idleTimer.unref();
  }

  /**
   * Runs, on every available instance, the head requests of the sequences bound there: at once, or once they fill a
   * preferred batch size (oldest) or the minimum slot utilization (direct), or once the oldest of them has waited the
   * queue delay.
   */
  private schedule(): void {
    let wakeAt = Infinity;
    for (const instance of this.instances) {
      if (this.queued === 0) break;
      if (!instance.available) continue;
      let rows = this.direct ? this.slotRows(instance) : this.nextBatch(instance);
      const batch = rows.filter((row): row is Entry => row !== undefined);
      if (batch.length === 0) continue;
      const due = this.dueAt(batch);
      if (due > performance.now()) {
        for (const { sequence, item } of batch) sequence.queue.unshift(item);
        wakeAt = Math.min(wakeAt, due);
        continue;
      }
      if (!this.direct) rows = this.preferredCut(batch);
      this.run(instance, rows);
    }
    this.armDelayTimer(wakeAt);
    this.notifyDrained();
  }

  /** The sequence's next request that its client still waits for (taken off its queue), or undefined. */
  private head(sequence: Sequence): Entry | undefined {
    let item = sequence.queue.shift();
    while (item !== undefined && item.execution.signal?.aborted) {
      this.queued--;
      item.reject(cancelledError());
      item = sequence.queue.shift();
    }
    if (item === undefined) {
      this.armIdle(sequence);
      return undefined;
    }
    return { sequence, item };
  }

  /**
   * direct: one row per slot from slot 0 to the highest slot with a request waiting, as Triton's direct batcher builds
   * them: a slot without a request (or whose request's shapes differ from the first one's, which then waits) is a
   * not-ready row (undefined here).
   */
  private slotRows(instance: ExecutionSlot): (Entry | undefined)[] {
    const slots = this.slots.get(instance)!;
    // Like Triton's, the next batch forms once the previous one has finished (finish() schedules again).
    if (slots.some((sequence) => sequence?.running === true)) return [];
    const heads = slots.map((sequence) => (sequence === undefined ? undefined : this.head(sequence)));
    let last = heads.length - 1;
    while (last >= 0 && heads[last] === undefined) last--;
    if (last < 0) return [];
    const first = heads.find((head) => head !== undefined)!;
    // A state with a variable dimension cannot be batched: the lowest slot's request runs alone.
    const width = this.batchLimit === 1 ? heads.indexOf(first) : last;
    const rows: (Entry | undefined)[] = [];
    heads.forEach((head, slot) => {
      if (head === undefined) {
        if (slot <= width && this.batchLimit > 1) rows.push(undefined);
        return;
      }
      if (slot > width || (head !== first && !sameShapes(head.item.execution, first.item.execution))) {
        head.sequence.queue.unshift(head.item);
        if (slot <= width) rows.push(undefined);
        return;
      }
      rows.push(head);
    });
    return rows;
  }

  /** When `batch` may run: now when no delay applies or it is full enough, else when its oldest request's delay ends. */
  private dueAt(batch: readonly Entry[]): number {
    const { queueDelayUs, preferredBatchSizes, minimumSlotUtilization } = this.plan.sequenceBatching!;
    if (queueDelayUs <= 0 || this.batchLimit <= 1) return 0;
    const rows = batch.reduce((n, { item }) => n + Math.max(1, item.execution.batchSize), 0);
    if (rows >= this.batchLimit) return 0;
    // oldest (its preferred sizes normalized to [max_batch_size] when empty): full at its largest preferred size;
    // direct: full once requests fill minimum_slot_utilization of the slots (at once when that is 0).
    const full = this.direct
      ? batch.length >= minimumSlotUtilization * this.batchLimit
      : rows >= preferredBatchSizes[preferredBatchSizes.length - 1]!;
    if (full) return 0;
    const oldest = Math.min(...batch.map(({ item }) => item.enqueuedAt));
    return oldest + queueDelayUs / 1000;
  }

  /** With preferred batch sizes, a batch beyond one of them is cut to the largest it reaches (the rest waits). */
  private preferredCut(batch: Entry[]): Entry[] {
    const preferred = this.plan.sequenceBatching!.preferredBatchSizes;
    if (preferred.length === 0 || batch.length <= 1) return batch;
    let rows = 0;
    let cut = 0;
    batch.forEach(({ item }, i) => {
      rows += Math.max(1, item.execution.batchSize);
      if (preferred.includes(rows)) cut = i + 1;
    });
    if (cut === 0 || cut === batch.length) return batch;
    for (const { sequence, item } of batch.slice(cut).reverse()) sequence.queue.unshift(item);
    return batch.slice(0, cut);
  }

  /** One timer for the earliest moment a held-back batch becomes due. */
  private armDelayTimer(wakeAt: number): void {
    if (this.delayTimer !== undefined) {
      if (this.delayTimerAt <= wakeAt) return;
      clearTimeout(this.delayTimer);
    }
    if (wakeAt === Infinity) {
      this.delayTimer = undefined;
      return;
    }
    this.delayTimerAt = wakeAt;
    this.delayTimer = setTimeout(() => {
      this.delayTimer = undefined;
      this.schedule();
    }, Math.max(0, wakeAt - performance.now()));
  }

  /** oldest: up to max_batch_size sequences' head requests (at least one), oldest first, with matching shapes. */
  private nextBatch(instance: ExecutionSlot): Entry[] {
    const ready: Entry[] = [];
    for (const sequence of this.sequences.values()) {
      if (sequence.instance !== instance || sequence.running) continue;
      const head = this.head(sequence);
      if (head !== undefined) ready.push(head);
    }
    ready.sort((a, b) => a.item.enqueuedAt - b.item.enqueuedAt);
    const limit = this.batchLimit;
    const first = ready[0];
    const batch: Entry[] = [];
    let rows = 0;
    for (const entry of ready) {
      const size = Math.max(1, entry.item.execution.batchSize);
      const fits = batch.length === 0 || (limit > 1 && rows + size <= limit && sameShapes(entry.item.execution, first!.item.execution));
      if (fits) {
        batch.push(entry);
        rows += size;
      } else {
        // Not this time: back to the front of its sequence's queue.
        entry.sequence.queue.unshift(entry.item);
      }
    }
    return batch;
  }

  /** Runs `rows` as one execution; an undefined row is a not-ready slot (Triton's null request), its output dropped. */
  private run(instance: ExecutionSlot, rows: readonly (Entry | undefined)[]): void {
    const startedAt = performance.now();
    const batch = rows.filter((row): row is Entry => row !== undefined);
    this.queued -= batch.length;
    this.running += batch.length;
    for (const { sequence } of batch) sequence.running = true;
    const template = batch[0]!.item.execution;
    const executions = rows.map((row) => (row === undefined ? this.notReady(template) : row.item.execution));
    const elements = batch.length;
    const padding = rows.length - batch.length;
    const wanted = new Set(batch.flatMap(({ item }) => item.execution.outputNames));
    const outputNames = this.outputOrder.filter((name) => wanted.has(name));
    const stateRows = this.states.length === 0 ? undefined : rows.map((row): StateRow => {
      if (row === undefined) return { key: 0, flags: STATE_NOT_READY };
      return { key: row.sequence.stateKey, flags: (row.item.start ? STATE_START : 0) | (row.item.end ? STATE_END : 0) };
    });
    let inputs;
    try {
      inputs = executions.length === 1 ? inputsInPlace(executions[0]!.inputs) : assembleBatch(executions);
    } catch (error) {
      this.finish(batch, error as Error);
      return;
    }
    const single = executions.length === 1;
    instance.run(inputs, single ? executions[0]!.outputNames : outputNames, stateRows).then(
      (result) => {
        publishExecution(this.plan, elements, batch.length, result.timings, padding);
        const queueNs = (item: Queued): number => Math.round((startedAt - item.enqueuedAt) * 1e6);
        if (single) {
          const { item } = batch[0]!;
          item.resolve({ outputs: result.outputs, timings: result.timings, queueNs: queueNs(item), batchSize: elements });
        } else {
          const counts = executions.map((e) => (this.plan.maxBatchSize > 0 ? e.inputs[0]?.shape[0] ?? 0 : 0));
          const pieces = new Map(result.outputs.map((output) => [output.name, this.plan.maxBatchSize > 0 ? splitOutput(output, counts) : [output]]));
          rows.forEach((row, i) => {
            if (row === undefined) return;
            const { item } = row;
            const outputs = item.execution.outputNames.map((name) => pieces.get(name)![i]!);
            item.resolve({ outputs, timings: result.timings, queueNs: queueNs(item), batchSize: elements });
          });
        }
        this.finish(batch);
      },
      (error: Error) => this.finish(batch, error),
    );
  }

  /**
   * A not-ready row shaped like `template` (a request of the batch): its inputs, with READY / START / END false and
   * CORRID 0 in its control inputs (its state, the initial one, is the worker's to add).
   */
  private notReady(template: Execution): Execution {
    const controls = new Map(this.controls.map((control) => [control.name, control]));
    const inputs = template.inputs.map((tensor): WireTensor => {
      const control = controls.get(tensor.name);
      if (control === undefined) return tensor;
      const data = control.falseTrue?.[0] ?? new Uint8Array(control.datatype === 'BYTES' ? 4 : byteSizeOf(control.datatype));
      return { ...tensor, data };
    });
    return { ...template, inputs };
  }

  private finish(batch: readonly { sequence: Sequence; item: Queued }[], error?: Error): void {
    this.running -= batch.length;
    for (const { sequence, item } of batch) {
      if (error !== undefined) item.reject(error);
      sequence.running = false;
      if (item.end && sequence.queue.length === 0) this.release(sequence);
      else this.armIdle(sequence);
    }
    this.schedule();
  }

  private notifyDrained(): void {
    if (this.inflight !== 0 || this.drainWaiters.length === 0) return;
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const resolve of waiters) resolve();
  }
}

/** Whether two requests' inputs match beyond the batch dimension (so their rows can be stacked). */
function sameShapes(a: Execution, b: Execution): boolean {
  if (a.inputs.length !== b.inputs.length) return false;
  return a.inputs.every((tensor) => {
    const other = b.inputs.find((t) => t.name === tensor.name);
    return other !== undefined && other.datatype === tensor.datatype && other.shape.slice(1).join() === tensor.shape.slice(1).join();
  });
}

/** A correlation ID as one element of the CONTROL_SEQUENCE_CORRID tensor (a string ID in a numeric tensor counts as 0). */
function correlationIdBytes(datatype: string, flags: SequenceFlags): Uint8Array {
  const numeric = flags.key.startsWith('n');
  if (datatype === 'BYTES') {
    const text = new TextEncoder().encode(flags.label);
    const out = new Uint8Array(4 + text.byteLength);
    new DataView(out.buffer).setUint32(0, text.byteLength, true);
    out.set(text, 4);
    return out;
  }
  const value = numeric ? BigInt(flags.label) : 0n;
  switch (datatype) {
    case 'UINT64':
      return new Uint8Array(BigUint64Array.of(value).buffer);
    case 'INT64':
      return new Uint8Array(BigInt64Array.of(BigInt.asIntN(64, value)).buffer);
    case 'UINT32':
      return new Uint8Array(Uint32Array.of(Number(BigInt.asUintN(32, value))).buffer);
    default:
      return new Uint8Array(Int32Array.of(Number(BigInt.asIntN(32, value))).buffer);
  }
}
