/**
 * The composition root: builds the repository, the observers and the data plane from the options (injecting the
 * observe/ implementations the core defines interfaces for), and starts the transports the options enable.
 */
import type { ServerOptions } from './options/server-options.ts';
import { defaultMaxBatchSize } from './options/backend-config.ts';
import { DataPlane } from './core/data-plane.ts';
import { ResponseCache } from './core/response-cache.ts';
import { detectHostDevices } from './instance/devices.ts';
import { ModelRepository } from './repository/model-repository.ts';
import { GrpcEndpoint } from './transport/grpc/grpc-endpoint.ts';
import { HttpEndpoint } from './transport/http/http-endpoint.ts';
import { createWriteStream } from 'node:fs';
import { log, logSettingsStore, setLogSink, updateLogSettings } from './observe/log.ts';
import { Metrics } from './observe/metrics.ts';
import { OtelTraceExporter } from './observe/otel-trace-exporter.ts';
import { StatisticsStore } from './observe/statistics.ts';
import type { ModelLookup } from './core/model-lookup.ts';
import type { ModelPlan } from './core/model-plan.ts';
import { MetricsEndpoint } from './transport/metrics/metrics-endpoint.ts';

/** A built server: its repository, the data plane both transports serve, and the observers. */
export interface App {
  readonly repository: ModelRepository;
  /** The one door into the server (infer, metadata, health, statistics, repository control, log settings). */
  readonly dataPlane: DataPlane;
  readonly statistics: StatisticsStore;
  readonly metrics: Metrics;
}

/**
 * Builds the app. The observers subscribe here, before any model loads, so that load events (the load-duration gauge,
 * the per-version series) reach them.
 */
export function createApp(options: ServerOptions): App {
  const devices = detectHostDevices();
  const repository = new ModelRepository({
    repositories: options.modelRepositories,
    pipeline: { autoComplete: options.autoCompleteConfig, defaultMaxBatchSize: defaultMaxBatchSize(options), devices },
    ...(options.modelConfigName === undefined ? {} : { modelConfigName: options.modelConfigName }),
    controlMode: options.modelControlMode,
    startupModels: options.loadModels,
    loadConcurrency: options.modelLoadThreadCount,
    ...(options.instanceWorkers === undefined ? {} : { instanceWorkers: options.instanceWorkers }),
  });
  if (options.trace.mode === 'triton' && options.trace.levels.length > 0 && options.trace.file === '') {
    throw new Error('--trace-config: tracing at a level needs a trace file (--trace-config triton,file=<path>)');
  }
  const statistics = new StatisticsStore();
  const responseCache = options.responseCacheBytes === undefined ? undefined : new ResponseCache(options.responseCacheBytes);
  return {
    repository,
    dataPlane: new DataPlane(
      { models: repository, statistics, logSettings: logSettingsStore, ...(responseCache === undefined ? {} : { responseCache }) },
      {
        serverId: options.serverId,
        strictReadiness: options.strictReadiness,
        trace: { level: options.trace.levels, rate: options.trace.rate, count: options.trace.count, logFrequency: options.trace.logFrequency, file: options.trace.file },
        ...(options.trace.mode === 'opentelemetry' ? { traceExporter: new OtelTraceExporter(options.trace.otel) } : {}),
      },
    ),
    statistics,
    metrics: new Metrics({ pending: () => pendingCounts(repository), ...(responseCache === undefined ? {} : { responseCache }) }),
  };
}

/**
 * Applies the log flags (--log-file, --log-info, --log-warning, --log-error, --log-verbose, --log-format) to the
 * process's log settings, which are process-wide (as Triton's logger is).
 */
export function applyLogOptions(options: ServerOptions): void {
  if (options.logFile !== '') {
    const file = createWriteStream(options.logFile, { flags: 'a' });
    setLogSink((line) => file.write(line + '\n'));
  }
  updateLogSettings({
    log_file: options.logFile,
    log_info: options.logInfo,
    log_warning: options.logWarning,
    log_error: options.logError,
    log_verbose_level: options.logVerbose,
    log_format: options.logFormat,
  });
}

