/**
 * JSON tensor `data` ⇄ the internal little-endian bytes, with the texts and codes of Triton's ReadDataFromJson and
 * WriteDataToJson. Requests: the (flat or nested) arrays JSON.parse produced are written straight into one typed array,
 * one loop per datatype family and no per-element closures. Responses: the data array is produced as JSON text, by the
 * typed arrays' native join where the element text is the number itself.
 *
 * Where nereid parts from Triton (documented choices):
 * - Integers must fit the datatype; Triton narrows silently (its own FIXME). The range error is nereid's text.
 * - JSON.parse cannot tell `1.0` from `1`, so integral numbers are accepted for integer types even when written with a
 *   fraction or exponent (rapidjson would call them doubles).
 * - Nesting deeper than 100 arrays is refused (nereid's text); Triton recurses without limit.
 * - Output NaN/±Infinity are written as `NaN`/`Infinity`/`-Infinity` (what Python's json module reads, and rapidjson's
 *   kWriteNanAndInfFlag); Triton's writer gives up mid-document and sends truncated JSON.
 * - Output BYTES that are not UTF-8 are decoded with U+FFFD replacements; Triton copies the raw bytes (invalid JSON).
 * - Output FP32/FP64 text is rapidjson's (`1.0`, `1e21`), written by json-float-format.ts for the response encoder.
 */
import { byteSizeOf, type Datatype } from '../../protocol/datatypes.ts';
import { internal, invalidArg, type ServerError } from '../../protocol/errors.ts';
import { BYTES_LENGTH_PREFIX } from '../../protocol/bytes-codec.ts';
import { fieldError, NOT_BOOL, NOT_INT, NOT_NUMBER, NOT_STRING, NOT_UINT } from './json-fields.ts';

/** Deepest array nesting accepted in `data`. */
export const MAX_DATA_DEPTH = 100;

/** What the JSON→bytes conversion may need from the request text, on rare paths only. */
export interface JsonDataSource {
  /** Source text of this input's data numbers in order, for INT64/UINT64 values beyond 2^53. */
  exactTokens(): readonly string[];
  /** Throws the request's JSON parse error: a number literal overflowed a double (rapidjson refuses those). */
  numberTooBig(): never;
}

const DATA = "Unable to parse 'data'";
const BYTES_ARRAY = 'Unable to parse JSON bytes array';

if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) {
  throw new Error('nereid assumes a little-endian platform (typed arrays are used as the wire byte order)');
}

function shapeMismatch(): ServerError {
  return internal(`${DATA}: Shape does not match true shape of 'data' field`);
}

function tooDeep(context: string): ServerError {
  return invalidArg(`${context}: 'data' is nested deeper than ${MAX_DATA_DEPTH} levels`);
}

/**
 * Converts the `data` of a non-BYTES input holding `count` (> 0) elements into raw bytes. `name` is the input name for
 * Triton's FP16/BF16 refusal. `maxCount` bounds the allocation: a count beyond it cannot match the data.
 */
