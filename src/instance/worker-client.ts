/**
 * Main-thread handle on one instance worker: starts it, loads and unloads sessions in it (any number; each run names
 * one), runs executions through the shared ring (ring-layout.ts) and reports when the thread ends. It knows nothing
 * about requests, models or scheduling (instance-pool.ts decides which worker hosts what).
 *
 * Executions are written into the ring's slots in call order; while every slot is taken, further ones wait here and
 * are written as slots come back. The worker runs the slots one after another without waiting for the main thread, so
 * whatever is in the ring behind the running execution starts as soon as that one ends.
 *
 * Completions are learnt with Atomics.waitAsync on the COMPLETED word. A tiny postMessage from the worker instead
 * measured the same at c=1 (raw ping-pong on the 2-core dev machine, medians of 3: 75.7 µs round trip and 37.0 µs of
 * main-thread CPU with waitAsync, 73.4 µs and 36.5 µs with a message: this VM's thread wake-ups dominate both) and
 * slightly worse under load (bench/worker-handoff.ts, 2 workers × 16 in flight, medians of 3: 15.3 µs of main-thread
 * CPU per execution with waitAsync, 16.1 µs with a message); waitAsync also keeps every completion in the ring, with
 * no message to clone, so it stays. One wait is outstanding at most, and one the worker will never answer is settled
 * by the client itself when the thread ends (a pending waitAsync would keep the ring's memory alive).
 */
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import type { ModelMetadata } from '../config/model-metadata.ts';
import type { RunResult, StateRow } from '../protocol/execution.ts';
import { transferable, type PackedInputs } from '../protocol/packed-inputs.ts';
import type { ControlMessage, ExternalRequest, ExternalResult, FromWorker, SessionStates, StartMessage } from './messages.ts';
import { writeExternalMarker, writeRequest, writeSessionId, type NameIndex } from './request-codec.ts';
import { EXTERNAL_RESULT, FAILED, readError, readOutputs, readTimings, resultStatus } from './result-codec.ts';
import {
  checkGeometry,
  COMPLETED,
  CONTROL,
  CONTROL_POSTED,
  controlWords,
  DEFAULT_RING,
  DOORBELL,
  EXIT,
  MAIN_WAITING,
  ringByteLength,
  slotsOf,
  STARTED,
  SUBMITTED,
  WORKER_SLEEPING,
  type RingGeometry,
  type Slot,
} from './ring-layout.ts';
import type { OrtOptions } from './session-options.ts';

/**
 * What each worker thread runs. Compiled (dist/), the worker is plain `worker-entry.js` with no loader. From the
 * TypeScript sources (tests and scripts under tsx), worker threads do not inherit tsx's loader, so the worker starts
 * in worker-bootstrap.mjs, which registers tsx and then imports `worker-entry.ts`.
 */
const WORKER: { readonly file: URL; readonly workerData?: { entry: string } } = import.meta.url.endsWith('.ts')
  ? { file: new URL('./worker-bootstrap.mjs', import.meta.url), workerData: { entry: new URL('./worker-entry.ts', import.meta.url).href } }
  : { file: new URL('./worker-entry.js', import.meta.url) };

/** Atomics.waitAsync (V8; Node 16 on): TypeScript declares it from lib es2024 only, and the project targets ES2022. */
const waitAsync = (Atomics as unknown as {
  waitAsync(array: Int32Array, index: number, value: number): { async: false; value: string } | { async: true; value: Promise<string> };
}).waitAsync;

interface Pending {
  readonly session: number;
  readonly outputNames: readonly string[];
  readonly states: readonly StateRow[] | undefined;
  resolve(result: RunResult): void;
  reject(error: Error): void;
}

interface Waiting extends Pending {
  readonly inputs: PackedInputs;
}

/** A session bound to its worker (WorkerClient.start). */
export interface WorkerSession {
  run(inputs: PackedInputs, outputNames: readonly string[]): Promise<RunResult>;
}

/** Names of a session the worker has not (yet) described: every request then goes the external way. */
const NO_NAMES: NameIndex = { inputs: new Map(), outputs: new Map() };

