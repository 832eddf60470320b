/**
 * What an inference takes and gives back, the same for HttpClient and GrpcClient.
 */
import { decodeBytesTensor } from './bytes-tensor.ts';
import { isNumeric, viewAs, type Datatype, type NumericArrays, type NumericDatatype, type TensorData } from './datatypes.ts';
import { fromBFloat16, fromFloat16 } from './half-precision.ts';

/** A request or response parameter value (int64 values above 2^53 as bigint). */
export type ParameterValue = string | number | bigint | boolean;
export type Parameters = Record<string, ParameterValue>;

/** Where a tensor lives in a registered system shared-memory region. */
export interface SharedMemoryRef {
  readonly region: string;
  readonly byteSize: number;
  /** Default 0. */
  readonly offset?: number;
}

export interface InferInput {
  readonly name: string;
  readonly datatype: Datatype;
  /** The full shape, batch dimension included when the model batches. */
  readonly shape: readonly number[];
  /** The values (see TensorData); leave out when the tensor is in shared memory. */
  readonly data?: TensorData;
  readonly sharedMemory?: SharedMemoryRef;
  readonly parameters?: Parameters;
}

export interface RequestedOutput {
  readonly name: string;
  /** The classification extension: the top k classes as "value:index[:label]" strings. */
  readonly classCount?: number;
  /** HTTP: receive this output as binary (the default) or as JSON. */
  readonly binary?: boolean;
  /** Write the output into a registered shared-memory region instead of returning it. */
  readonly sharedMemory?: SharedMemoryRef;
  readonly parameters?: Parameters;
}

export interface InferOptions {
  /** The model version; absent: the server's choice (the highest ready one, or its gray-release policy). */
  readonly version?: string | number;
  /** The request ID, echoed in the result. */
  readonly id?: string;
  /** Outputs to return, in this order; absent: every output. */
  readonly outputs?: readonly (string | RequestedOutput)[];
  readonly parameters?: Parameters;
  readonly priority?: number;
  /** Server-side timeout in microseconds. */
  readonly timeoutUs?: number;
  /** Sequence batching: the correlation ID and the START / END flags. */
  readonly sequence?: { readonly id: number | bigint | string; readonly start?: boolean; readonly end?: boolean };
  /** Extra headers (HTTP) or metadata (gRPC), e.g. for restricted APIs or gray-release rules. */
  readonly headers?: Record<string, string>;
  /** Cancels the request (rejects with the signal's reason). */
  readonly signal?: AbortSignal;
  /** HTTP: send inputs and ask for outputs as binary tensors (default true) or as JSON. */
  readonly binary?: boolean;
  /** HTTP: compress the request body, and ask for a compressed response. */
  readonly compression?: { readonly request?: 'gzip' | 'deflate'; readonly response?: 'gzip' | 'deflate' };
}

/** One output of a result. Numeric data is a view over the response bytes where alignment allows (else one copy). */
export class InferOutput {
  private elements?: Uint8Array[];
  private strings?: string[];

  constructor(
    readonly name: string,
    readonly datatype: Datatype,
    readonly shape: readonly number[],
    /** The little-endian bytes (BYTES: the length-prefixed layout); empty when written to shared memory. */
    readonly raw: Uint8Array,
    readonly parameters: Parameters = {},
  ) {}

  /** The values as the datatype's typed array (FP16/BF16: their bit patterns; see asFloat32). */
  data<D extends NumericDatatype = NumericDatatype>(): NumericArrays[D] {
    if (!isNumeric(this.datatype)) throw new TypeError(`output '${this.name}' is BYTES: read it with bytes() or text()`);
    return viewAs(this.datatype, this.raw) as NumericArrays[D];
  }

  /** FP16, BF16, FP32 or FP64 values as a Float32Array (converted for the 16-bit types). */
  asFloat32(): Float32Array {
    switch (this.datatype) {
      case 'FP16': return fromFloat16(viewAs('FP16', this.raw));
      case 'BF16': return fromBFloat16(viewAs('BF16', this.raw));
      case 'FP32': return viewAs('FP32', this.raw);
      case 'FP64': return Float32Array.from(viewAs('FP64', this.raw));
      default: throw new TypeError(`output '${this.name}' is ${this.datatype}, not a floating-point tensor`);
    }
  }

  /** BYTES elements as byte arrays (views into the response, decoded on first use). */
  bytes(): Uint8Array[] {
    if (this.datatype !== 'BYTES') throw new TypeError(`output '${this.name}' is ${this.datatype}, not BYTES`);
    return (this.elements ??= decodeBytesTensor(this.raw));
  }

  /** BYTES elements as UTF-8 strings (decoded on first use). */
  text(): string[] {
    const decoder = new TextDecoder();
    return (this.strings ??= this.bytes().map((e) => decoder.decode(e)));
  }
}

export interface InferResult {
  readonly modelName: string;
  readonly modelVersion: string;
  readonly id?: string;
  readonly parameters: Parameters;
  readonly outputs: readonly InferOutput[];
  /** The output of that name; throws when the result has none. */
  output(name: string): InferOutput;
}

/** Builds an InferResult over decoded outputs. */
export function inferResult(modelName: string, modelVersion: string, id: string | undefined, parameters: Parameters, outputs: InferOutput[]): InferResult {
  return {
    modelName,
    modelVersion,
    ...(id === undefined || id === '' ? {} : { id }),
    parameters,
    outputs,
    output(name: string): InferOutput {
      const found = outputs.find((o) => o.name === name);
      if (found === undefined) throw new RangeError(`the result has no output '${name}' (it has ${outputs.map((o) => o.name).join(', ') || 'none'})`);
      return found;
    },
  };
}
