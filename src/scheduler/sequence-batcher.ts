/**
 * The sequence batcher for models with `sequence_batching` (both strategies; control inputs are added to every
 * request and implicit state is carried from each request of a sequence to the next, kept here on the main thread):
 * every request names its sequence by correlation ID, the
 * first one with the START flag; a sequence is bound to one instance for its lifetime and its requests run there one
 * at a time, in arrival order. Requests of different sequences bound to the same instance run together in one batch
 * (one row-block per sequence) up to max_batch_size; with a queue delay they wait, up to that delay, for a fuller batch
 * (the oldest strategy's largest preferred size, the direct strategy's minimum slot utilization), and the oldest
 * strategy cuts a batch to the largest preferred size it reaches. A sequence ends after its request with the END flag, or when no
 * request has come for max_sequence_idle_microseconds; a later request without START then fails as Triton's does.
 *
 * Differs from Triton: a sequence is never held back for want of a batch slot (Triton's direct strategy has
 * max_batch_size slots per instance and queues new sequences until one frees); here an instance takes any number of
 * sequences and batches max_batch_size of them at a time.
 */
import type { ControlPlan, ModelPlan, StatePlan } from '../core/model-plan.ts';
import { byteSizeOf, elementCount } from '../protocol/datatypes.ts';
import type { Execution, Scheduler, SequenceFlags } from '../core/scheduler-port.ts';
import type { WireTensor } from '../protocol/wire-tensor.ts';
import { invalidArg } from '../protocol/errors.ts';
import type { ExecutionResult, ExecutionSlot } from '../protocol/execution.ts';
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

interface Sequence {
  readonly key: string;
  readonly instance: ExecutionSlot;
  readonly queue: Fifo<Queued>;
  running: boolean;
  idleTimer?: NodeJS.Timeout;
  /** The implicit state after the sequence's last request, by state input name. */
  state?: Map<string, WireTensor>;
}

export class SequenceBatcher implements Scheduler {
  private readonly sequences = new Map<string, Sequence>();
  /** Live sequences bound to each instance. */
  private readonly bound = new Map<ExecutionSlot, number>();
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
    for (const instance of instances) this.bound.set(instance, 0);
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

  /** Throws Triton's INVALID_ARG for a request without correlation ID, or for an unknown sequence without START. */
  enqueue(execution: Execution): Promise<ExecutionResult> {
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
    const withControls = this.controls.length === 0 ? execution : { ...execution, inputs: [...execution.inputs, ...this.controlTensors(execution, flags)] };
    const result = new Promise<ExecutionResult>((resolve, reject) => {
      target.queue.push({ execution: withControls, enqueuedAt: performance.now(), start: flags.start, end: flags.end, resolve, reject });
    });
    this.queued++;
    this.schedule();
    return result;
  }

  /**
   * The control inputs of one request: START / END as its flags say, READY true (every row the batcher runs is a live
   * request), CORRID its correlation ID; shaped [rows, 1] for a batching model, [1] otherwise.
   */
  private controlTensors(execution: Execution, flags: SequenceFlags): WireTensor[] {
    const rows = this.plan.maxBatchSize > 0 ? Math.max(1, execution.batchSize) : 1;
    const shape = this.plan.maxBatchSize > 0 ? [rows, 1] : [1];
    return this.controls.map((control) => {
      const one = control.falseTrue === undefined
        ? correlationIdBytes(control.datatype, flags)
        : control.falseTrue[control.kind === 'CONTROL_SEQUENCE_START' ? Number(flags.start) : control.kind === 'CONTROL_SEQUENCE_END' ? Number(flags.end) : 1]!;
      const data = new Uint8Array(one.byteLength * rows);
      for (let r = 0; r < rows; r++) data.set(one, r * one.byteLength);
      return { name: control.name, datatype: control.datatype, shape, data };
    });
  }

  drained(): Promise<void> {
    if (this.inflight === 0) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  /** Binds a new sequence to the instance with fewest live sequences. */
  private open(key: string): Sequence {
    let instance = this.instances[0]!;
    for (const candidate of this.instances) if (this.bound.get(candidate)! < this.bound.get(instance)!) instance = candidate;
    this.bound.set(instance, this.bound.get(instance)! + 1);
    const sequence: Sequence = { key, instance, queue: new Fifo<Queued>(), running: false };
    this.sequences.set(key, sequence);
    return sequence;
  }

  private release(sequence: Sequence): void {
    if (this.sequences.get(sequence.key) !== sequence) return;
    if (sequence.idleTimer !== undefined) clearTimeout(sequence.idleTimer);
    this.sequences.delete(sequence.key);
    this.bound.set(sequence.instance, this.bound.get(sequence.instance)! - 1);
  }

  /** An idle sequence (nothing queued or running) is released once max_sequence_idle_microseconds pass. */
  private armIdle(sequence: Sequence): void {
    if (sequence.running || sequence.queue.length > 0 || this.sequences.get(sequence.key) !== sequence) return;
    sequence.idleTimer = setTimeout(() => this.release(sequence), this.plan.sequenceBatching!.idleUs / 1000);
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
      let batch = this.nextBatch(instance);
      if (batch.length === 0) continue;
      const due = this.dueAt(batch);
      if (due > performance.now()) {
        for (const { sequence, item } of batch) sequence.queue.unshift(item);
        wakeAt = Math.min(wakeAt, due);
        continue;
      }
      batch = this.preferredCut(batch);
      this.run(instance, batch);
    }
    this.armDelayTimer(wakeAt);
    this.notifyDrained();
  }

