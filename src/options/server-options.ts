/**
 * The options a tritonserver-style command line yields, their defaults, and the error for a command line Triton
 * would refuse.
 */
import type { Restrictions } from './restricted-features.ts';

export interface BackendConfigSetting {
  /** Empty for a global setting (`--backend-config=<key>=<value>`). */
  backend: string;
  key: string;
  value: string;
}

export type ModelControlMode = 'none' | 'poll' | 'explicit';

/** TLS for one endpoint: `--grpc-use-ssl`/`--http-use-ssl` and their certificate flags. */
export interface TlsOptions {
  useSsl: boolean;
  /** --grpc-use-ssl-mutual / --http-use-ssl-mutual: clients must present a certificate signed by the root cert. */
  mutual: boolean;
  serverCert?: string;
  serverKey?: string;
  rootCert?: string;
}

export type GrpcTlsOptions = TlsOptions;

export interface ServerOptions {
  modelRepositories: string[];
  httpPort: number;
  httpAddress: string;
  grpcPort: number;
  grpcAddress: string;
  /** --grpc-use-ssl and friends: TLS for the gRPC endpoint (files read at start-up). */
  grpcTls: GrpcTlsOptions;
  /** --http-use-ssl and friends: HTTPS for the HTTP endpoint (nereid's own; Triton has none). */
  httpTls: TlsOptions;
  /** --http-restricted-api: categories whose HTTP routes need a header. */
  httpRestrictedApis: Restrictions;
  /** --http-cors-origin: browser origins allowed to call the HTTP API (`*`: any); empty: no CORS headers at all. */
  httpCorsOrigins: string[];
  /** --grpc-restricted-protocol: categories whose RPCs need a metadata key (already carrying Triton's prefix). */
  grpcRestrictedProtocols: Restrictions;
  metricsPort: number;
  /** Defaults to `httpAddress`. */
  metricsAddress: string;
  allowHttp: boolean;
  allowGrpc: boolean;
  allowMetrics: boolean;
  /** False with `--disable-auto-complete-config` or `--strict-model-config=true`. */
  autoCompleteConfig: boolean;
  strictReadiness: boolean;
  exitOnError: boolean;
  /** Never negative (Triton clamps at 0). */
  exitTimeoutSecs: number;
  logVerbose: number;
  modelControlMode: ModelControlMode;
  /** 0 unless `modelControlMode` is poll. */
  repositoryPollSecs: number;
  /** `--load-model` names in order, duplicates dropped; only in explicit mode; `*` alone means all. */
  loadModels: string[];
  /** `--model-config-name`: a config file name other than config.pbtxt, looked for in `<model>/configs/`. */
  modelConfigName?: string;
  backendConfig: BackendConfigSetting[];
  httpMaxInputSize: number;
  help: boolean;
  // Triton flags beyond the core set that the server can honour.
  /** `--id`: the server name reported by server metadata. */
  serverId: string;
  logInfo: boolean;
  logWarning: boolean;
  logError: boolean;
  logFormat: 'default' | 'ISO8601';
  /** Empty: log to the console. */
  logFile: string;
  modelLoadThreadCount: number;
  /** --cache-config local,size=<bytes>: the response cache's size; undefined = no response cache. */
  responseCacheBytes?: number;
  /** --trace-config (and the deprecated --trace-* flags): tracing at start-up, in Triton's own mode. */
  trace: TraceOptions;
  /** --instance-workers: instance worker threads per device; undefined = one per core. */
  instanceWorkers?: number;
  modelLoadRetryCount: number;
  modelNamespacing: boolean;
  /** False whenever metrics are off. */
  allowGpuMetrics: boolean;
  /** False whenever metrics are off. */
  allowCpuMetrics: boolean;
  metricsIntervalMs: number;
}

/** A command line Triton would refuse; the message is what to print before the usage text. */
export class OptionsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OptionsError';
  }
}

/**
 * Triton's defaults, before any flag and before the post-parse rules (`metricsAddress` is still empty and
 * `repositoryPollSecs` still 15). A fresh object each call.
 */
export function defaults(): ServerOptions {
  return {
    modelRepositories: [],
    httpPort: 8000,
    httpAddress: '0.0.0.0',
    grpcPort: 8001,
    grpcAddress: '0.0.0.0',
    grpcTls: { useSsl: false, mutual: false },
    httpTls: { useSsl: false, mutual: false },
    httpRestrictedApis: {},
    httpCorsOrigins: [],
    grpcRestrictedProtocols: {},
    metricsPort: 8002,
    metricsAddress: '',
    allowHttp: true,
    allowGrpc: true,
    allowMetrics: true,
    autoCompleteConfig: true,
    strictReadiness: true,
    exitOnError: true,
    exitTimeoutSecs: 30,
    logVerbose: 0,
    modelControlMode: 'none',
    repositoryPollSecs: 15,
    loadModels: [],
    backendConfig: [],
    trace: {
      levels: [], rate: 1000, count: -1, logFrequency: 0, file: '', mode: 'triton',
      otel: { url: 'http://localhost:4318/v1/traces', resource: {}, bspMaxQueueSize: 2048, bspScheduleDelayMs: 5000, bspMaxExportBatchSize: 512 },
    },
    httpMaxInputSize: 64 * 1024 * 1024,
    help: false,
    serverId: 'triton',
    logInfo: true,
    logWarning: true,
    logError: true,
    logFormat: 'default',
    logFile: '',
    modelLoadThreadCount: 4,
    modelLoadRetryCount: 0,
    modelNamespacing: false,
    allowGpuMetrics: true,
    allowCpuMetrics: true,
    metricsIntervalMs: 2000,
  };
}

/** Tracing as the flags set it (the core's trace settings take these at start-up). */
export interface TraceOptions {
  /** TIMESTAMPS and/or TENSORS; empty = OFF. */
  levels: ('TIMESTAMPS' | 'TENSORS')[];
  rate: number;
  /** -1 = unlimited. */
  count: number;
  logFrequency: number;
  file: string;
  /** 'opentelemetry': spans exported over OTLP/HTTP instead of the trace file. */
  mode: 'triton' | 'opentelemetry';
  /** The `opentelemetry,<setting>=<value>` settings. */
  otel: { url: string; resource: Record<string, string>; bspMaxQueueSize: number; bspScheduleDelayMs: number; bspMaxExportBatchSize: number };
}
