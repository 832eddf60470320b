/**
 * Decodes an HTTP/REST infer request body (KServe v2 JSON plus Triton's binary tensor data extension) into the internal
 * InferRequest, following Triton's HTTP frontend (http_server.cc: GetInferenceHeaderLength, EVBufferToInput,
 * ParseJsonTritonIO) check for check: same order, texts and codes. Binary tensors stay views over the body; JSON `data`
 * goes straight into little-endian bytes.
 *
 * Triton behaviours kept on purpose (they differ from what the protocol prose suggests):
 * - The header value is read with C `atoi`: `abc` reads as 0 and so makes a raw request; only a negative value or one
 *   past the body is refused.
 * - Without the header the whole body is the JSON (and an empty body is a raw request: its length, 0, is the header
 *   length). A binary input then finds no bytes and fails with `unexpected size for input ...`; Triton's
 *   `must specify valid 'Infer-Header-Content-Length' ...` check cannot fire on its current code path.
 * - An input with shape [] has 0 elements by Triton's GetElementCount, so its `data` is not read (the core then
 *   refuses the empty tensor).
 * - JSON parse errors carry INTERNAL (500): Triton's EVBufferToJson returns TritonJson's parse error, and TritonJson
 *   errors are INTERNAL in http_server.cc.
 *
 * - A shape whose element count or byte size overflows int64 is refused (400) before its `data` is read, as Triton
 *   2025+ does for JSON data; the core refuses the same shapes for binary and gRPC inputs (validate-request.ts).
 *
 * nereid's own: invalid UTF-8 in the JSON is a parse error (rapidjson's validating message); INT64/UINT64 values beyond
 * 2^53 are read exactly from the source text; see json-tensor-data.ts for the data rules.
 */
import { MAX_INFER_JSON_DEPTH } from './json-nesting.ts';
import { parseRequestJson, requestJsonParseError } from './request-json.ts';
import { byteSizeOf, isDatatype, type Datatype } from '../../protocol/datatypes.ts';
import {
  byteSizeOverflow,
  byteSizeOverflows,
  elementCountOverflows,
  elementCountTooLarge,
} from '../../protocol/element-count.ts';
import { invalidArg } from '../../protocol/errors.ts';
import type { InputTensor, Parameters, RequestedOutput } from '../../protocol/inference.ts';
import type { DecodedInferRequest, RawInputSpec } from './infer-codec-types.ts';
import {
  readRequestedOutputs,
  readRequestId,
  readRequestParameters,
  sharedMemoryPlace,
} from './infer-request-fields.ts';
import { inputDataNumberTokens } from './json-exact-integers.ts';
import { fieldError, hasMember, isUint, memberAsArray, memberAsString, NOT_UINT } from './json-fields.ts';
import { jsonStringsToTensorBytes, jsonToTensorBytes, type JsonDataSource } from './json-tensor-data.ts';
import { decodeRawRequest } from './raw-request.ts';
import { NO_SHARED_MEMORY, type SharedMemoryAccess } from '../../core/system-shared-memory.ts';

export type { DecodedInferRequest, OutputFormat, RawInputSpec } from './infer-codec-types.ts';

const EMPTY = new Uint8Array(0);


/**
 * body: the whole (already decompressed) request body; headerLength: the Inference-Header-Content-Length value as
 * given (undefined = header absent). For a header length of 0, `rawInputs()` is called to learn the model's inputs.
 * Binary input data are Uint8Array views over `body` (no copies).
 */
export function decodeInferRequest(
  body: Buffer,
  headerLength: string | undefined,
  modelName: string,
  rawInputs: () => readonly RawInputSpec[],
  sharedMemory: SharedMemoryAccess = NO_SHARED_MEMORY,
): DecodedInferRequest {
  const jsonLength = inferenceHeaderLength(headerLength, body.length);
  if (jsonLength === 0) return decodeRawRequest(body, modelName, rawInputs());

  const json = body.subarray(0, jsonLength);
  const { root, text } = parseRequestJson(json, MAX_INFER_JSON_DEPTH);

  const id = readRequestId(root);
  const { parameters, defaultBinary } = readRequestParameters(root);
  const inputs = readInputs(root, body, jsonLength, modelName, json, text, sharedMemory);
  const { outputs, listed } = readRequestedOutputs(root, sharedMemory);
  const request: { id?: string; inputs: InputTensor[]; outputs?: readonly RequestedOutput[]; parameters?: Parameters } =
    { inputs };
  if (id !== undefined) request.id = id;
  if (outputs !== undefined) request.outputs = outputs;
  if (parameters !== undefined) request.parameters = parameters;
  return { request, format: { listed, defaultBinary } };
}

/**
 * The JSON length from the header, read as C `atoi` reads it (leading blanks, a sign, digits; anything else ends the
 * number, no digits reads 0; out-of-range values wrap like glibc's strtol-to-int). Header absent → the whole body.
 */
export function inferenceHeaderLength(value: string | undefined, contentLength: number): number {
  if (value === undefined) return contentLength;
  const parsed = /^\d{1,9}$/.test(value) ? Number(value) : atoi(value);
  if (parsed < 0 || parsed > contentLength) {
    throw invalidArg(`inference header size should be in range (0, ${contentLength}), got: ${value}`);
  }
  return parsed;
}