  /** When `batch` may run: now when no delay applies or it is full enough, else when its oldest request's delay ends. */
  private dueAt(batch: readonly { item: Queued }[]): number {
    const { queueDelayUs, preferredBatchSizes, minimumSlotUtilization } = this.plan.sequenceBatching!;
    if (queueDelayUs <= 0 || this.batchLimit <= 1) return 0;
    const rows = batch.reduce((n, { item }) => n + Math.max(1, item.execution.batchSize), 0);
    if (rows >= this.batchLimit) return 0;
    // oldest (its preferred sizes normalized to [max_batch_size] when empty): full at its largest preferred size;
    // direct: full once the batch fills minimum_slot_utilization of max_batch_size (at once when that is 0).
    const full = preferredBatchSizes.length > 0
      ? rows >= preferredBatchSizes[preferredBatchSizes.length - 1]!
      : rows >= minimumSlotUtilization * this.batchLimit;
    if (full) return 0;
    const oldest = Math.min(...batch.map(({ item }) => item.enqueuedAt));
    return oldest + queueDelayUs / 1000;
  }

  /** With preferred batch sizes, a batch beyond one of them is cut to the largest it reaches (the rest waits). */
  private preferredCut<T extends { sequence: Sequence; item: Queued }>(batch: T[]): T[] {
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

  /** Up to max_batch_size sequences' head requests (at least one), oldest first, with matching shapes. */
  private nextBatch(instance: ExecutionSlot): { sequence: Sequence; item: Queued }[] {
    const ready: { sequence: Sequence; item: Queued }[] = [];
    for (const sequence of this.sequences.values()) {
      if (sequence.instance !== instance || sequence.running) continue;
      let item = sequence.queue.shift();
      while (item !== undefined && item.execution.signal?.aborted) {
        this.queued--;
        item.reject(cancelledError());
        item = sequence.queue.shift();
      }
      if (item === undefined) {
        this.armIdle(sequence);
        continue;
      }
      ready.push({ sequence, item });
    }
    ready.sort((a, b) => a.item.enqueuedAt - b.item.enqueuedAt);
    const limit = this.batchLimit;
    const first = ready[0];
    const batch: typeof ready = [];
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

  private run(instance: ExecutionSlot, batch: readonly { sequence: Sequence; item: Queued }[]): void {
    const startedAt = performance.now();
    this.queued -= batch.length;
    this.running += batch.length;
    for (const { sequence } of batch) sequence.running = true;
    const executions = batch.map(({ sequence, item }) => this.withState(sequence, item));
    const elements = executions.reduce((n, e) => n + Math.max(1, e.batchSize), 0);
    const wanted = new Set(executions.flatMap((e) => e.outputNames));
    const outputNames = [...this.outputOrder.filter((name) => wanted.has(name)), ...this.states.map((state) => state.outputName)];
    let inputs;
    try {
      inputs = executions.length === 1 ? inputsInPlace(executions[0]!.inputs) : assembleBatch(executions);
    } catch (error) {
      this.finish(batch, error as Error);
      return;
    }
    const single = executions.length === 1 && this.states.length === 0;
    instance.run(inputs, single ? executions[0]!.outputNames : outputNames).then(
      (result) => {
        publishExecution(this.plan, elements, batch.length, result.timings);
        const queueNs = (item: Queued): number => Math.round((startedAt - item.enqueuedAt) * 1e6);
        if (single) {
          const { item } = batch[0]!;
          item.resolve({ outputs: result.outputs, timings: result.timings, queueNs: queueNs(item), batchSize: elements });
        } else {
          const rows = executions.map((e) => (this.plan.maxBatchSize > 0 ? e.inputs[0]?.shape[0] ?? 0 : 0));
          const pieces = new Map(result.outputs.map((output) => [output.name, this.plan.maxBatchSize > 0 ? splitOutput(output, rows) : [output]]));
          batch.forEach(({ sequence, item }, i) => {
            // The state outputs stay here for the sequence's next request (copied: the batch's buffer is let go).
            if (this.states.length > 0) {
              sequence.state = new Map(this.states.map((state) => {
                const piece = pieces.get(state.outputName)![i]!;
                return [state.inputName, { ...piece, name: state.inputName, data: piece.data.slice() }];
              }));
            }
            const outputs = item.execution.outputNames.map((name) => pieces.get(name)![i]!);
            item.resolve({ outputs, timings: result.timings, queueNs: queueNs(item), batchSize: elements });
          });
        }
        this.finish(batch);
      },
      (error: Error) => this.finish(batch, error),
    );
  }

  /** The request with its implicit state inputs: the initial state at START, else the sequence's last state. */
  private withState(sequence: Sequence, item: Queued): Execution {
    if (this.states.length === 0) return item.execution;
    const rows = Math.max(1, item.execution.batchSize);
    const tensors = this.states.map((state): WireTensor => {
      const kept = item.start ? undefined : sequence.state?.get(state.inputName);
      if (kept !== undefined) return kept;
      const shape = this.plan.maxBatchSize > 0 ? [rows, ...state.initialShape] : [...state.initialShape];
      const bytesPerElement = state.datatype === 'BYTES' ? 4 : byteSizeOf(state.datatype);
      return { name: state.inputName, datatype: state.datatype, shape, data: new Uint8Array(elementCount(shape) * bytesPerElement) };
    });
    return { ...item.execution, inputs: [...item.execution.inputs, ...tensors] };
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