/** Poll mode: rescans the repositories every `seconds` (0 = never), one poll at a time. */
export function startPolling(app: App, seconds: number): NodeJS.Timeout | undefined {
  if (seconds <= 0) return undefined;
  let polling = false;
  return setInterval(() => {
    if (polling) return;
    polling = true;
    app.repository
      .poll()
      .catch((error: unknown) => log.error(`poll failed: ${(error as Error).message}`))
      .finally(() => (polling = false));
  }, seconds * 1000);
}

/** Requests waiting in each READY version's queue, for nv_inference_pending_request_count. */
export function* pendingCounts(lookup: ModelLookup): Iterable<{ plan: ModelPlan; pending: number }> {
  for (const row of lookup.statuses()) {
    if (row.state !== 'READY' || row.version === undefined) continue;
    const { plan, scheduler } = lookup.resolve(row.name, String(row.version));
    yield { plan, pending: scheduler.pending };
  }
}

/** The transports that are listening. */
export interface Endpoints {
  http?: HttpEndpoint;
  grpc?: GrpcEndpoint;
  metrics?: MetricsEndpoint;
}

/** Starts every enabled endpoint (`--allow-grpc`, `--allow-http`), logging where each listens, as Triton does. */
export async function startEndpoints(app: App, options: ServerOptions): Promise<Endpoints> {
  const endpoints: Endpoints = {};
  try {
    if (options.allowGrpc) {
      endpoints.grpc = await GrpcEndpoint.start(app, {
        port: options.grpcPort,
        address: options.grpcAddress,
        tls: options.grpcTls,
        restrictedProtocols: options.grpcRestrictedProtocols,
      });
      log.info(`Started GRPCInferenceService at ${options.grpcAddress}:${endpoints.grpc.port}`);
    }
    if (options.allowHttp) {
      endpoints.http = await HttpEndpoint.start(app, {
        port: options.httpPort,
        address: options.httpAddress,
        maxInputSize: options.httpMaxInputSize,
        restrictedApis: options.httpRestrictedApis,
        corsOrigins: options.httpCorsOrigins,
        tls: options.httpTls,
      });
      const scheme = options.httpTls.useSsl || options.httpTls.mutual ? ' (HTTPS)' : '';
      log.info(`Started HTTPService at ${options.httpAddress}:${endpoints.http.port}${scheme}`);
    }
    if (options.allowMetrics) {
      endpoints.metrics = await MetricsEndpoint.start(app.metrics, { port: options.metricsPort, address: options.metricsAddress });
      log.info(`Started Metrics Service at ${options.metricsAddress}:${endpoints.metrics.port}`);
    }
  } catch (error) {
    await stopEndpoints(endpoints);
    throw error;
  }
  return endpoints;
}

/**
 * Graceful shutdown: stop accepting, give in-flight requests up to `exitTimeoutSecs` to finish, then close every
 * connection and unload the models. Returns false when the timer ran out (Triton then exits immediately).
 */
export async function shutDown(app: App, endpoints: Endpoints, exitTimeoutSecs: number): Promise<boolean> {
  endpoints.http?.stopAccepting();
  void endpoints.grpc?.stopAccepting();
  const deadline = Date.now() + exitTimeoutSecs * 1000;
  const http = (): number => endpoints.http?.activeRequests ?? 0;
  const grpc = (): number => endpoints.grpc?.activeCalls ?? 0;
  const remaining = (): number => app.repository.inflight() + http() + grpc();
  let lastLog = 0;
  while (remaining() > 0 && Date.now() < deadline) {
    if (Date.now() - lastLog >= 1000) {
      log.info(`Waiting for in-flight requests to complete: ${app.repository.inflight()} in models, ${http()} HTTP, ${grpc()} gRPC`);
      lastLog = Date.now();
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(50, Math.max(1, deadline - Date.now()))));
  }
  if (remaining() > 0) {
    log.warn('Exit timeout expired. Exiting immediately.');
    return false;
  }
  await stopEndpoints(endpoints);
  await app.repository.unloadAll();
  await app.dataPlane.close();
  app.metrics.close();
  app.statistics.close();
  return true;
}

export async function stopEndpoints(endpoints: Endpoints): Promise<void> {
  await Promise.all([endpoints.http?.close(), endpoints.grpc?.close(), endpoints.metrics?.close()]);
}
