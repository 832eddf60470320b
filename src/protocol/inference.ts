/**
 * The internal inference request and response: what every transport decodes into and encodes from. Tensor data is
 * always little-endian, row-major bytes exactly as the binary tensor extension carries them (BYTES elements with u32
 * length prefixes), so binary HTTP and raw gRPC payloads pass through as views without conversion.
 */
import type { ClientGoneSignal } from './cancellation.ts';
import type { Datatype } from './datatypes.ts';
import type { RunTimings } from './execution.ts';

/** A request or response parameter value (InferParameter's oneof). */
export type ParameterValue = boolean | number | bigint | string;
export type Parameters = Record<string, ParameterValue>;

export interface InputTensor {
  readonly name: string;
  readonly datatype: Datatype;
  /** Full request shape, including the batch dimension when the model batches. */
  readonly shape: readonly number[];
  /** Raw bytes (BYTES: u32 LE length + bytes per element). */
  readonly data: Uint8Array;
  readonly parameters?: Parameters;
}

/** Where a tensor lives in a registered system shared-memory region: its name, the offset in it, the byte size. */
export interface SharedMemoryPlace {
  readonly region: string;
  readonly offset: number;
  readonly byteSize: number;
}

export interface RequestedOutput {
  readonly name: string;
  /** The shared-memory extension: write this output there instead of returning its bytes. */
  readonly sharedMemory?: SharedMemoryPlace;
  /** The classification extension: return the top `classCount` classes of this output instead of its values. */
  readonly classCount?: number;
  readonly parameters?: Parameters;
}

/** A traced request's hooks (core/tracer.ts implements them): the core reports where the request is. */
export interface InferTrace {
  reachedModel(name: string, version: number, requestId: string | undefined, startNs: bigint): void;
  queued(): void;
  tensor(activity: 'TENSOR_QUEUE_INPUT' | 'TENSOR_BACKEND_OUTPUT', name: string, datatype: Datatype, shape: readonly number[], data: Uint8Array): void;
  responded(timings: RunTimings | undefined): void;
}

export interface InferRequest {
  /** Echoed in the response when non-empty. */
  readonly id?: string;
  readonly inputs: readonly InputTensor[];
  /** Outputs to return, in this order; absent → every output of the model config, in config order. */
  readonly outputs?: readonly RequestedOutput[];
  readonly parameters?: Parameters;
  /** Aborted when the client has gone; the request is then dropped where possible. */
  readonly signal?: ClientGoneSignal;
  /** Present when the request is traced (the trace extension). */
  readonly trace?: InferTrace;
  /** The request's headers (HTTP) or metadata (gRPC) by lower-case name, for gray-release routing rules and keys. */
  readonly headers?: { header(name: string): string | undefined };
}

export interface OutputTensor {
  readonly name: string;
  readonly datatype: Datatype;
  readonly shape: readonly number[];
  /** Empty when the output was written to shared memory (`sharedMemory`). */
  readonly data: Uint8Array;
  /** Where the output was written, when the request asked for it in shared memory. */
  readonly sharedMemory?: SharedMemoryPlace;
}

export interface InferResponse {
  readonly modelName: string;
  /** The version that served the request, as a decimal string. */
  readonly modelVersion: string;
  readonly id?: string;
  /** In the order asked for (or config order when no outputs were asked for). */
  readonly outputs: readonly OutputTensor[];
  readonly parameters?: Parameters;
}