export function jsonToTensorBytes(
  name: string,
  datatype: Datatype,
  data: readonly unknown[],
  count: number,
  maxCount: number,
  source: JsonDataSource,
): Uint8Array {
  if (datatype === 'FP16' || datatype === 'BF16') {
    throw invalidArg(
      `receiving ${datatype} data via JSON is not supported. Please use the binary data format for input ${name}`,
    );
  }
  if (count > maxCount) throw shapeMismatch();
  const bytes = new Uint8Array(count * byteSizeOf(datatype));
  const buffer = bytes.buffer;
  let filled: number;
  switch (datatype) {
    case 'BOOL':
      filled = fillBool(data, bytes, 0, 1);
      break;
    case 'UINT8':
      filled = fillInteger(data, bytes, 0, 1, 0, 0xff, datatype, source);
      break;
    case 'UINT16':
      filled = fillInteger(data, new Uint16Array(buffer), 0, 1, 0, 0xffff, datatype, source);
      break;
    case 'UINT32':
      filled = fillInteger(data, new Uint32Array(buffer), 0, 1, 0, 0xffffffff, datatype, source);
      break;
    case 'INT8':
      filled = fillInteger(data, new Int8Array(buffer), 0, 1, -0x80, 0x7f, datatype, source);
      break;
    case 'INT16':
      filled = fillInteger(data, new Int16Array(buffer), 0, 1, -0x8000, 0x7fff, datatype, source);
      break;
    case 'INT32':
      filled = fillInteger(data, new Int32Array(buffer), 0, 1, -0x80000000, 0x7fffffff, datatype, source);
      break;
    case 'INT64':
    case 'UINT64':
      filled = fillInteger64(data, new Uint32Array(buffer), 0, 1, datatype === 'INT64', count, source);
      break;
    case 'FP32':
      filled = fillFloat(data, new Float32Array(buffer), 0, 1, source);
      break;
    case 'FP64':
      filled = fillFloat(data, new Float64Array(buffer), 0, 1, source);
      break;
    default:
      throw internal(`unexpected datatype ${datatype} for JSON data`);
  }
  if (filled !== count) throw shapeMismatch();
  return bytes;
}

function fillBool(node: readonly unknown[], out: Uint8Array, pos: number, depth: number): number {
  for (let i = 0; i < node.length; i++) {
    const v = node[i];
    if (typeof v === 'boolean') {
      if (pos >= out.length) throw shapeMismatch();
      out[pos++] = v ? 1 : 0;
    } else if (Array.isArray(v)) {
      if (depth >= MAX_DATA_DEPTH) throw tooDeep(DATA);
      pos = fillBool(v, out, pos, depth + 1);
    } else {
      if (pos >= out.length) throw shapeMismatch();
      throw fieldError(DATA, NOT_BOOL);
    }
  }
  return pos;
}

type IntegerArray = Uint8Array | Uint16Array | Uint32Array | Int8Array | Int16Array | Int32Array;

function fillInteger(
  node: readonly unknown[],
  out: IntegerArray,
  pos: number,
  depth: number,
  min: number,
  max: number,
  datatype: Datatype,
  source: JsonDataSource,
): number {
  for (let i = 0; i < node.length; i++) {
    const v = node[i];
    if (typeof v === 'number') {
      if (pos >= out.length) throw shapeMismatch();
      if (!(v >= min && v <= max && Number.isInteger(v))) throw integerError(v, datatype, source);
      out[pos++] = v;
    } else if (Array.isArray(v)) {
      if (depth >= MAX_DATA_DEPTH) throw tooDeep(DATA);
      pos = fillInteger(v, out, pos, depth + 1, min, max, datatype, source);
    } else {
      if (pos >= out.length) throw shapeMismatch();
      throw fieldError(DATA, datatype.startsWith('U') ? NOT_UINT : NOT_INT);
    }
  }
  return pos;
}

const TWO_POW_32 = 4294967296;
const TWO_POW_63 = 9223372036854775808;
const TWO_POW_64 = 18446744073709551616;

/** 64-bit integers as (low, high) u32 pairs: safe integers directly, larger ones from their exact source text. */
function fillInteger64(
  node: readonly unknown[],
  out: Uint32Array,
  pos: number,
  depth: number,
  signed: boolean,
  count: number,
  source: JsonDataSource,
): number {
  for (let i = 0; i < node.length; i++) {
    const v = node[i];
    if (typeof v === 'number') {
      if (pos >= count) throw shapeMismatch();
      if (Number.isSafeInteger(v) && (signed || v >= 0)) {
        out[2 * pos] = v >>> 0; // ToUint32 is v mod 2^32, right for negatives too
        out[2 * pos + 1] = Math.floor(v / TWO_POW_32);
      } else if (Number.isInteger(v) && (signed || v >= 0) && Math.abs(v) <= TWO_POW_64) {
        const exact = exactInteger(source.exactTokens()[pos], signed);
        out[2 * pos] = Number(exact & 0xffffffffn);
        out[2 * pos + 1] = Number((exact >> 32n) & 0xffffffffn);
      } else {
        throw integerError(v, signed ? 'INT64' : 'UINT64', source);
      }
      pos++;
    } else if (Array.isArray(v)) {
      if (depth >= MAX_DATA_DEPTH) throw tooDeep(DATA);
      pos = fillInteger64(v, out, pos, depth + 1, signed, count, source);
    } else {
      if (pos >= count) throw shapeMismatch();
      throw fieldError(DATA, signed ? NOT_INT : NOT_UINT);
    }
  }
  return pos;
}

