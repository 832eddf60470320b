/**
 * Reading a request body within --http-max-input-size, and undoing its Content-Encoding (gzip, or deflate meaning
 * zlib-wrapped; the inflater accepts both headers). Decompression runs on libuv's thread pool, never blocking the loop.
 *
 * A chunked body is also refused once it holds more than 65,536 non-empty chunks, as Triton does (its 2026 fix for
 * memory growth from many tiny chunks, server PR #8770); see chunk-counter.ts for how chunks are counted. A refused
 * body is drained and dropped, not kept: closing the socket while the client is still sending would reset the
 * connection and could lose the answer.
 */
import type { IncomingMessage } from 'node:http';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { invalidArg } from '../../protocol/errors.ts';
import { ChunkCounter, MAX_CHUNKS } from './chunk-counter.ts';
import { HttpError } from './responses.ts';

const unzip = promisify(zlib.unzip);

/** Triton's text for a body over --http-max-input-size; `size` is left out when it is not known (decompression). */
export function inputTooLarge(limit: number, size?: number): Error {
  const of = size === undefined ? '' : ` of ${size} bytes`;
  return invalidArg(
    `request JSON size${of} exceeds the maximum allowed input size of ${limit} bytes. ` +
      'Use --http-max-input-size to increase the limit.',
  );
}

function tooManyChunks(): Error {
  return invalidArg(`Chunked request body exceeds maximum of ${MAX_CHUNKS} non-empty chunks`);
}

/** First allocation for a body of unknown length; it doubles from there up to the limit. */
const INITIAL_CAPACITY = 64 * 1024;

/**
 * Collects the body; a declared or actual size over `limit`, or too many chunks, is refused without buffering the
 * rest. Bytes are copied into one buffer as they come, so memory follows the body size, not the number of reads.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = req.headers['content-length'];
  const declaredLength = declared === undefined ? undefined : Number(declared);
  if (declaredLength !== undefined && declaredLength > limit) {
    req.resume();
    return Promise.reject(inputTooLarge(limit, declaredLength));
  }
  return new Promise((resolve, reject) => {
    const exact = declaredLength !== undefined && Number.isSafeInteger(declaredLength);
    let buffer: Buffer = Buffer.allocUnsafe(exact ? declaredLength : Math.min(INITIAL_CAPACITY, limit));
    let received = 0;
    const chunks = exact ? undefined : new ChunkCounter();
    const refuse = (error: Error): void => {
      req.removeAllListeners('data');
      req.resume();
      reject(error);
    };
    req.on('data', (chunk: Buffer) => {
      const total = received + chunk.length;
      if (exact && total > buffer.length) return refuse(invalidArg('request body is longer than its Content-Length'));
      if (total > limit) return refuse(inputTooLarge(limit, total));
      if (chunks !== undefined && chunks.add(chunk.length, req.socket.bytesRead) > MAX_CHUNKS) return refuse(tooManyChunks());
      if (total > buffer.length) buffer = grow(buffer, received, total, limit);
      chunk.copy(buffer, received);
      received = total;
    });
    req.on('end', () => resolve(received === buffer.length ? buffer : buffer.subarray(0, received)));
    req.on('error', reject);
  });
}

function grow(buffer: Buffer, used: number, needed: number, limit: number): Buffer {
  const next = Buffer.allocUnsafe(Math.min(Math.max(needed, buffer.length * 2), limit));
  buffer.copy(next, 0, 0, used);
  return next;
}

/**
 * Triton's reading of Content-Encoding (GetRequestCompressionType): exactly `gzip` or `deflate`; absent, empty or
 * `identity` is none; anything else (`GZIP` included) is 501 `Unsupported compression type` with
 * `Accept-Encoding: gzip, deflate`, answered text/plain like Triton's other checks outside the JSON path.
 */
export function requestEncoding(encoding: string | undefined): 'gzip' | 'deflate' | undefined {
  if (encoding === undefined || encoding === '' || encoding === 'identity') return undefined;
  if (encoding === 'gzip' || encoding === 'deflate') return encoding;
  throw new HttpError('UNSUPPORTED', 'Unsupported compression type', { 'Accept-Encoding': 'gzip, deflate' });
}

/**
 * Decompresses a body per its Content-Encoding (see requestEncoding). Corrupt data is 400 as text/plain, where
 * Triton's decompression errors are answered (nereid's own: Triton 2.51 reads corrupt gzip or deflate as an empty
 * body); a body that inflates past `limit` gets the JSON path's size error, as in Triton.
 */
export async function decodeContentEncoding(body: Buffer, encoding: string | undefined, limit: number): Promise<Buffer> {
  const name = requestEncoding(encoding);
  if (name === undefined) return body;
  try {
    return await unzip(body, { maxOutputLength: limit });
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    if (e.code === 'ERR_BUFFER_TOO_LARGE') throw inputTooLarge(limit);
    throw new HttpError('INVALID_ARG', `failed to decompress the ${name} request body: ${e.message}`);
  }
}
