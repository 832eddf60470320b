/**
 * The infer route, served on node:http directly (express costs ~130–150 µs of CPU per request): read and decompress
 * the body, decode JSON and binary tensors (binary inputs stay views over the body), run, and write the JSON header
 * plus tensor buffers in one corked write, compressed when Accept-Encoding asks for it.
 *
 * In Triton's order: the model and version are checked first (before the body is read), then Content-Encoding, the
 * body (size), decompression and Inference-Header-Content-Length, then the JSON. Errors before the JSON and those
 * found while writing the response (FP16 as JSON) are text/plain, as Triton answers them (responses.ts).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import type { DataPlane } from '../../core/data-plane.ts';
import { traceNow } from '../../core/tracer.ts';
import { ClientGone } from '../../protocol/cancellation.ts';
import { chooseResponseEncoding, type ResponseEncoding } from './accept-encoding.ts';
import { decodeInferRequest, inferenceHeaderLength } from './infer-request-decoder.ts';
import { encodeInferResponse, type EncodedInferResponse } from './infer-response-encoder.ts';
import { decodeContentEncoding, readBody, requestEncoding } from './request-body.ts';
import { outsideJsonPath, sendError } from './responses.ts';

const gzip = promisify(zlib.gzip);
const deflate = promisify(zlib.deflate);

/** What the infer route needs: the data plane and --http-max-input-size in bytes. */
export interface InferRouteContext {
  readonly dataPlane: DataPlane;
  readonly maxInputSize: number;
}

export async function handleInfer(
  req: IncomingMessage,
  res: ServerResponse,
  modelName: string,
  version: string | undefined,
  ctx: InferRouteContext,
): Promise<void> {
  // A client that goes away before its answer lets the request be dropped. Listening before anything is awaited also
  // catches one that leaves while its body is read or decompressed (its request then never runs).
  const gone = new ClientGone();
  res.once('close', () => {
    if (!res.writableFinished) gone.abort();
  });
  // Sampled for tracing (nearly free while tracing is off): HTTP_RECV_* span reading the body.
  const traceparent = req.headers.traceparent;
  const trace = ctx.dataPlane.startTrace(modelName, 'HTTP', typeof traceparent === 'string' ? traceparent : undefined);
  const receiving = trace === undefined ? 0n : traceNow();
  try {
    outsideJsonPath(() => ctx.dataPlane.modelReady(modelName, version));
    const encoding = req.headers['content-encoding'];
    requestEncoding(encoding);
    const body = await decodeContentEncoding(await readBody(req, ctx.maxInputSize), encoding, ctx.maxInputSize);
    trace?.received(receiving, traceNow());
    const header = req.headers['inference-header-content-length'];
    const headerLength = Array.isArray(header) ? header[0] : header;
    outsideJsonPath(() => inferenceHeaderLength(headerLength, body.length));
    const { request, format } = decodeInferRequest(
      body,
      headerLength,
      modelName,
      () => ctx.dataPlane.rawInputs(modelName, version),
      ctx.dataPlane.sharedMemory,
    );
    const headers = { header: (name: string): string | undefined => firstValue(req.headers[name]) };
    const response = await ctx.dataPlane.infer(modelName, version, { ...request, signal: gone, headers, ...(trace === undefined ? {} : { trace }) });
    const encoded = outsideJsonPath(() => encodeInferResponse(response, format));
    const sending = trace === undefined ? 0n : traceNow();
    await writeInferResponse(res, encoded, chooseResponseEncoding(req.headers['accept-encoding']));
    trace?.sent(sending, traceNow());
  } catch (error) {
    req.resume();
    sendError(res, error);
  }
}

async function writeInferResponse(res: ServerResponse, encoded: EncodedInferResponse, encoding: ResponseEncoding): Promise<void> {
  const headers: Record<string, string | number> = {};
  if (encoded.binaryLength > 0) {
    headers['Content-Type'] = 'application/octet-stream';
    headers['Inference-Header-Content-Length'] = encoded.json.length;
  } else {
    headers['Content-Type'] = 'application/json';
  }
  if (encoding !== undefined) {
    const whole = Buffer.concat([encoded.json, ...encoded.binaries]);
    const compressed = encoding === 'gzip' ? await gzip(whole) : await deflate(whole);
    headers['Content-Encoding'] = encoding;
    headers['Content-Length'] = compressed.length;
    res.writeHead(200, headers);
    res.end(compressed);
    return;
  }
  headers['Content-Length'] = encoded.json.length + encoded.binaryLength;
  res.writeHead(200, headers);
  res.cork();
  res.write(encoded.json);
  for (const buffer of encoded.binaries) res.write(buffer);
  res.end();
}

function firstValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
