/**
 * The v2 / Triton protocol over HTTP on fetch, so it runs in Node.js (undici keeps connections alive between calls),
 * browsers and Deno. Infer uses the binary tensor extension by default (JSON on request); every refusal is an
 * InferenceServerError with the HTTP status and the server's message.
 */
import type {
  CallOptions,
  InferenceClient,
  LoadOptions,
  LogSettings,
  ModelConfig,
  ModelMetadata,
  ModelStatistics,
  RepositoryIndexEntry,
  ServerMetadata,
  SharedMemoryRegionStatus,
  TraceSettings,
  TraceSettingsUpdate,
  UnloadOptions,
} from '../client.ts';
import { InferenceServerError } from '../errors.ts';
import type { InferInput, InferOptions, InferResult } from '../infer-types.ts';
import { decodeInferBody, encodeInferBody } from './infer-body.ts';

export interface HttpClientOptions {
  /** The server's HTTP endpoint: `http://host:port` (a bare `host:port` means http). */
  readonly url: string;
  /** Headers sent with every call (a call's own headers win). */
  readonly headers?: Record<string, string>;
  /** The fetch to use (default: the global one). */
  readonly fetch?: typeof fetch;
}

const decoder = new TextDecoder();
/** Node.js sets Accept-Encoding itself only when asked; browsers forbid setting it and negotiate on their own. */
const IN_BROWSER = typeof (globalThis as { document?: unknown }).document !== 'undefined';

export class HttpClient implements InferenceClient {
  private readonly base: string;
  private readonly fetch: typeof fetch;
  private closed = false;

  constructor(private readonly options: HttpClientOptions) {
    const url = /^[a-z][a-z0-9+.-]*:\/\//i.test(options.url) ? options.url : `http://${options.url}`;
    this.base = url.replace(/\/+$/, '');
    this.fetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  }

  async isServerLive(options?: CallOptions): Promise<boolean> {
    return (await this.call('GET', '/v2/health/live', undefined, options, false)).ok;
  }

  async isServerReady(options?: CallOptions): Promise<boolean> {
    return (await this.call('GET', '/v2/health/ready', undefined, options, false)).ok;
  }

  async isModelReady(model: string, version?: string | number, options?: CallOptions): Promise<boolean> {
    return (await this.call('GET', `${modelPath(model, version)}/ready`, undefined, options, false)).ok;
  }

  serverMetadata(options?: CallOptions): Promise<ServerMetadata> {
    return this.json('GET', '/v2', undefined, options);
  }

  modelMetadata(model: string, version?: string | number, options?: CallOptions): Promise<ModelMetadata> {
    return this.json('GET', modelPath(model, version), undefined, options);
  }

  modelConfig(model: string, version?: string | number, options?: CallOptions): Promise<ModelConfig> {
    return this.json('GET', `${modelPath(model, version)}/config`, undefined, options);
  }

  async infer(model: string, inputs: readonly InferInput[], options: InferOptions = {}): Promise<InferResult> {
    const encoded = encodeInferBody(inputs, options);
    const headers: Record<string, string> = { 'Content-Type': encoded.headerLength === undefined ? 'application/json' : 'application/octet-stream' };
    if (encoded.headerLength !== undefined) headers['Inference-Header-Content-Length'] = String(encoded.headerLength);
    let body: Uint8Array = encoded.body;
    const compression = options.compression;
    if (compression?.request !== undefined) {
      body = await compress(body, compression.request);
      headers['Content-Encoding'] = compression.request;
    }
    // Node's fetch asks for gzip by default: small tensors would then be compressed and inflated on every call.
    if (!IN_BROWSER) headers['Accept-Encoding'] = compression?.response ?? 'identity';
    const response = await this.call('POST', `${modelPath(model, options.version)}/infer`, body, { ...options, headers: { ...headers, ...options.headers } });
    // fetch has already undone any Content-Encoding; the header length counts the uncompressed bytes.
    const bytes = new Uint8Array(await response.arrayBuffer());
    const length = response.headers.get('Inference-Header-Content-Length');
    return decodeInferBody(bytes, length === null ? undefined : Number(length));
  }

  repositoryIndex(options: CallOptions & { readonly ready?: boolean } = {}): Promise<RepositoryIndexEntry[]> {
    return this.json('POST', '/v2/repository/index', JSON.stringify(options.ready === undefined ? {} : { ready: options.ready }), options);
  }

  async loadModel(model: string, options: LoadOptions = {}): Promise<void> {
    const parameters: Record<string, string> = {};
    if (options.config !== undefined) parameters.config = typeof options.config === 'string' ? options.config : JSON.stringify(options.config);
    for (const [path, bytes] of Object.entries(options.files ?? {})) parameters[`file:${path}`] = base64(bytes);
    const body = Object.keys(parameters).length === 0 ? '{}' : JSON.stringify({ parameters });
    await this.call('POST', `/v2/repository/models/${encodeURIComponent(model)}/load`, body, options);
  }

