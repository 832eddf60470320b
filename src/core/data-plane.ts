/**
 * The one door into the server that every transport (and an embedding program) uses, after MLServer's `DataPlane`:
 * inference, health, server and model metadata, config, statistics, the repository extension and log settings.
 * Results are transport-neutral and errors are ServerErrors with Triton's codes and texts; transports only change
 * wire forms and map codes. Extensions to come (shared memory, trace, classification, ...) belong here too.
 */
import type { ModelConfig } from '../config/model-config.ts';
import type { InferRequest, InferResponse } from '../protocol/inference.ts';
import { notFound, ServerError } from '../protocol/errors.ts';
import { InferenceService } from './inference-service.ts';
import { SystemSharedMemory, type SharedMemoryAccess, type SystemRegionStatus } from './system-shared-memory.ts';
import { DEFAULT_TRACE_SETTINGS, TraceSettings, unknownTraceModel, type TraceSettingUpdate, type TraceSettingValues, type TraceSettingsView } from './trace-settings.ts';
import { Tracer, type RequestTrace, type TraceExporter, type TraceProtocol } from './tracer.ts';
import type { ResponseCache } from './response-cache.ts';
import { applyLogSettingsUpdate, type LogSettings, type LogSettingsStore, type LogSettingsUpdate } from './log-settings.ts';
import type { IndexEntry, LoadOverrides, ModelControl } from './model-control.ts';
import type { ModelLookup } from './model-lookup.ts';
import type { ReleaseStatus } from './model-release.ts';
import { ModelQueries, type ModelMetadata, type TensorMetadata } from './model-queries.ts';
import { serverMetadata, type ServerMetadata } from './server-metadata.ts';
import type { ModelStatisticsEntry, StatisticsSource } from './statistics-source.ts';

/** What the data plane is built from (app.ts wires the repository and the observe/ implementations in). */
export interface DataPlaneParts {
  /** The served models and their control (the model repository). */
  readonly models: ModelLookup & ModelControl;
  readonly statistics: StatisticsSource;
  readonly logSettings: LogSettingsStore;
  /** The response cache (--cache-config), when the server has one. */
  readonly responseCache?: ResponseCache;
}

export interface DataPlaneOptions {
  /** --id, reported as the server name. */
  readonly serverId: string;
  /** --strict-readiness: ready only while every model is READY. */
  readonly strictReadiness: boolean;
  /** --trace-config: the trace settings at start-up (default: tracing off). */
  readonly trace?: TraceSettingValues;
  /** --trace-config mode=opentelemetry: where traces go as spans (the trace file otherwise). */
  readonly traceExporter?: TraceExporter;
}

export class DataPlane {
  private readonly inference: InferenceService;
  private readonly queries: ModelQueries;
  private readonly metadata: ServerMetadata;
  private readonly systemShm = new SystemSharedMemory();
  private readonly traceSettings: TraceSettings;
  private readonly tracer: Tracer;

  constructor(
    private readonly parts: DataPlaneParts,
    private readonly options: DataPlaneOptions,
  ) {
    this.inference = new InferenceService(parts.models, parts.responseCache, this.systemShm);
    this.traceSettings = new TraceSettings(options.trace ?? DEFAULT_TRACE_SETTINGS, options.traceExporter === undefined ? 'triton' : 'opentelemetry');
    this.tracer = new Tracer(this.traceSettings, options.traceExporter);
    this.queries = new ModelQueries(parts.models);
    this.metadata = serverMetadata(options.serverId);
  }

  /** Runs `request` on a model (version: empty/undefined = the highest READY one). Throws ServerError. */
  infer(modelName: string, version: string | undefined, request: InferRequest): Promise<InferResponse> {
    return this.inference.infer(modelName, version, request);
  }

  /** The server is live while it answers. */
  serverLive(): boolean {
    return true;
  }

  /** Ready; with --strict-readiness only while every model's every version is READY. */
  serverReady(): boolean {
    return !this.options.strictReadiness || this.queries.serverReady();
  }

  /** Name (--id), version and the extensions implemented. */
  serverMetadata(): ServerMetadata {
    return this.metadata;
  }

  /** Throws NOT_FOUND / UNAVAILABLE as Triton does for models and versions that are not READY. */
  modelMetadata(name: string, version?: string): ModelMetadata {
    return this.queries.metadata(name, version);
  }

  /** Returns when the version is servable; throws NOT_FOUND / UNAVAILABLE otherwise (HTTP's model ready). */
  modelReady(name: string, version?: string): void {
    this.queries.ready(name, version);
  }

  /**
   * Triton core's ModelIsReady (gRPC's ModelReady): false for unknown models and versions and versions not READY;
   * only other errors (a version that is not a number) throw.
   */
  isModelReady(name: string, version?: string): boolean {
    try {
      this.queries.ready(name, version);
      return true;
    } catch (error) {
      if (error instanceof ServerError && (error.code === 'NOT_FOUND' || error.code === 'UNAVAILABLE')) return false;
      throw error;
    }
  }

