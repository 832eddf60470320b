/**
 * What test/client/browser.test.ts runs inside Chromium: each check takes the nereid-client module as the page
 * imported it (the built index.js, loaded by URL) and a nereid URL, and returns plain data for the test to assert on
 * (errors included, so a failure shows what the browser saw). Compiled for the browser with tsc; it imports only
 * types, so it has no imports at run time and exercises nothing but the page's copy of the client.
 */
import type * as Client from '../../packages/client/src/index.ts';

type ClientModule = typeof Client;

/** A tensor as plain data (numbers, or strings for BYTES). */
export interface PlainOutput {
  readonly name: string;
  readonly datatype: string;
  readonly shape: number[];
  readonly values: (number | string)[];
}

/** What a rejection was, as far as the test cares. */
export interface PlainError {
  readonly name: string;
  readonly message: string;
  readonly isInferenceServerError: boolean;
  readonly status: number | undefined;
}

export const RAMP = Array.from({ length: 16 }, (_, i) => i);
export const ONES = RAMP.map(() => 1);

const ADD_SUB: readonly Client.InferInput[] = [
  { name: 'INPUT0', datatype: 'FP32', shape: [1, 16], data: Float32Array.from(RAMP) },
  { name: 'INPUT1', datatype: 'FP32', shape: [1, 16], data: Float32Array.from(ONES) },
];

export async function health(client: ClientModule, url: string): Promise<Record<string, boolean>> {
  const c = new client.HttpClient({ url });
  return { live: await c.isServerLive(), addSubReady: await c.isModelReady('add_sub'), unknownReady: await c.isModelReady('no_such_model') };
}

/** add_sub with binary tensors (a preflighted request: octet-stream and Inference-Header-Content-Length). */
export async function addSubBinary(client: ClientModule, url: string): Promise<PlainOutput[]> {
  return plain(await new client.HttpClient({ url }).infer('add_sub', ADD_SUB));
}

export async function addSubJson(client: ClientModule, url: string): Promise<PlainOutput[]> {
  return plain(await new client.HttpClient({ url }).infer('add_sub', ADD_SUB, { binary: false }));
}

/** A gzip request body (Content-Encoding: gzip, preflighted) and a compressed response where the browser asks for one. */
export async function addSubGzip(client: ClientModule, url: string): Promise<PlainOutput[]> {
  return plain(await new client.HttpClient({ url }).infer('add_sub', ADD_SUB, { compression: { request: 'gzip', response: 'gzip' } }));
}

/** mlp_classifier's probabilities, and its top two classes through the classification extension. */
export async function classify(client: ClientModule, url: string): Promise<{ probabilities: PlainOutput[]; classes: PlainOutput[] }> {
  const c = new client.HttpClient({ url });
  const inputs: Client.InferInput[] = [{ name: 'input', datatype: 'FP32', shape: [1, 16], data: Float32Array.from(RAMP, (x) => x / 16 - 0.5) }];
  return {
    probabilities: plain(await c.infer('mlp_classifier', inputs)),
    classes: plain(await c.infer('mlp_classifier', inputs, { outputs: [{ name: 'probabilities', classCount: 2 }] })),
  };
}

/** identity_bytes echoes its BYTES input: strings with non-ASCII and empty elements. */
export async function bytes(client: ClientModule, url: string): Promise<PlainOutput[]> {
  const c = new client.HttpClient({ url });
  return plain(await c.infer('identity_bytes', [{ name: 'INPUT0', datatype: 'BYTES', shape: [1, 3], data: ['héllo', '', 'wörld 🌊'] }]));
}

export async function unknownModel(client: ClientModule, url: string): Promise<PlainError | 'resolved'> {
  return rejection(client, new client.HttpClient({ url }).infer('no_such_model', ADD_SUB));
}

/** An already-aborted signal: the call must reject with the signal's own reason. */
export async function aborted(client: ClientModule, url: string): Promise<{ sameReason: boolean; message: string }> {
  const controller = new AbortController();
  const reason = new Error('stopped by the page');
  controller.abort(reason);
  try {
    await new client.HttpClient({ url }).infer('add_sub', ADD_SUB, { signal: controller.signal });
    return { sameReason: false, message: 'resolved' };
  } catch (error) {
    return { sameReason: error === reason, message: (error as Error).message };
  }
}

/** Against a server without CORS for this page: the browser blocks every call, simple and preflighted. */
export async function blocked(client: ClientModule, url: string): Promise<Record<'live' | 'infer', PlainError | 'resolved'>> {
  const c = new client.HttpClient({ url });
  return { live: await rejection(client, c.isServerLive()), infer: await rejection(client, c.infer('add_sub', ADD_SUB)) };
}

function plain(result: Client.InferResult): PlainOutput[] {
  return result.outputs.map((o) => ({
    name: o.name,
    datatype: o.datatype,
    shape: [...o.shape],
    values: o.datatype === 'BYTES' ? o.text() : Array.from(o.data(), Number),
  }));
}

async function rejection(client: ClientModule, call: Promise<unknown>): Promise<PlainError | 'resolved'> {
  try {
    await call;
    return 'resolved';
  } catch (error) {
    const e = error as Error & { status?: number };
    return { name: e.name, message: e.message, isInferenceServerError: e instanceof client.InferenceServerError, status: e.status };
  }
}
