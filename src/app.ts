/**
 * The composition root: builds the repository and the inference service from the options, and starts the transports
 * the options enable.
 */
import type { ServerOptions } from './options/server-options.ts';
import { defaultMaxBatchSize } from './options/backend-config.ts';
import { InferenceService } from './core/inference-service.ts';
import { detectHostDevices } from './instance/devices.ts';
import { ModelRepository } from './repository/model-repository.ts';
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
  readonly http?: HttpEndpoint;
}

/** Starts every enabled endpoint (`--allow-http`, ...), logging where each listens, as Triton does. */
export async function startEndpoints(app: App, options: ServerOptions): Promise<Endpoints> {
  if (!options.allowHttp) return {};
  const http = await HttpEndpoint.start(app, {
    port: options.httpPort,
    address: options.httpAddress,
    maxInputSize: options.httpMaxInputSize,
    strictReadiness: options.strictReadiness,
    serverId: options.serverId,
  });
  log.info(`Started HTTPService at ${options.httpAddress}:${http.port}`);
  return { http };
}

export async function stopEndpoints(endpoints: Endpoints): Promise<void> {
  await endpoints.http?.close();
}