/** A 64-bit value from its source token, refused as rapidjson would when it is not an in-range integer literal. */
function exactInteger(token: string | undefined, signed: boolean): bigint {
  const notInteger = fieldError(DATA, signed ? NOT_INT : NOT_UINT);
  if (token === undefined || !/^-?\d+$/.test(token)) throw notInteger;
  const value = BigInt(token);
  const fits = signed ? value >= -(1n << 63n) && value < 1n << 63n : value >= 0n && value < 1n << 64n;
  if (!fits) throw notInteger;
  return value;
}

/** Triton's text when a number is not an integer of the right signedness; nereid's when it only misses the range. */
function integerError(v: number, datatype: Datatype, source: JsonDataSource): ServerError {
  if (v === Infinity || v === -Infinity) source.numberTooBig();
  const unsigned = datatype.startsWith('U');
  const typeError = fieldError(DATA, unsigned ? NOT_UINT : NOT_INT);
  if (!Number.isInteger(v)) return typeError;
  if (unsigned ? v < 0 || v >= TWO_POW_64 : v < -TWO_POW_63 || v >= TWO_POW_63) return typeError;
  return invalidArg(`${DATA}: value ${v} is out of range for ${datatype}`);
}

function fillFloat(
  node: readonly unknown[],
  out: Float32Array | Float64Array,
  pos: number,
  depth: number,
  source: JsonDataSource,
): number {
  for (let i = 0; i < node.length; i++) {
    const v = node[i];
    if (typeof v === 'number') {
      if (pos >= out.length) throw shapeMismatch();
      // JSON.parse turns literals too big for a double into ±Infinity where rapidjson fails the parse.
      if (v === Infinity || v === -Infinity) source.numberTooBig();
      out[pos++] = v;
    } else if (Array.isArray(v)) {
      if (depth >= MAX_DATA_DEPTH) throw tooDeep(DATA);
      pos = fillFloat(v, out, pos, depth + 1, source);
    } else {
      if (pos >= out.length) throw shapeMismatch();
      throw fieldError(DATA, NOT_NUMBER);
    }
  }
  return pos;
}

/**
 * Converts the strings of a BYTES input's `data` (flat or nested) into framed elements (u32 LE length + UTF-8 bytes).
 * Two walks over the parsed arrays, one measuring and one writing into a single buffer, so nothing per element is
 * allocated beyond the strings JSON.parse already made. Like Triton, the element count is not compared with the
 * shape here; the core checks the framing against it.
 */
export function jsonStringsToTensorBytes(data: readonly unknown[]): Uint8Array {
  const total = framedLength(data, 1);
  const out = Buffer.allocUnsafeSlow(total);
  writeFramed(data, out, 0);
  return new Uint8Array(out.buffer, 0, total);
}