/** Thrown for failures inside ONNX Runtime (load or run); the message is ORT's. */
export class OrtError extends Error {}

export class WorkerClient {
  private readonly worker: Worker;
  private readonly words: Int32Array;
  private readonly slots: readonly Slot[];
  private readonly mask: number;
  /** The main thread's end of the side channel (what does not fit a slot). */
  private readonly side: MessagePort;
  /** The execution in each slot, by slot index. */
  private readonly pending: (Pending | undefined)[];
  /** Executions waiting for a free slot, in call order. */
  private waiting: Waiting[] = [];
  /** Sequence numbers (int32, wrapping) of the next slot to write and of the next result to read. */
  private submitted = 0;
  private completed = 0;
  /** True while an Atomics.waitAsync on COMPLETED is outstanding. */
  private armed = false;
  /** Each loaded session's interned input and output names. */
  private readonly names = new Map<number, NameIndex>();
  private nextSession = 1;
  /** Control messages awaiting the worker's answer, by session id. */
  private readonly loadWaiters = new Map<number, { resolve(m: ModelMetadata): void; reject(e: Error): void }>();
  private readonly unloadWaiters = new Map<number, () => void>();
  /** 'drop-states' answers awaited, per session, in the order asked (the worker answers in order). */
  private readonly stateWaiters = new Map<number, ((held: number) => void)[]>();
  private readonly control: MessagePort;
  private exited = false;
  /** Called once when the thread ends for any reason other than terminate(). */
  onUnexpectedExit: ((reason: string) => void) | undefined;
  private terminating = false;
  private readonly exitedPromise: Promise<void>;
  private readonly onCompleted = (): void => {
    this.armed = false;
    this.drain();
  };

  private constructor(label: string, geometry: RingGeometry) {
    checkGeometry(geometry);
    const ring = new SharedArrayBuffer(ringByteLength(geometry));
    this.words = controlWords(ring);
    this.slots = slotsOf(ring, geometry);
    this.mask = geometry.slotCount - 1;
    this.pending = new Array<Pending | undefined>(geometry.slotCount);
    const side = new MessageChannel();
    const control = new MessageChannel();
    this.side = side.port1;
    this.control = control.port1;
    this.worker = new Worker(WORKER.file, { workerData: WORKER.workerData, name: label });
    this.worker.on('message', (message: FromWorker) => this.receive(message));
    this.worker.on('error', (error) => this.ended(`worker error: ${error.message}`));
    this.exitedPromise = new Promise((resolve) => this.worker.once('exit', () => resolve()));
    this.worker.on('exit', (code) => this.ended(`worker exited with code ${code}`));
    const start: StartMessage = { type: 'start', ring, geometry, side: side.port2, control: control.port2 };
    this.worker.postMessage(start, [side.port2, control.port2]);
  }

  /**
   * Starts a worker thread hosting no session yet. `geometry` sizes the ring (tests use small slots to reach the
   * fallback for what does not fit).
   */
  static launch(label: string, geometry: RingGeometry = DEFAULT_RING): WorkerClient {
    return new WorkerClient(label, geometry);
  }

  /** A worker with one session of `modelPath` (tools and tests); rejects with OrtError when ONNX Runtime refuses it. */
  static async start(label: string, modelPath: string, options: OrtOptions, geometry: RingGeometry = DEFAULT_RING): Promise<{ client: WorkerClient; session: WorkerSession; metadata: ModelMetadata }> {
    const client = new WorkerClient(label, geometry);
    try {
      const { session, metadata } = await client.load(modelPath, options);
      return { client, session: { run: (inputs, outputNames) => client.run(session, inputs, outputNames) }, metadata };
    } catch (error) {
      await client.terminate();
      throw error;
    }
  }

  /**
   * Creates a session in the worker (between its executions); resolves with its id and the model's metadata, rejects
   * with OrtError when ONNX Runtime refuses the model.
   */
  load(modelPath: string, options: OrtOptions, states?: SessionStates): Promise<{ session: number; metadata: ModelMetadata }> {
    if (this.exited) return Promise.reject(new Error('the instance worker has stopped'));
    const session = this.nextSession++;
    const loaded = new Promise<ModelMetadata>((resolve, reject) => this.loadWaiters.set(session, { resolve, reject }));
    this.post({
      type: 'load',
      session,
      modelPath,
      sessionOptions: options.session,
      ...(options.run === undefined ? {} : { runOptions: options.run }),
      ...(states === undefined ? {} : { states }),
    });
    return loaded.then((metadata) => ({ session, metadata }));
  }

