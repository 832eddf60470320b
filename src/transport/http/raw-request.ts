/**
 * A raw binary infer request (Inference-Header-Content-Length: 0): the whole body is the data of the model's only
 * input, its shape deduced from the model's dims, and every output comes back binary. Texts follow Triton's core
 * (InferenceRequest::Normalize for raw inputs), which prefixes them with the request id like its other request checks.
 */
import { byteSizeOf } from '../../protocol/datatypes.ts';
import { invalidArg } from '../../protocol/errors.ts';
import { BYTES_LENGTH_PREFIX } from '../../protocol/bytes-codec.ts';
import type { DecodedInferRequest, OutputFormat, RawInputSpec } from './infer-codec-types.ts';

/** A raw request has no id, so Triton's log prefix always reads this way. */
const LOG_REQUEST = '[request id: <id_unknown>] ';

const ALL_BINARY: OutputFormat = { listed: new Map(), defaultBinary: true };

/** Decodes `body` as the data of the single input described by `inputs` (the model's inputs). */
export function decodeRawRequest(
  body: Buffer,
  modelName: string,
  inputs: readonly RawInputSpec[],
): DecodedInferRequest {
  if (inputs.length !== 1) {
    throw invalidArg(
      `${LOG_REQUEST}Raw request must only have 1 input (found 1) to be deduced but got ${inputs.length} inputs in ` +
        `'${modelName}' model configuration`,
    );
  }
  const spec = inputs[0]!;
  const dims = spec.batched ? spec.shape.slice(1) : spec.shape;
  const shape: number[] = spec.batched ? [1] : [];
  let variableAxis = -1;
  let fixedElements = 1;
  for (const dim of dims) {
    if (dim === -1) {
      if (variableAxis !== -1) {
        throw invalidArg(
          `${LOG_REQUEST}The shape of the raw input '${spec.name}' can not be deduced because there are more than ` +
            'one variable-sized dimension',
        );
      }
      variableAxis = shape.length;
    } else {
      fixedElements *= dim;
    }
    shape.push(dim);
  }

  let data: Uint8Array;
  if (spec.datatype === 'BYTES') {
    if (variableAxis !== -1 || fixedElements !== 1) {
      throw invalidArg(`${LOG_REQUEST}For BYTE datatype raw input '${spec.name}', the model must have input shape [1]`);
    }
    // The body is the one element; frame it with its length prefix like every BYTES tensor.
    const framed = new Uint8Array(BYTES_LENGTH_PREFIX + body.length);
    new DataView(framed.buffer).setUint32(0, body.length, true);
    framed.set(body, BYTES_LENGTH_PREFIX);
    data = framed;
  } else {
    if (variableAxis !== -1) {
      // Integer division as in Triton; a body that does not divide evenly then fails the core's byte-size check.
      const rowBytes = fixedElements * byteSizeOf(spec.datatype);
      shape[variableAxis] = rowBytes === 0 ? 0 : Math.floor(body.length / rowBytes);
    }
    data = new Uint8Array(body.buffer, body.byteOffset, body.length);
  }
  return {
    request: { inputs: [{ name: spec.name, datatype: spec.datatype, shape, data }] },
    format: ALL_BINARY,
  };
}
