/**
 * Reading a request body within --http-max-input-size, and undoing its Content-Encoding (gzip, or deflate meaning
 * zlib-wrapped; the inflater accepts both headers). Decompression runs on libuv's thread pool, never blocking the loop.
 */
import type { IncomingMessage } from 'node:http';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { invalidArg } from '../../protocol/errors.ts';
import { HttpError } from './responses.ts';

const unzip = promisify(zlib.unzip);

function tooLarge(limit: number): Error {
  return invalidArg(`request body exceeds the maximum input size of ${limit} bytes (--http-max-input-size)`);
}

/** Collects the body; a declared or actual size over `limit` is refused without buffering the rest. */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = req.headers['content-length'];
  const declaredLength = declared === undefined ? undefined : Number(declared);
  if (declaredLength !== undefined && declaredLength > limit) {
    req.resume();
    return Promise.reject(tooLarge(limit));
  }
  return new Promise((resolve, reject) => {
    // One allocation when the length is known (the common case); chunks otherwise.
    const exact = declaredLength !== undefined && Number.isSafeInteger(declaredLength) ? Buffer.allocUnsafe(declaredLength) : undefined;
    const chunks: Buffer[] = [];
    let received = 0;
    req.on('data', (chunk: Buffer) => {
      if (received + chunk.length > (exact?.length ?? limit)) {
        req.removeAllListeners('data');
        req.resume();
        reject(exact !== undefined ? invalidArg('request body is longer than its Content-Length') : tooLarge(limit));
        return;
      }
      if (exact !== undefined) chunk.copy(exact, received);
      else chunks.push(chunk);
      received += chunk.length;
    });
    req.on('end', () => {
      if (exact === undefined) resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, received));
      else resolve(received === exact.length ? exact : exact.subarray(0, received));
    });
    req.on('error', reject);
  });
}

/** Decompresses a body per its Content-Encoding; identity/absent passes through. Unknown encodings are 501. */
export async function decodeContentEncoding(body: Buffer, encoding: string | undefined, limit: number): Promise<Buffer> {
  const name = encoding?.trim().toLowerCase();
  if (name === undefined || name === '' || name === 'identity') return body;
  if (name !== 'gzip' && name !== 'deflate') {
    throw new HttpError('UNSUPPORTED', `unsupported Content-Encoding '${encoding}': only gzip and deflate are accepted`, {
      'Accept-Encoding': 'gzip, deflate',
    });
  }
  try {
    return await unzip(body, { maxOutputLength: limit });
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    if (e.code === 'ERR_BUFFER_TOO_LARGE') throw tooLarge(limit);
    throw invalidArg(`failed to decompress the ${name} request body: ${e.message}`);
  }
}
