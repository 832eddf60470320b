/**
 * The composition root: builds the repository and the inference service from the options. Transports attach here.
 */
import type { ServerOptions } from './options/server-options.ts';
import { defaultMaxBatchSize } from './options/backend-config.ts';
import { InferenceService } from './core/inference-service.ts';
import { detectHostDevices } from './instance/devices.ts';
import { ModelRepository } from './repository/model-repository.ts';

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
