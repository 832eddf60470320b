/**
 * The bytes of one warmup input for one request (model_warmup §8): zeros, random bytes or the contents of a file under
 * `<model_dir>/warmup/`, sized and checked the way Triton's core does (TritonModelInstance::GenerateWarmupData).
 */
import { randomFillSync } from 'node:crypto';
import type { WarmupInput } from '../config/model-config.ts';
import { byteSizeOf, datatypeFromConfig } from '../protocol/datatypes.ts';
import { invalidArg, unsupported } from '../protocol/errors.ts';
import { BYTES_LENGTH_PREFIX } from '../protocol/bytes-codec.ts';
import { readModelDataFile } from './model-data-file.ts';

/** Folder of a model directory that holds warmup data files. */
export const WARMUP_DATA_FOLDER = 'warmup';

/** Triton's request prefix on the errors of a warmup request (its requests never have an id). */
export const WARMUP_LOG_REQUEST = '[request id: <id_unknown>] ';

/**
 * Element count of warmup dims as Triton counts them: -1 when a dimension is variable-size (any negative value here,
 * as no tensor can be built from it), 0 for empty dims.
 */
export function warmupElementCount(dims: readonly number[]): number {
  if (dims.length === 0) return 0;
  let count = 1;
  for (const d of dims) {
    if (d < 0) return -1;
    count *= d;
  }
  return count;
}

/**
 * Byte size of one request's tensor: elements × element size; types without a fixed size (STRING, and an unset type)
 * count 4 bytes per element, which for STRING is one zero length prefix per element (empty strings).
 */
function requestByteSize(input: WarmupInput, elements: number): number {
  const datatype = datatypeFromConfig(input.data_type);
  const size = datatype === undefined ? 0 : byteSizeOf(datatype);
  return elements * (size === 0 ? BYTES_LENGTH_PREFIX : size);
}

/**
 * Builds the data of `inputName` for one request. STRING files are used whole (each element a 4-byte length then its
 * bytes; the request validation checks the framing); other types take the first bytes of the file, which must be at
 * least as long as the tensor. Throws Triton's errors.
 */
export function warmupInputBytes(input: WarmupInput, inputName: string, modelName: string, modelDir: string): Uint8Array {
  const byteSize = requestByteSize(input, warmupElementCount(input.dims));
  if (input.zero_data !== undefined) return new Uint8Array(byteSize);
  if (input.random_data !== undefined) {
    // Random bytes would not be valid BYTES framing, so STRING falls back to zeros (empty strings), as in Triton.
    const bytes = new Uint8Array(byteSize);
    if (input.data_type !== 'TYPE_STRING') randomFillSync(bytes);
    return bytes;
  }
  if (input.input_data_file !== undefined) {
    const data = readWarmupFile(input.input_data_file, inputName, modelName, modelDir);
    if (input.data_type === 'TYPE_STRING') return data;
    if (byteSize > data.byteLength) {
      // Triton's text has no space between the file name and "only has"; kept as is.
      throw invalidArg(
        `${WARMUP_LOG_REQUEST}warmup setting expects ${byteSize} bytes, but the data provided from ` +
          `${input.input_data_file}only has ${data.byteLength} bytes`,
      );
    }
    return data.subarray(0, byteSize);
  }
  throw invalidArg(`${WARMUP_LOG_REQUEST}warmup setting expects input '${inputName}' to have input_data_type set`);
}

/** Reads `<model_dir>/warmup/<file>`, refused with nereid's text (worded like Triton's for label files) when outside. */
function readWarmupFile(file: string, inputName: string, modelName: string, modelDir: string): Uint8Array {
  return readModelDataFile(modelDir, WARMUP_DATA_FOLDER, file, () =>
    unsupported(`warmup data file path '${file}' for input '${inputName}' in model '${modelName}' is outside model directory`));
}
