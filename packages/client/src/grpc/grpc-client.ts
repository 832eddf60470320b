/**
 * The v2 / Triton protocol over gRPC (Triton's inference.GRPCInferenceService) on @grpc/grpc-js, for Node.js. Every
 * InferenceClient method is one RPC whose answer is converted to the shape the HTTP JSON has (conversions.ts,
 * model-config.ts); inference sends and receives raw tensor bytes (infer-message.ts); stream() opens
 * ModelStreamInfer (stream.ts). Every refusal is an InferenceServerError with the gRPC status code.
 */
import * as grpc from '@grpc/grpc-js';
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
import { toMetadata, unaryCall, type RequestOf, type ResponseOf, type UnaryRpc } from './call.ts';
import * as convert from './conversions.ts';
import type { GRPCInferenceServiceClient } from './generated/inference/GRPCInferenceService.ts';
import type { ModelRepositoryParameter } from './generated/inference/ModelRepositoryParameter.ts';
import { inferRequest, inferResultOf, sharedMemoryOutputs } from './infer-message.ts';
import { modelConfigJson } from './model-config.ts';
import { inferencePackage } from './protos.ts';
import { InferStream } from './stream.ts';

export interface GrpcClientOptions {
  /** The server's gRPC endpoint: `host:port` (Triton's default port is 8001), or any grpc-js target. */
  readonly url: string;
  /** Default: insecure (plaintext). For TLS, `grpc.credentials.createSsl(...)`. */
  readonly credentials?: grpc.ChannelCredentials;
  /** Metadata sent with every call (a call's own headers win). */
  readonly headers?: Record<string, string>;
  /**
   * grpc-js channel options, over this client's defaults: no limit on the size of received messages (grpc-js allows
   * 4 MiB unless told otherwise). Compression is set here, for every call of the channel:
   * `{ 'grpc.default_compression_algorithm': 2 }` sends gzip-compressed messages (1: deflate). grpc-js cannot compress
   * per call, so InferOptions.compression, an HTTP option, is ignored by GrpcClient.
   */
  readonly channelOptions?: grpc.ChannelOptions;
}

const DEFAULT_CHANNEL_OPTIONS: grpc.ChannelOptions = { 'grpc.max_receive_message_length': -1, 'grpc.max_send_message_length': -1 };

export class GrpcClient implements InferenceClient {
  private readonly stub: GRPCInferenceServiceClient;
  private closed = false;

  constructor(private readonly options: GrpcClientOptions) {
    const Service = inferencePackage().GRPCInferenceService;
    this.stub = new Service(options.url, options.credentials ?? grpc.credentials.createInsecure(), { ...DEFAULT_CHANNEL_OPTIONS, ...options.channelOptions });
  }

  async isServerLive(options?: CallOptions): Promise<boolean> {
    return (await this.call('ServerLive', {}, options)).live;
  }

  async isServerReady(options?: CallOptions): Promise<boolean> {
    return (await this.call('ServerReady', {}, options)).ready;
  }

  async isModelReady(model: string, version?: string | number, options?: CallOptions): Promise<boolean> {
    return (await this.call('ModelReady', { name: model, version: versionText(version) }, options)).ready;
  }

  async serverMetadata(options?: CallOptions): Promise<ServerMetadata> {
    const { name, version, extensions } = await this.call('ServerMetadata', {}, options);
    return { name, version, extensions };
  }

  async modelMetadata(model: string, version?: string | number, options?: CallOptions): Promise<ModelMetadata> {
    return convert.modelMetadata(await this.call('ModelMetadata', { name: model, version: versionText(version) }, options));
  }

  /** The config as HTTP's JSON has it (model-config.ts says what that changes from the protobuf message). */
  async modelConfig(model: string, version?: string | number, options?: CallOptions): Promise<ModelConfig> {
    const { config } = await this.call('ModelConfig', { name: model, version: versionText(version) }, options);
    if (config === null) throw new InferenceServerError(`the server sent no config for '${model}'`);
    return modelConfigJson(config);
  }

  /**
   * Runs one inference. The HTTP-only options `binary` and `compression` are ignored (compression is a channel
   * option: GrpcClientOptions.channelOptions).
   */
  async infer(model: string, inputs: readonly InferInput[], options: InferOptions = {}): Promise<InferResult> {
    const response = await this.call('ModelInfer', inferRequest(model, inputs, options), options);
    return inferResultOf(response, sharedMemoryOutputs(options));
  }