/** Framed byte length of the strings in `node`; throws Triton's errors for a non-string or too deep a nesting. */
function framedLength(node: readonly unknown[], depth: number): number {
  let total = 0;
  for (let i = 0; i < node.length; i++) {
    const v = node[i];
    if (typeof v === 'string') total += BYTES_LENGTH_PREFIX + (v.length === 0 ? 0 : Buffer.byteLength(v, 'utf8'));
    else if (Array.isArray(v)) {
      if (depth >= MAX_DATA_DEPTH) throw tooDeep(BYTES_ARRAY);
      total += framedLength(v, depth + 1);
    } else {
      throw fieldError(BYTES_ARRAY, NOT_STRING);
    }
  }
  return total;
}

/** Writes the strings of `node` (already checked by framedLength) from `offset`; returns the offset after them. */
function writeFramed(node: readonly unknown[], out: Buffer, offset: number): number {
  for (let i = 0; i < node.length; i++) {
    const v = node[i] as string | readonly unknown[];
    if (typeof v === 'string') {
      const length = v.length === 0 ? 0 : out.write(v, offset + BYTES_LENGTH_PREFIX, 'utf8');
      out.writeUInt32LE(length, offset);
      offset += BYTES_LENGTH_PREFIX + length;
    } else {
      offset = writeFramed(v, out, offset);
    }
  }
  return offset;
}

function sizeMismatch(name: string): ServerError {
  return internal(`output tensor shape does not match size of output for '${name}'`);
}

/**
 * The JSON text of an output's flat `data` array: `count` elements of `datatype` read from `data`. Throws Triton's
 * errors: FP16/BF16 cannot be JSON (INVALID_ARG), and a byte size that does not fit the shape (INTERNAL).
 */
export function tensorBytesToJson(name: string, datatype: Datatype, data: Uint8Array, count: number): string {
  if (datatype === 'FP16' || datatype === 'BF16') {
    throw invalidArg(
      `sending ${datatype} data via JSON is not supported. Please use the binary data format for output`,
    );
  }
  if (datatype === 'BYTES') return bytesElementsToJson(name, data, count);
  const size = byteSizeOf(datatype);
  if (data.byteLength !== count * size) throw sizeMismatch(name);
  if (count === 0) return '[]';
  // Typed views need an aligned offset; a misaligned output is copied once.
  const aligned = data.byteOffset % size === 0 ? data : data.slice();
  const buffer = aligned.buffer;
  const offset = aligned.byteOffset;
  switch (datatype) {
    case 'BOOL':
      return boolsToJson(aligned, count);
    case 'UINT8':
      return integersToJson(aligned, count);
    case 'UINT16':
      return integersToJson(new Uint16Array(buffer, offset, count), count);
    case 'UINT32':
      return integersToJson(new Uint32Array(buffer, offset, count), count);
    case 'INT8':
      return integersToJson(new Int8Array(buffer, offset, count), count);
    case 'INT16':
      return integersToJson(new Int16Array(buffer, offset, count), count);
    case 'INT32':
      return integersToJson(new Int32Array(buffer, offset, count), count);
    case 'INT64':
      return integers64ToJson(buffer, offset, count, true);
    case 'UINT64':
      return integers64ToJson(buffer, offset, count, false);
    case 'FP32':
      return floatsToJson(new Float32Array(buffer, offset, count), count);
    case 'FP64':
      return floatsToJson(new Float64Array(buffer, offset, count), count);
    default:
      throw invalidArg('Invalid data type for output tensor');
  }
}

// JSON.stringify of a plain number array is the fastest number formatting V8 offers (about twice TypedArray#join).

function integersToJson(view: ArrayLike<number>, count: number): string {
  const values = new Array<number>(count);
  for (let i = 0; i < count; i++) values[i] = view[i]!;
  return JSON.stringify(values);
}

/** JSON.stringify would write NaN and ±Infinity as null; those (rare) arrays are joined instead. */
function floatsToJson(view: Float32Array | Float64Array, count: number): string {
  const values = new Array<number>(count);
  for (let i = 0; i < count; i++) {
    const v = view[i]!;
    if (!Number.isFinite(v)) return `[${view.join(',')}]`;
    values[i] = v;
  }
  return JSON.stringify(values);
}

