/**
 * Compares one answer of tritonserver with nereid's. HTTP: status, the headers clients read, and the body (JSON as
 * JSON — numbers compared by value, so `1.0` equals `1` — with the exact text compared separately as `body-text`;
 * the binary part after Inference-Header-Content-Length byte for byte; anything else byte for byte). gRPC: status
 * code, details, and the decoded response message.
 */
import { isDeepStrictEqual } from 'node:util';
import { gunzipSync, inflateSync } from 'node:zlib';

import type { GrpcAnswer } from './grpc-probe.ts';
import type { HttpAnswer } from './http-probe.ts';

export interface Difference {
  readonly caseId: string;
  readonly aspect: string;
  /** Shortened texts, for the summary. */
  readonly triton: string;
  readonly nereid: string;
  /** The compared values themselves (parsed JSON or messages after the case's normalizer, or texts). */
  readonly tritonValue: unknown;
  readonly nereidValue: unknown;
}

/** Applied to both parsed JSON bodies (or gRPC messages) before comparing, e.g. to zero statistics' times. */
export type Normalizer = (value: unknown) => unknown;

const HEADERS = ['content-type', 'inference-header-content-length', 'content-encoding'];
const SHOW = 600;
const show = (value: unknown): string => {
  const text = typeof value === 'string' ? value : value === undefined ? '(none)' : JSON.stringify(value);
  return text.length > SHOW ? `${text.slice(0, SHOW)}…` : text;
};

export function compareHttp(caseId: string, triton: HttpAnswer, nereid: HttpAnswer, normalize?: Normalizer): Difference[] {
  const out: Difference[] = [];
  const diff = (aspect: string, t: unknown, n: unknown): void => {
    out.push({ caseId, aspect, triton: show(t), nereid: show(n), tritonValue: t, nereidValue: n });
  };
  if (triton.status !== nereid.status) diff('status', triton.status, nereid.status);
  for (const h of HEADERS) {
    if (triton.headers[h] !== nereid.headers[h]) diff(`header:${h}`, triton.headers[h] ?? '(none)', nereid.headers[h] ?? '(none)');
  }
  // Compressed bodies are compared decompressed (the compressors' bytes may differ; the header is compared above).
  const split = (a: HttpAnswer): [Buffer, Buffer] => {
    const encoding = a.headers['content-encoding'];
    const body = encoding === 'gzip' ? gunzipSync(a.body) : encoding === 'deflate' ? inflateSync(a.body) : a.body;
    const n = Number(a.headers['inference-header-content-length'] ?? body.length);
    return [body.subarray(0, n), body.subarray(n)];
  };
  const [tJson, tBinary] = split(triton);
  const [nJson, nBinary] = split(nereid);
  const tParsed = parseJson(tJson);
  const nParsed = parseJson(nJson);
  if (tParsed !== undefined && nParsed !== undefined) {
    const t = normalize ? normalize(tParsed) : tParsed;
    const n = normalize ? normalize(nParsed) : nParsed;
    if (!isDeepStrictEqual(t, n)) diff('body', t, n);
    else if (!normalize && !tJson.equals(nJson)) diff('body-text', tJson.toString(), nJson.toString());
  } else if (!tJson.equals(nJson)) {
    diff('body', tJson.toString('latin1'), nJson.toString('latin1'));
  }
  if (!tBinary.equals(nBinary)) diff('binary', tBinary.toString('hex'), nBinary.toString('hex'));
  return out;
}

export function compareGrpc(caseId: string, triton: GrpcAnswer, nereid: GrpcAnswer, normalize?: Normalizer): Difference[] {
  const out: Difference[] = [];
  const diff = (aspect: string, t: unknown, n: unknown): void => {
    out.push({ caseId, aspect, triton: show(t), nereid: show(n), tritonValue: t, nereidValue: n });
  };
  if (triton.code !== nereid.code) diff('grpc-code', triton.code, nereid.code);
  if (triton.details !== nereid.details) diff('grpc-details', triton.details, nereid.details);
  const t = normalize && triton.message ? normalize(triton.message) : triton.message;
  const n = normalize && nereid.message ? normalize(nereid.message) : nereid.message;
  if (!isDeepStrictEqual(t, n)) diff('grpc-message', t, n);
  return out;
}

function parseJson(bytes: Buffer): unknown {
  if (bytes.length === 0) return undefined;
  try {
    // NaN/Infinity are not JSON; both servers' bodies with them are compared as text.
    return JSON.parse(bytes.toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}