  /** Releases a session in the worker; its executions must have settled. Resolves once ONNX Runtime has freed it. */
  unload(session: number): Promise<void> {
    this.names.delete(session);
    if (this.exited) return Promise.resolve();
    const unloaded = new Promise<void>((resolve) => this.unloadWaiters.set(session, resolve));
    this.post({ type: 'unload', session });
    return unloaded;
  }

  /**
   * Lets go of the implicit state the worker keeps for these sequence keys of `session`; resolves with how many
   * sequences' state the session still holds there (0 once the worker has stopped: its state went with it).
   */
  dropStates(session: number, keys: readonly number[]): Promise<number> {
    if (this.exited) return Promise.resolve(0);
    const answered = new Promise<number>((resolve) => {
      const waiters = this.stateWaiters.get(session) ?? [];
      waiters.push(resolve);
      this.stateWaiters.set(session, waiters);
    });
    this.post({ type: 'drop-states', session, keys });
    return answered;
  }

  /** True while the worker is inside an execution (observable for tests: what runs when the thread is asked to end). */
  get executing(): boolean {
    return !this.exited && Atomics.load(this.words, STARTED) !== Atomics.load(this.words, COMPLETED);
  }

  /** Executions handed to this worker and not yet settled (in the ring or waiting for a slot). */
  get outstanding(): number {
    return this.inRing + this.waiting.length;
  }

  /** Executions written to the ring and not yet read back. */
  private get inRing(): number {
    return (this.submitted - this.completed) | 0;
  }

  /**
   * Runs one execution. Its inputs are copied into a ring slot; one that does not fit goes on the side channel, its
   * packed buffer transferred (detached here; inputs without a buffer of their own are packed first, never detached).
   */
  run(session: number, inputs: PackedInputs, outputNames: readonly string[], states?: readonly StateRow[]): Promise<RunResult> {
    if (this.exited) return Promise.reject(new Error('the instance worker has stopped'));
    return new Promise<RunResult>((resolve, reject) => {
      if (this.waiting.length === 0 && this.inRing < this.slots.length) this.submit(inputs, { session, outputNames, states, resolve, reject });
      else this.waiting.push({ session, inputs, outputNames, states, resolve, reject });
    });
  }

  /**
   * Ends the thread. Executions still pending are rejected at once with `reason`; the thread itself ends as soon as
   * the ONNX Runtime call in progress returns (never Worker.terminate() during a native call: that aborts the
   * process). Resolves when the thread has ended.
   */
  terminate(reason = 'the instance worker was stopped'): Promise<void> {
    this.terminating = true;
    if (!this.exited) {
      Atomics.store(this.words, CONTROL, EXIT);
      this.ringDoorbell();
    }
    this.ended(reason);
    return this.exitedPromise;
  }

  private submit(inputs: PackedInputs, pending: Pending): void {
    const index = this.submitted & this.mask;
    const slot = this.slots[index]!;
    const names = this.names.get(pending.session) ?? NO_NAMES;
    if (!writeRequest(slot, inputs.tensors, pending.outputNames, names, pending.states)) {
      writeExternalMarker(slot);
      const { tensors, buffer } = transferable(inputs);
      const request: ExternalRequest = { inputs: tensors, outputNames: pending.outputNames, ...(pending.states === undefined ? {} : { states: pending.states }) };
      this.side.postMessage(request, [buffer]);
    }
    writeSessionId(slot, pending.session);
    this.pending[index] = pending;
    this.submitted = (this.submitted + 1) | 0;
    Atomics.store(this.words, SUBMITTED, this.submitted);
    this.ringDoorbell();
    this.arm();
  }