function boolsToJson(data: Uint8Array, count: number): string {
  let json = data[0] === 0 ? '[false' : '[true';
  for (let i = 1; i < count; i++) json += data[i] === 0 ? ',false' : ',true';
  return json + ']';
}

/** Exact decimal digits: through doubles while every value is a safe integer, else through BigInt. */
function integers64ToJson(buffer: ArrayBufferLike, offset: number, count: number, signed: boolean): string {
  const words = new Uint32Array(buffer, offset, count * 2);
  const values = new Array<number>(count);
  for (let i = 0; i < count; i++) {
    const low = words[2 * i]!;
    const high = signed ? words[2 * i + 1]! | 0 : words[2 * i + 1]!;
    // |high| < 2^21 keeps high·2^32 + low within ±2^53.
    if (high >= 0x200000 || high < -0x200000) {
      const exact = signed ? new BigInt64Array(buffer, offset, count) : new BigUint64Array(buffer, offset, count);
      return `[${exact.join(',')}]`;
    }
    values[i] = high * TWO_POW_32 + low;
  }
  return JSON.stringify(values);
}

/**
 * The JSON array of a BYTES output: what JSON.stringify writes for the elements decoded as UTF-8. When every element is
 * printable ASCII without `"` or `\\` (the usual case) the text is copied from the framed bytes into one buffer, with
 * no JS value per element; otherwise each element is decoded and the array stringified.
 */
function bytesElementsToJson(name: string, data: Uint8Array, count: number): string {
  const buffer = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  let size = count === 0 ? 2 : count + 1; // brackets and commas
  let plain = true;
  let offset = 0;
  for (let i = 0; i < count; i++) {
    if (offset + BYTES_LENGTH_PREFIX > buffer.length) throw sizeMismatch(name);
    const length = buffer.readUInt32LE(offset);
    offset += BYTES_LENGTH_PREFIX;
    if (offset + length > buffer.length) throw sizeMismatch(name);
    if (plain) plain = isPlainJsonText(buffer, offset, offset + length);
    size += length + 2;
    offset += length;
  }
  return plain ? plainElementsToJson(buffer, count, size) : decodedElementsToJson(buffer, count);
}

/** Whether bytes [start, end) are printable ASCII other than `"` and `\\`: JSON string text as they are. */
function isPlainJsonText(buffer: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const byte = buffer[i]!;
    if (byte < 0x20 || byte > 0x7e || byte === 0x22 || byte === 0x5c) return false;
  }
  return true;
}

/** `["e0","e1",...]` from framed plain elements (already checked), `size` bytes of ASCII. */
function plainElementsToJson(buffer: Buffer, count: number, size: number): string {
  const out = Buffer.allocUnsafe(size);
  let pos = 0;
  out[pos++] = 0x5b; // [
  let offset = 0;
  for (let i = 0; i < count; i++) {
    if (i > 0) out[pos++] = 0x2c; // ,
    const length = buffer.readUInt32LE(offset);
    offset += BYTES_LENGTH_PREFIX;
    out[pos++] = 0x22; // "
    if (length < 16) for (let j = 0; j < length; j++) out[pos++] = buffer[offset + j]!;
    else pos += buffer.copy(out, pos, offset, offset + length);
    out[pos++] = 0x22;
    offset += length;
  }
  out[pos++] = 0x5d; // ]
  return out.toString('latin1', 0, pos);
}

/** The general case: every element decoded (invalid UTF-8 as U+FFFD), then JSON.stringify. */
function decodedElementsToJson(buffer: Buffer, count: number): string {
  const strings = new Array<string>(count);
  let offset = 0;
  for (let i = 0; i < count; i++) {
    const length = buffer.readUInt32LE(offset);
    offset += BYTES_LENGTH_PREFIX;
    strings[i] = buffer.toString('utf8', offset, offset + length);
    offset += length;
  }
  return JSON.stringify(strings);
}