  /** The normalized config (the plain form that protobuf serializers take). */
  modelConfig(name: string, version?: string): Readonly<ModelConfig> {
    return this.queries.config(name, version);
  }

  /** The normalized config in Triton's JSON form. */
  modelConfigJson(name: string, version?: string): Record<string, unknown> {
    return this.queries.configJson(name, version);
  }

  /** The inputs as a raw binary request needs them: name, datatype, full shape, whether the model batches. */
  rawInputs(name: string, version?: string): readonly (TensorMetadata & { readonly batched: boolean })[] {
    return this.queries.rawInputs(name, version);
  }

  /** Triton's `model_stats` entries: every model (no name), one model, or one version; INVALID_ARG when unavailable. */
  modelStatistics(name?: string, version?: string): readonly ModelStatisticsEntry[] {
    return this.parts.statistics.modelStatistics(this.parts.models, name, version);
  }

  /** Every model directory of every repository, sorted by name; `readyOnly` keeps READY versions only. */
  repositoryIndex(readyOnly: boolean): IndexEntry[] {
    return this.parts.models.index(readyOnly);
  }

  /** Loads or reloads a model; resolves once its versions have loaded. Refused outside explicit mode. */
  loadModel(name: string, overrides?: LoadOverrides): Promise<void> {
    return this.parts.models.load(name, overrides);
  }

  /**
   * A model's live gray release: its policy, the shares actually served, the guard's windows and rollbacks, the shadow
   * copies. NOT_FOUND for an unknown model or one whose parameters set no policy.
   */
  releaseStatus(name: string): ReleaseStatus {
    const models = this.parts.models;
    const release = models.release(name);
    if (release === undefined) {
      models.resolve(name); // Triton's NOT_FOUND for an unknown model, or one with nothing loaded
      throw notFound(`model '${name}' has no gray-release policy (no nereid.routing, nereid.shadow, nereid.guard or nereid.rate_limit parameter)`);
    }
    return release.status(models.readyVersions(name));
  }

  /** Unloads every version of a model once its in-flight requests finish. Refused outside explicit mode. */
  unloadModel(name: string, options?: { unloadDependents?: boolean }): Promise<void> {
    return this.parts.models.unload(name, options);
  }

  /** What request decoders need of the system shared-memory regions (an input's bytes, an output place's check). */
  get sharedMemory(): SharedMemoryAccess {
    return this.systemShm;
  }

  /** Every registered system shared-memory region, or the one named (NOT_FOUND when it is not registered). */
  systemSharedMemoryStatus(name = ''): SystemRegionStatus[] {
    return this.systemShm.status(name);
  }

  /** Registers `/dev/shm/<key>` from `offset` for `byteSize` bytes as region `name` (Triton's errors and texts). */
  registerSystemSharedMemory(name: string, key: string, offset: number, byteSize: number): void {
    this.systemShm.register(name, key, offset, byteSize);
  }

  /** Unregisters one region (an unknown name is not an error) or, with no name, all of them. */
  unregisterSystemSharedMemory(name = ''): void {
    if (name === '') this.systemShm.unregisterAll();
    else this.systemShm.unregister(name);
  }

  /** No CUDA regions can exist without a GPU: none, or NOT_FOUND for one named (a CPU-only tritonserver's answers). */
  cudaSharedMemoryStatus(name = ''): [] {
    if (name !== '') throw notFound(`Unable to find cuda shared memory region: '${name}'`);
    return [];
  }

  /** A trace for a request to `model` when tracing samples it (undefined at once while tracing is off). */
  startTrace(model: string, protocol: TraceProtocol, traceparent?: string): RequestTrace | undefined {
    return this.tracer.start(model, protocol, traceparent);
  }

  /** The trace settings, global or a model's (INVALID_ARG for a model that is not loaded, as Triton answers). */
  traceSettingsView(model?: string): TraceSettingsView {
    if (model !== undefined) this.checkTraceModel(model);
    return this.traceSettings.view(model);
  }

  /** Changes the global or a model's trace settings and returns them after the change (Triton's texts). */
  updateTraceSettings(update: TraceSettingUpdate, model?: string): TraceSettingsView {
    if (model !== undefined) this.checkTraceModel(model);
    return this.traceSettings.update(update, model);
  }

  private checkTraceModel(model: string): void {
    try {
      this.parts.models.resolve(model);
    } catch {
      throw unknownTraceModel(model);
    }
  }

  /** Closes every shared-memory region and writes (or exports) the traces not written yet (shutdown). */
  async close(): Promise<void> {
    this.systemShm.closeAll();
    this.tracer.flush();
    await this.tracer.shutdown();
  }

  logSettings(): LogSettings {
    return this.parts.logSettings.get();
  }

  /** Applies a change in Triton's order (partly, up to a failing setting) and returns the settings after it. */
  updateLogSettings(update: LogSettingsUpdate): LogSettings {
    return applyLogSettingsUpdate(this.parts.logSettings, update);
  }
}
