/**
 * The instance worker: hosts the ONNX Runtime sessions of any number of model instances (the pool places them, see
 * instance-pool.ts) and runs one execution at a time. ONNX Runtime's run() is synchronous on the calling thread, which
 * is why it lives here and never on the main thread.
 *
 * After its one 'start' message the worker never returns to its event loop: it serves the ring (ring-layout.ts),
 * sleeping in Atomics.wait while there is nothing to do and running each slot as soon as the previous one is done,
 * so an execution staged behind the running one starts without a round trip to the main thread. Sessions are loaded
 * and unloaded between executions, from the control channel, read synchronously whenever the doorbell rings; a load
 * therefore delays the executions queued behind it on this worker by the time ONNX Runtime takes to create it.
 */
import { parentPort, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import type * as ort from 'onnxruntime-node';
import { sessionMetadata } from './session-metadata.ts';
import { OrtSession } from './ort-session.ts';
import { SlotExecutor } from './slot-executor.ts';
import { SequenceStateStore } from './sequence-state-store.ts';
import { writeError, writeTimings } from './result-codec.ts';
import { requestSessionId } from './request-codec.ts';
import { COMPLETED, CONTROL, CONTROL_POSTED, controlWords, DOORBELL, EXIT, MAIN_WAITING, STARTED, SUBMITTED, slotsOf, WORKER_SLEEPING, type Slot } from './ring-layout.ts';
import type { ControlMessage, FromWorker, StartMessage } from './messages.ts';

const port = parentPort;
if (port === null) throw new Error('worker-entry must run in a worker thread');

function send(message: FromWorker): void {
  port!.postMessage(message);
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A slot naming a session this worker does not have (the main thread never does this; kept total anyway). */
function refuse(slot: Slot, session: number): void {
  writeError(slot, `no session ${session} is loaded in this worker`);
  const now = performance.timeOrigin + performance.now();
  writeTimings(slot, { startedAtMs: now, endedAtMs: now, computeInputNs: 0, computeInferNs: 0, computeOutputNs: 0 });
}

class SessionHost {
  private readonly executors = new Map<number, SlotExecutor>();
  private readonly scratch: Uint8Array;
  /** Control messages taken so far (compared with CONTROL_POSTED). */
  private controlTaken = 0;

  constructor(
    private readonly words: Int32Array,
    private readonly control: MessagePort,
    private readonly side: MessagePort,
    slotBytes: number,
  ) {
    this.scratch = new Uint8Array(slotBytes);
  }

  /** Carries out every control message posted so far, in order. */
  takeControl(): void {
    while (this.controlTaken !== Atomics.load(this.words, CONTROL_POSTED)) {
      const received = receiveMessageOnPort(this.control);
      if (received === undefined) return; // counted before its message was queued: taken on the next look
      this.controlTaken = (this.controlTaken + 1) | 0;
      this.apply(received.message as ControlMessage);
    }
  }

  execute(slot: Slot): void {
    const session = requestSessionId(slot);
    const executor = this.executors.get(session);
    if (executor === undefined) refuse(slot, session);
    else executor.execute(slot);
  }

  private apply(message: ControlMessage): void {
    if (message.type === 'drop-states') {
      const states = this.executors.get(message.session)?.states;
      states?.drop(message.keys);
      send({ type: 'states-held', session: message.session, held: states?.size ?? 0 });
      return;
    }
    if (message.type === 'unload') {
      this.executors.get(message.session)?.session.dispose();
      this.executors.delete(message.session);
      send({ type: 'unloaded', session: message.session });
      return;
    }
    try {
      const session = OrtSession.load(message.modelPath, message.sessionOptions as ort.InferenceSession.SessionOptions);
      const runOptions = (message.runOptions ?? {}) as ort.InferenceSession.RunOptions;
      const states = message.states === undefined ? undefined : new SequenceStateStore(message.states);
      this.executors.set(message.session, new SlotExecutor(session, runOptions, this.side, this.scratch, states));
      send({ type: 'loaded', session: message.session, metadata: sessionMetadata(session) });
    } catch (error) {
      send({ type: 'load-failed', session: message.session, message: errorText(error) });
    }
  }
}

/**
 * Runs submitted slots in order until the main thread asks for the exit. The exit is honoured only here, between
 * executions: ending the thread while ONNX Runtime is inside a native call aborts the whole process when that call
 * returns into a torn-down environment. Executions still submitted then are not run (the main thread has already
 * failed them).
 */
function serve(message: StartMessage): never {
  const words = controlWords(message.ring);
  const slots = slotsOf(message.ring, message.geometry);
  const mask = message.geometry.slotCount - 1;
  const host = new SessionHost(words, message.control, message.side, message.geometry.slotBytes);
  let taken = Atomics.load(words, COMPLETED);
  for (;;) {
    if (Atomics.load(words, CONTROL) === EXIT) process.exit(0);
    host.takeControl();
    if (Atomics.load(words, SUBMITTED) === taken) {
      Atomics.store(words, WORKER_SLEEPING, 1);
      const bell = Atomics.load(words, DOORBELL);
      // A control message posted before this read of the bell is taken here; one posted after it rings it again.
      host.takeControl();
      if (Atomics.load(words, SUBMITTED) === taken && Atomics.load(words, CONTROL) !== EXIT) Atomics.wait(words, DOORBELL, bell);
      Atomics.store(words, WORKER_SLEEPING, 0);
      continue;
    }
    const slot = slots[taken & mask]!;
    Atomics.store(words, STARTED, (taken + 1) | 0);
    host.execute(slot);
    taken = (taken + 1) | 0;
    Atomics.store(words, COMPLETED, taken);
    if (Atomics.exchange(words, MAIN_WAITING, 0) === 1) Atomics.notify(words, COMPLETED);
  }
}

port.once('message', (message: StartMessage) => serve(message));
