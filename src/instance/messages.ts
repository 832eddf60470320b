/**
 * What crosses between the main thread and an instance worker besides the ring (ring-layout.ts): the start message,
 * the control channel (sessions to load and unload) with its answers on the worker's own port, and the side channel
 * that carries what does not fit a ring slot. Side messages are taken synchronously (receiveMessageOnPort) by the side whose slot says one is waiting, in slot order;
 * their tensor bytes travel in transfer lists, never by structured clone of large arrays.
 */
import type { MessagePort } from 'node:worker_threads';
import type { ModelMetadata } from '../config/model-metadata.ts';
import type { Datatype } from '../protocol/datatypes.ts';
import type { StateRow } from '../protocol/execution.ts';
import type { WireTensor } from '../protocol/wire-tensor.ts';
import type { RingGeometry } from './ring-layout.ts';

/** ONNX Runtime session options as a structured-cloneable object (onnxruntime-common SessionOptions). */
export type SessionOptionsData = Record<string, unknown>;

/** The one message the worker reads from its port: the ring to serve and the two channels beside it. */
export interface StartMessage {
  readonly type: 'start';
  readonly ring: SharedArrayBuffer;
  readonly geometry: RingGeometry;
  /** The worker's end of the side channel (transferred). */
  readonly side: MessagePort;
  /** The worker's end of the control channel (transferred): sessions to load and unload, read between executions. */
  readonly control: MessagePort;
}

/** One implicit state tensor of a session (sequence_batching.state), as the worker feeds and keeps it. */
export interface StateSpec {
  readonly inputName: string;
  readonly outputName: string;
  readonly datatype: Datatype;
  /** One sequence's initial state: its shape without the batch dimension, and its bytes (zeros or a file's). */
  readonly shape: readonly number[];
  readonly initial: Uint8Array;
}

/** The implicit state of a session's sequences, kept in its worker (sequence-state-store.ts). */
export interface SessionStates {
  readonly specs: readonly StateSpec[];
  /** The model batches (max_batch_size > 0): state tensors carry one row per sequence. */
  readonly batched: boolean;
}

/** main → worker on the control channel; the doorbell is rung after each so that a sleeping worker reads it. */
export type ControlMessage =
  | {
      readonly type: 'load';
      /** The id main-thread slots carry to name this session (unique per worker). */
      readonly session: number;
      readonly modelPath: string;
      readonly sessionOptions: SessionOptionsData;
      readonly runOptions?: SessionOptionsData;
      /** A model with implicit state: the worker keeps each sequence's state for this session. */
      readonly states?: SessionStates;
    }
  | { readonly type: 'unload'; readonly session: number }
  /** Lets go of these sequences' state; answered with 'states-held' (an empty list only asks). */
  | { readonly type: 'drop-states'; readonly session: number; readonly keys: readonly number[] };

/** worker → main on the worker's own port: the answers to control messages. */
export type FromWorker =
  | { readonly type: 'loaded'; readonly session: number; readonly metadata: ModelMetadata }
  | { readonly type: 'load-failed'; readonly session: number; readonly message: string }
  | { readonly type: 'unloaded'; readonly session: number }
  | { readonly type: 'states-held'; readonly session: number; readonly held: number };

/** A request that did not fit its slot (too big, or a name the model does not have): main → worker. */
export interface ExternalRequest {
  readonly inputs: readonly WireTensor[];
  readonly outputNames: readonly string[];
  readonly states?: readonly StateRow[];
}

/** A result that did not fit its slot: worker → main. */
export type ExternalResult = { readonly outputs: readonly WireTensor[] } | { readonly message: string };
