/**
 * The interface HttpClient and GrpcClient share: every operation of the KServe v2 / Triton protocol, with the same
 * argument and result shapes over both transports. Result shapes follow the v2 HTTP JSON bodies (snake_case members),
 * with 64-bit counters as numbers.
 */
import type { InferInput, InferOptions, InferResult } from './infer-types.ts';

/** Options every call takes. */
export interface CallOptions {
  /** Extra HTTP headers or gRPC metadata (e.g. the header a restricted API expects). */
  readonly headers?: Record<string, string>;
  /** Cancels the call. */
  readonly signal?: AbortSignal;
}

export interface ServerMetadata {
  readonly name: string;
  readonly version: string;
  readonly extensions: readonly string[];
}

export interface TensorMetadata {
  readonly name: string;
  readonly datatype: string;
  readonly shape: readonly number[];
}

export interface ModelMetadata {
  readonly name: string;
  readonly versions: readonly string[];
  readonly platform: string;
  readonly inputs: readonly TensorMetadata[];
  readonly outputs: readonly TensorMetadata[];
}

/** A model configuration in its JSON form (model_config.proto's fields, snake_case). */
export type ModelConfig = Record<string, unknown> & { readonly name: string };

export interface RepositoryIndexEntry {
  readonly name: string;
  readonly version?: string;
  readonly state?: string;
  readonly reason?: string;
}

export interface LoadOptions extends CallOptions {
  /** A config that replaces config.pbtxt for this load: JSON text or an object. */
  readonly config?: string | Record<string, unknown>;
  /** Files of an override model directory, by `<version>/<path>` (needs `config`). */
  readonly files?: Readonly<Record<string, Uint8Array>>;
}

export interface UnloadOptions extends CallOptions {
  /** Also unload the models an ensemble loaded for itself. */
  readonly unloadDependents?: boolean;
}

/** A duration statistic: how many and how long in total. */
export interface StatDuration {
  readonly count: number;
  readonly ns: number;
}

export interface ModelStatistics {
  readonly name: string;
  readonly version: string;
  readonly last_inference: number;
  readonly inference_count: number;
  readonly execution_count: number;
  readonly inference_stats: Readonly<Record<'success' | 'fail' | 'queue' | 'compute_input' | 'compute_infer' | 'compute_output' | 'cache_hit' | 'cache_miss', StatDuration>>;
  readonly batch_stats: readonly { readonly batch_size: number; readonly compute_input: StatDuration; readonly compute_infer: StatDuration; readonly compute_output: StatDuration }[];
}

/** Trace settings: each value a string list (HTTP's single strings are given as one-element lists). */
export type TraceSettings = Record<string, readonly string[]>;
/** A trace settings update: null clears a setting back to the global (or default) value. */
export type TraceSettingsUpdate = Record<string, string | readonly string[] | null>;

export interface LogSettings {
  readonly log_file: string;
  readonly log_info: boolean;
  readonly log_warning: boolean;
  readonly log_error: boolean;
  readonly log_verbose_level: number;
  readonly log_format: string;
}

export interface SharedMemoryRegionStatus {
  readonly name: string;
  readonly key: string;
  readonly offset: number;
  readonly byte_size: number;
}

export interface InferenceClient {
  isServerLive(options?: CallOptions): Promise<boolean>;
  isServerReady(options?: CallOptions): Promise<boolean>;
  isModelReady(model: string, version?: string | number, options?: CallOptions): Promise<boolean>;
  serverMetadata(options?: CallOptions): Promise<ServerMetadata>;
  modelMetadata(model: string, version?: string | number, options?: CallOptions): Promise<ModelMetadata>;
  modelConfig(model: string, version?: string | number, options?: CallOptions): Promise<ModelConfig>;
  infer(model: string, inputs: readonly InferInput[], options?: InferOptions): Promise<InferResult>;
  repositoryIndex(options?: CallOptions & { readonly ready?: boolean }): Promise<RepositoryIndexEntry[]>;
  loadModel(model: string, options?: LoadOptions): Promise<void>;
  unloadModel(model: string, options?: UnloadOptions): Promise<void>;
  /** Every model's statistics, one model's, or one version's. */
  modelStatistics(model?: string, version?: string | number, options?: CallOptions): Promise<ModelStatistics[]>;
  /** The global trace settings, or a model's. */
  traceSettings(model?: string, options?: CallOptions): Promise<TraceSettings>;
  updateTraceSettings(settings: TraceSettingsUpdate, model?: string, options?: CallOptions): Promise<TraceSettings>;
  logSettings(options?: CallOptions): Promise<LogSettings>;
  updateLogSettings(settings: Partial<LogSettings>, options?: CallOptions): Promise<LogSettings>;
  /** Registered system shared-memory regions (all, or the one named). */
  systemSharedMemoryStatus(region?: string, options?: CallOptions): Promise<SharedMemoryRegionStatus[]>;
  registerSystemSharedMemory(region: string, key: string, byteSize: number, offset?: number, options?: CallOptions): Promise<void>;
  /** Unregisters one region, or every region when none is named. */
  unregisterSystemSharedMemory(region?: string, options?: CallOptions): Promise<void>;
  /** Releases connections; calls after close fail. */
  close(): void;
}
