/**
 * What crosses between the main thread and an instance worker besides the ring (ring-layout.ts): the load message
 * and its answer on the worker's own port, and the side channel that carries what does not fit a ring slot. Side
 * messages are taken synchronously (receiveMessageOnPort) by the side whose slot says one is waiting, in slot order;
 * their tensor bytes travel in transfer lists, never by structured clone of large arrays.
 */
import type { MessagePort } from 'node:worker_threads';
import type { ModelMetadata } from '../config/model-metadata.ts';
import type { WireTensor } from '../protocol/wire-tensor.ts';
import type { RingGeometry } from './ring-layout.ts';

/** ONNX Runtime session options as a structured-cloneable object (onnxruntime-common SessionOptions). */
export type SessionOptionsData = Record<string, unknown>;

/** The one message the worker reads from its port: load the session, then serve the ring until told to exit. */
export interface LoadMessage {
  readonly type: 'load';
  readonly modelPath: string;
  readonly sessionOptions: SessionOptionsData;
  readonly runOptions?: SessionOptionsData;
  readonly ring: SharedArrayBuffer;
  readonly geometry: RingGeometry;
  /** The worker's end of the side channel (transferred). */
  readonly side: MessagePort;
}

export type FromWorker =
  | { readonly type: 'loaded'; readonly metadata: ModelMetadata }
  | { readonly type: 'load-failed'; readonly message: string };

/** A request that did not fit its slot (too big, or a name the model does not have): main → worker. */
export interface ExternalRequest {
  readonly inputs: readonly WireTensor[];
  readonly outputNames: readonly string[];
}

/** A result that did not fit its slot: worker → main. */
export type ExternalResult = { readonly outputs: readonly WireTensor[] } | { readonly message: string };