  /**
   * Opens a ModelStreamInfer stream: `options.headers` go with the stream, `options.signal` cancels it (the iteration
   * then throws the signal's reason). See InferStream.
   */
  stream(options: CallOptions = {}): InferStream {
    this.checkOpen();
    const call = this.stub.ModelStreamInfer(toMetadata(this.options.headers, options.headers));
    return new InferStream(call, options.signal);
  }

  async repositoryIndex(options: CallOptions & { readonly ready?: boolean } = {}): Promise<RepositoryIndexEntry[]> {
    return convert.repositoryIndex(await this.call('RepositoryIndex', { repository_name: '', ready: options.ready ?? false }, options));
  }

  /** Loads (or reloads) a model: `config` goes as string_param "config", each file as bytes_param "file:<path>". */
  async loadModel(model: string, options: LoadOptions = {}): Promise<void> {
    const parameters: Record<string, ModelRepositoryParameter> = {};
    if (options.config !== undefined) {
      parameters.config = { string_param: typeof options.config === 'string' ? options.config : JSON.stringify(options.config) };
    }
    for (const [path, bytes] of Object.entries(options.files ?? {})) parameters[`file:${path}`] = { bytes_param: bytes };
    await this.call('RepositoryModelLoad', { repository_name: '', model_name: model, parameters }, options);
  }

  async unloadModel(model: string, options: UnloadOptions = {}): Promise<void> {
    const parameters: Record<string, ModelRepositoryParameter> =
      options.unloadDependents === undefined ? {} : { unload_dependents: { bool_param: options.unloadDependents } };
    await this.call('RepositoryModelUnload', { repository_name: '', model_name: model, parameters }, options);
  }

  async modelStatistics(model?: string, version?: string | number, options?: CallOptions): Promise<ModelStatistics[]> {
    const response = await this.call('ModelStatistics', { name: model ?? '', version: versionText(version) }, options);
    return response.model_stats.map(convert.modelStatistics);
  }

  async traceSettings(model?: string, options?: CallOptions): Promise<TraceSettings> {
    return convert.traceSettings(await this.call('TraceSetting', { settings: {}, model_name: model ?? '' }, options));
  }

  /** Changes trace settings; a null value (or an empty list) clears a setting back to the global or default value. */
  async updateTraceSettings(settings: TraceSettingsUpdate, model?: string, options?: CallOptions): Promise<TraceSettings> {
    return convert.traceSettings(await this.call('TraceSetting', convert.traceSettingsRequest(settings, model), options));
  }

  async logSettings(options?: CallOptions): Promise<LogSettings> {
    return convert.logSettings(await this.call('LogSettings', { settings: {} }, options));
  }

  async updateLogSettings(settings: Partial<LogSettings>, options?: CallOptions): Promise<LogSettings> {
    return convert.logSettings(await this.call('LogSettings', convert.logSettingsRequest(settings), options));
  }

  async systemSharedMemoryStatus(region?: string, options?: CallOptions): Promise<SharedMemoryRegionStatus[]> {
    return convert.sharedMemoryStatus(await this.call('SystemSharedMemoryStatus', { name: region ?? '' }, options));
  }

  async registerSystemSharedMemory(region: string, key: string, byteSize: number, offset = 0, options?: CallOptions): Promise<void> {
    await this.call('SystemSharedMemoryRegister', { name: region, key, offset, byte_size: byteSize }, options);
  }

  async unregisterSystemSharedMemory(region?: string, options?: CallOptions): Promise<void> {
    await this.call('SystemSharedMemoryUnregister', { name: region ?? '' }, options);
  }

  /** Closes the channel: calls in flight are cancelled, later calls fail. */
  close(): void {
    this.closed = true;
    this.stub.close();
  }

  private checkOpen(): void {
    if (this.closed) throw new InferenceServerError('the client is closed');
  }

  /** One unary RPC with the client's and the call's metadata and the call's signal (call.ts). */
  private async call<K extends UnaryRpc>(rpc: K, request: RequestOf<K>, options: CallOptions | undefined): Promise<ResponseOf<K>> {
    this.checkOpen();
    return unaryCall(this.stub, rpc, request, toMetadata(this.options.headers, options?.headers), options?.signal);
  }
}

/** The version field: '' lets the server choose. */
function versionText(version: string | number | undefined): string {
  return version === undefined ? '' : String(version);
}