function atoi(value: string): number {
  const match = /^[ \t\n\v\f\r]*([+-]?)(\d*)/.exec(value)!;
  let parsed = 0;
  if (match[2]!.length > 0) {
    const max = (1n << 63n) - 1n;
    let n = BigInt(match[2]!);
    if (match[1] === '-') n = -n;
    n = n > max ? max : n < -max - 1n ? -max - 1n : n;
    parsed = Number(BigInt.asIntN(32, n));
  }
  return parsed;
}

/** Per-input access to the request text for the rare paths of the JSON data conversion. */
class RequestDataSource implements JsonDataSource {
  private tokens: readonly string[] | undefined;

  constructor(
    private readonly json: Uint8Array,
    private readonly text: string,
    private readonly inputIndex: number,
  ) {}

  exactTokens(): readonly string[] {
    this.tokens ??= inputDataNumberTokens(this.text, this.inputIndex);
    return this.tokens;
  }

  numberTooBig(): never {
    throw requestJsonParseError(this.json);
  }
}

/** Triton's ParseJsonTritonIO, inputs half: each input in order, binary bytes taken from the body in that order. */
function readInputs(
  root: unknown,
  body: Buffer,
  jsonLength: number,
  modelName: string,
  json: Uint8Array,
  text: string,
  sharedMemory: SharedMemoryAccess,
): InputTensor[] {
  const inputsJson = memberAsArray(root, 'inputs', "Unable to parse 'inputs'");
  const inputs = new Array<InputTensor>(inputsJson.length);
  let offset = jsonLength;
  for (let i = 0; i < inputsJson.length; i++) {
    const input = inputsJson[i];
    const params = hasMember(input, 'parameters') ? input.parameters : undefined;
    checkDataSource(input, params);
    const name = memberAsString(input, 'name', "Unable to parse 'name'");
    const datatypeText = memberAsString(input, 'datatype', "Unable to parse 'datatype'");
    const shape = readShape(input);

    let data: Uint8Array;
    if (hasMember(params, 'binary_data_size')) {
      const size = params.binary_data_size;
      if (!isUint(size)) throw fieldError("Unable to parse 'binary_data_size'", NOT_UINT);
      const available = body.length - offset;
      if (size > available) {
        throw invalidArg(
          `unexpected size for input '${name}', expecting ${size - available} additional bytes for model ` +
            `'${modelName}'`,
        );
      }
      data = size === 0 ? EMPTY : new Uint8Array(body.buffer, body.byteOffset + offset, size);
      offset += size;
    } else {
      const place = sharedMemoryPlace(params);
      if (place !== undefined) {
        inputs[i] = { name, datatype: knownDatatype(datatypeText, name), shape, data: sharedMemory.read(place) };
        continue;
      }
      // Triton's order: the element count (overflow refused), then 'data', then the byte size (overflow refused).
      if (elementCountOverflows(shape)) throw elementCountTooLarge(name);
      const count = elementCount(shape);
      if (count === 0) {
        data = EMPTY;
      } else {
        const dataJson = memberAsArray(input, 'data', "Unable to parse 'data'");
        const datatype = knownDatatype(datatypeText, name);
        if (byteSizeOverflows(shape, byteSizeOf(datatype))) throw byteSizeOverflow(name);
        data =
          datatype === 'BYTES'
            ? jsonStringsToTensorBytes(dataJson)
            : jsonToTensorBytes(name, datatype, dataJson, count, jsonLength, new RequestDataSource(json, text, i));
      }
    }
    inputs[i] = { name, datatype: knownDatatype(datatypeText, name), shape, data };
  }
  if (offset !== body.length) throw invalidArg(`unexpected additional input data for model '${modelName}'`);
  return inputs;
}

/** Triton's ValidateInputContentType: exactly one of data, binary_data_size, shared_memory_region. */
function checkDataSource(input: unknown, params: unknown): void {
  const hasData = hasMember(input, 'data');
  const hasBinary = hasMember(params, 'binary_data_size');
  const hasShm = hasMember(params, 'shared_memory_region');
  const count = Number(hasData) + Number(hasBinary) + Number(hasShm);
  if (count === 1) return;
  let text =
    "Input must set only one of the following fields: 'data', 'binary_data_size' in 'parameters', " +
    "'shared_memory_region' in 'parameters'. But";
  if (count === 0) {
    text += ' no field is set';
  } else {
    text += ' set';
    if (hasData) text += " 'data'";
    if (hasBinary) text += " 'binary_data_size'";
    if (hasShm) text += " 'shared_memory_region'";
  }
  throw invalidArg(text);
}

function readShape(input: unknown): number[] {
  const json = memberAsArray(input, 'shape', "Unable to parse 'shape'");
  const shape = new Array<number>(json.length);
  for (let i = 0; i < json.length; i++) {
    const d = json[i];
    if (!isUint(d)) throw fieldError("Unable to parse 'shape'", NOT_UINT);
    shape[i] = d;
  }
  return shape;
}

/** Triton's GetElementCount: the product of the dims, and 0 (not 1) for the empty shape. */
function elementCount(shape: readonly number[]): number {
  if (shape.length === 0) return 0;
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** An unknown datatype string is TYPE_INVALID in Triton; JSON data then fails with this text. */
function knownDatatype(text: string, inputName: string): Datatype {
  if (isDatatype(text)) return text;
  throw invalidArg(`invalid datatype for input ${inputName}`);
}