  /** Posts a control message and makes sure the worker reads it (now, or after the execution it is in). */
  private post(message: ControlMessage): void {
    this.control.postMessage(message);
    Atomics.add(this.words, CONTROL_POSTED, 1);
    this.ringDoorbell();
  }

  private ringDoorbell(): void {
    Atomics.add(this.words, DOORBELL, 1);
    if (Atomics.load(this.words, WORKER_SLEEPING) === 1) Atomics.notify(this.words, DOORBELL);
  }

  /** Waits (asynchronously) for the next completion while anything is in the ring. */
  private arm(): void {
    while (!this.armed && !this.exited && this.inRing > 0) {
      Atomics.store(this.words, MAIN_WAITING, 1);
      const wait = waitAsync(this.words, COMPLETED, this.completed);
      if (wait.async) {
        this.armed = true;
        void wait.value.then(this.onCompleted);
        return;
      }
      this.drain(); // 'not-equal': results are already there
    }
  }

  /** Settles every finished execution, then fills the slots they freed with waiting ones. */
  private drain(): void {
    const done = Atomics.load(this.words, COMPLETED);
    while (this.completed !== done && !this.exited) {
      const index = this.completed & this.mask;
      const pending = this.pending[index]!;
      this.pending[index] = undefined;
      this.settle(this.slots[index]!, pending);
      this.completed = (this.completed + 1) | 0;
    }
    while (!this.exited && this.waiting.length > 0 && this.inRing < this.slots.length) {
      const next = this.waiting.shift()!;
      this.submit(next.inputs, next);
    }
    this.arm();
  }

  private settle(slot: Slot, pending: Pending): void {
    const status = resultStatus(slot);
    const failed = (status & FAILED) !== 0;
    if ((status & EXTERNAL_RESULT) !== 0) {
      const result = receiveMessageOnPort(this.side)?.message as ExternalResult | undefined;
      if (result === undefined) pending.reject(new Error('the result of a ring slot marked external did not arrive'));
      else if ('message' in result) pending.reject(new OrtError(result.message));
      else pending.resolve({ outputs: result.outputs, timings: readTimings(slot) });
    } else if (failed) {
      pending.reject(new OrtError(readError(slot)));
    } else {
      pending.resolve({ outputs: readOutputs(slot, pending.outputNames), timings: readTimings(slot) });
    }
  }

  private receive(message: FromWorker): void {
    switch (message.type) {
      case 'loaded': {
        this.names.set(message.session, {
          inputs: new Map(message.metadata.inputs.map((t, i) => [t.name, i])),
          outputs: new Map(message.metadata.outputs.map((t, i) => [t.name, i])),
        });
        this.loadWaiters.get(message.session)?.resolve(message.metadata);
        this.loadWaiters.delete(message.session);
        return;
      }
      case 'load-failed':
        this.loadWaiters.get(message.session)?.reject(new OrtError(message.message));
        this.loadWaiters.delete(message.session);
        return;
      case 'unloaded':
        this.unloadWaiters.get(message.session)?.();
        this.unloadWaiters.delete(message.session);
        return;
      case 'states-held':
        this.stateWaiters.get(message.session)?.shift()?.(message.held);
    }
  }

  private ended(reason: string): void {
    if (this.exited) return;
    this.exited = true;
    const error = new Error(reason);
    for (const waiter of this.loadWaiters.values()) waiter.reject(error);
    this.loadWaiters.clear();
    // A session ends with its thread: an unload waiting for the worker's answer is done.
    for (const done of this.unloadWaiters.values()) done();
    this.unloadWaiters.clear();
    for (const waiters of this.stateWaiters.values()) for (const resolve of waiters) resolve(0);
    this.stateWaiters.clear();
    for (let i = 0; i < this.pending.length; i++) {
      this.pending[i]?.reject(error);
      this.pending[i] = undefined;
    }
    const waiting = this.waiting;
    this.waiting = [];
    for (const entry of waiting) entry.reject(error);
    // Settle our own outstanding waitAsync: a wait nobody wakes would keep the ring's memory alive for good.
    if (this.armed) Atomics.notify(this.words, COMPLETED);
    this.side.close();
    this.control.close();
    if (!this.terminating) this.onUnexpectedExit?.(reason);
  }
}
