/**
 * The composition root: builds the repository and the inference service from the options, and starts the transports
 * the options enable.
 */
import type { ServerOptions } from './options/server-options.ts';
import { defaultMaxBatchSize } from './options/backend-config.ts';
import { InferenceService } from './core/inference-service.ts';
import { detectHostDevices } from './instance/devices.ts';
import { ModelRepository } from './repository/model-repository.ts';
import { GrpcEndpoint } from './transport/grpc/grpc-endpoint.ts';
import { HttpEndpoint } from './transport/http/http-endpoint.ts';
import { log } from './observe/log.ts';

export interface App {
  readonly repository: ModelRepository;
  readonly inference: InferenceService;
}

export function createApp(options: ServerOptions): App {
  const devices = detectHostDevices();
  const repository = new ModelRepository({
    repositories: options.modelRepositories,
    pipeline: { autoComplete: options.autoCompleteConfig, defaultMaxBatchSize: defaultMaxBatchSize(options), devices },
    ...(options.modelConfigName === undefined ? {} : { modelConfigName: options.modelConfigName }),
  });
  return { repository, inference: new InferenceService(repository) };
}

/** The transports that are listening. */
export interface Endpoints {
  http?: HttpEndpoint;
  grpc?: GrpcEndpoint;
}

/** Starts every enabled endpoint (`--allow-grpc`, `--allow-http`), logging where each listens, as Triton does. */
export async function startEndpoints(app: App, options: ServerOptions): Promise<Endpoints> {
  const endpoints: Endpoints = {};
  try {
    if (options.allowGrpc) {
      endpoints.grpc = await GrpcEndpoint.start(app, {
        port: options.grpcPort,
        address: options.grpcAddress,
        serverId: options.serverId,
        strictReadiness: options.strictReadiness,
        tls: options.grpcTls,
      });
      log.info(`Started GRPCInferenceService at ${options.grpcAddress}:${endpoints.grpc.port}`);
    }
    if (options.allowHttp) {
      endpoints.http = await HttpEndpoint.start(app, {
        port: options.httpPort,
        address: options.httpAddress,
        maxInputSize: options.httpMaxInputSize,
        strictReadiness: options.strictReadiness,
        serverId: options.serverId,
      });
      log.info(`Started HTTPService at ${options.httpAddress}:${endpoints.http.port}`);
    }
  } catch (error) {
    await stopEndpoints(endpoints);
    throw error;
  }
  return endpoints;
}

export async function stopEndpoints(endpoints: Endpoints): Promise<void> {
  await Promise.all([endpoints.http?.close(), endpoints.grpc?.close()]);
}