  async unloadModel(model: string, options: UnloadOptions = {}): Promise<void> {
    const body = options.unloadDependents === undefined ? '{}' : JSON.stringify({ parameters: { unload_dependents: options.unloadDependents } });
    await this.call('POST', `/v2/repository/models/${encodeURIComponent(model)}/unload`, body, options);
  }

  async modelStatistics(model?: string, version?: string | number, options?: CallOptions): Promise<ModelStatistics[]> {
    const path = model === undefined ? '/v2/models/stats' : `${modelPath(model, version)}/stats`;
    return (await this.json<{ model_stats: ModelStatistics[] }>('GET', path, undefined, options)).model_stats;
  }

  async traceSettings(model?: string, options?: CallOptions): Promise<TraceSettings> {
    return asLists(await this.json('GET', tracePath(model), undefined, options));
  }

  async updateTraceSettings(settings: TraceSettingsUpdate, model?: string, options?: CallOptions): Promise<TraceSettings> {
    return asLists(await this.json('POST', tracePath(model), JSON.stringify(settings), options));
  }

  logSettings(options?: CallOptions): Promise<LogSettings> {
    return this.json('GET', '/v2/logging', undefined, options);
  }

  updateLogSettings(settings: Partial<LogSettings>, options?: CallOptions): Promise<LogSettings> {
    return this.json('POST', '/v2/logging', JSON.stringify(settings), options);
  }

  systemSharedMemoryStatus(region?: string, options?: CallOptions): Promise<SharedMemoryRegionStatus[]> {
    return this.json('GET', `/v2/systemsharedmemory${region === undefined ? '' : `/region/${encodeURIComponent(region)}`}/status`, undefined, options);
  }

  async registerSystemSharedMemory(region: string, key: string, byteSize: number, offset = 0, options?: CallOptions): Promise<void> {
    const body = JSON.stringify({ key, offset, byte_size: byteSize });
    await this.call('POST', `/v2/systemsharedmemory/region/${encodeURIComponent(region)}/register`, body, options);
  }

  async unregisterSystemSharedMemory(region?: string, options?: CallOptions): Promise<void> {
    await this.call('POST', `/v2/systemsharedmemory${region === undefined ? '' : `/region/${encodeURIComponent(region)}`}/unregister`, undefined, options);
  }

  close(): void {
    this.closed = true;
  }

  private async json<T>(method: string, path: string, body: string | undefined, options: CallOptions | undefined): Promise<T> {
    const response = await this.call(method, path, body, options);
    const text = await response.text();
    return (text === '' ? {} : JSON.parse(text)) as T;
  }

  /**
   * One request; a status outside 2xx becomes InferenceServerError with the server's message (`{"error": ...}` or
   * plain text) unless `throwOnError` is false (the health checks read the status themselves).
   */
  private async call(method: string, path: string, body: string | Uint8Array | undefined, options: CallOptions | undefined, throwOnError = true): Promise<Response> {
    if (this.closed) throw new InferenceServerError('the client is closed');
    const headers = { ...this.options.headers, ...options?.headers };
    if (typeof body === 'string' && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['Content-Type'] = 'application/json';
    let response: Response;
    try {
      response = await this.fetch(this.base + path, {
        method,
        headers,
        ...(body === undefined ? {} : { body: body as BodyInit }),
        ...(options?.signal === undefined ? {} : { signal: options.signal }),
      });
    } catch (error) {
      if (options?.signal?.aborted === true) throw options.signal.reason;
      throw new InferenceServerError(`${method} ${this.base}${path} failed: ${(error as Error).message}`, undefined, undefined, { cause: error });
    }
    if (!response.ok && throwOnError) throw new InferenceServerError(await errorMessage(response), response.status);
    if (!response.ok) await response.body?.cancel();
    return response;
  }
}

function modelPath(model: string, version: string | number | undefined): string {
  const name = `/v2/models/${encodeURIComponent(model)}`;
  return version === undefined || version === '' ? name : `${name}/versions/${encodeURIComponent(String(version))}`;
}

function tracePath(model: string | undefined): string {
  return model === undefined ? '/v2/trace/setting' : `/v2/models/${encodeURIComponent(model)}/trace/setting`;
}

/** The server's message: `{"error": "..."}`, or the body as text (some Triton errors are text/plain). */
async function errorMessage(response: Response): Promise<string> {
  const text = decoder.decode(await response.arrayBuffer());
  try {
    const parsed = JSON.parse(text) as { error?: unknown };
    if (typeof parsed.error === 'string') return parsed.error;
  } catch {
    // not JSON
  }
  return text === '' ? `HTTP ${response.status} ${response.statusText}` : text;
}

/** Trace settings with every value a list (HTTP answers single values as strings). */
function asLists(settings: Record<string, string | string[]>): TraceSettings {
  return Object.fromEntries(Object.entries(settings).map(([k, v]) => [k, Array.isArray(v) ? v : [v]]));
}

async function compress(bytes: Uint8Array, format: 'gzip' | 'deflate'): Promise<Uint8Array> {
  const stream = new Blob([bytes as BlobPart]).stream().pipeThrough(new CompressionStream(format));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

function base64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}
