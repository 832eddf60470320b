/**
 * The instance worker: owns one ONNX Runtime session and runs one execution at a time. ONNX Runtime's run() is
 * synchronous on the calling thread, which is why it lives here and never on the main thread.
 *
 * After its one 'load' message the worker never returns to its event loop: it serves the ring (ring-layout.ts),
 * sleeping in Atomics.wait while there is nothing to do and running each slot as soon as the previous one is done,
 * so an execution staged behind the running one starts without a round trip to the main thread.
 */
import { parentPort } from 'node:worker_threads';
import type * as ort from 'onnxruntime-node';
import type { ModelMetadata } from '../config/model-metadata.ts';
import { sessionMetadata } from './session-metadata.ts';
import { OrtSession } from './ort-session.ts';
import { SlotExecutor } from './slot-executor.ts';
import { writeError, writeTimings } from './result-codec.ts';
import { COMPLETED, CONTROL, controlWords, DOORBELL, EXIT, MAIN_WAITING, STARTED, SUBMITTED, slotsOf, WORKER_SLEEPING, type Slot } from './ring-layout.ts';
import type { FromWorker, LoadMessage } from './messages.ts';

const port = parentPort;
if (port === null) throw new Error('worker-entry must run in a worker thread');

function send(message: FromWorker): void {
  port!.postMessage(message);
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Loads the session; undefined (after telling the main thread why) when ONNX Runtime refuses the model. */
function load(message: LoadMessage): OrtSession | undefined {
  try {
    const session = OrtSession.load(message.modelPath, message.sessionOptions as ort.InferenceSession.SessionOptions);
    const metadata: ModelMetadata = sessionMetadata(session);
    send({ type: 'loaded', metadata });
    return session;
  } catch (error) {
    send({ type: 'load-failed', message: errorText(error) });
    return undefined;
  }
}

/** A slot submitted to a worker whose model did not load (the main thread never does this; kept total anyway). */
function refuse(slot: Slot): void {
  writeError(slot, 'no session is loaded');
  const now = performance.timeOrigin + performance.now();
  writeTimings(slot, { startedAtMs: now, endedAtMs: now, computeInputNs: 0, computeInferNs: 0, computeOutputNs: 0 });
}

/**
 * Runs submitted slots in order until the main thread asks for the exit. The exit is honoured only here, between
 * executions: ending the thread while ONNX Runtime is inside a native call aborts the whole process when that call
 * returns into a torn-down environment. Executions still submitted then are not run (the main thread has already
 * failed them).
 */
function serve(message: LoadMessage, session: OrtSession | undefined): never {
  const words = controlWords(message.ring);
  const slots = slotsOf(message.ring, message.geometry);
  const mask = message.geometry.slotCount - 1;
  const executor = session === undefined ? undefined : new SlotExecutor(session, (message.runOptions ?? {}) as ort.InferenceSession.RunOptions, message.side, message.geometry.slotBytes);
  let taken = Atomics.load(words, COMPLETED);
  for (;;) {
    if (Atomics.load(words, CONTROL) === EXIT) process.exit(0);
    if (Atomics.load(words, SUBMITTED) === taken) {
      Atomics.store(words, WORKER_SLEEPING, 1);
      const bell = Atomics.load(words, DOORBELL);
      if (Atomics.load(words, SUBMITTED) === taken && Atomics.load(words, CONTROL) !== EXIT) Atomics.wait(words, DOORBELL, bell);
      Atomics.store(words, WORKER_SLEEPING, 0);
      continue;
    }
    const slot = slots[taken & mask]!;
    Atomics.store(words, STARTED, (taken + 1) | 0);
    if (executor === undefined) refuse(slot);
    else executor.execute(slot);
    taken = (taken + 1) | 0;
    Atomics.store(words, COMPLETED, taken);
    if (Atomics.exchange(words, MAIN_WAITING, 0) === 1) Atomics.notify(words, COMPLETED);
  }
}

port.once('message', (message: LoadMessage) => {
  const session = load(message);
  serve(message, session);
});
