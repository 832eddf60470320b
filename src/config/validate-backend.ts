/**
 * The name / platform / backend part of core `ValidateModelConfig`, shared by the server-side fill (which Triton runs
 * at repository poll time) and the full validation.
 */
import { invalidArg } from '../protocol/errors.ts';
import { backendTypeOf, backendTypeOfPlatform, ENSEMBLE_PLATFORM } from './backend-kinds.ts';
import type { ModelConfig } from './model-config.ts';

/** Throws Triton's INVALID_ARG error when name, platform or backend are missing or do not belong together. */
export function validateBackendFields(config: Readonly<ModelConfig>): void {
  const { name, platform, backend } = config;
  if (name === '') throw invalidArg("model configuration must specify 'name'");
  if (backend === '') {
    if (platform !== ENSEMBLE_PLATFORM) throw invalidArg(`unexpected platform type '${platform}' for ${name}`);
  } else if (platform === ENSEMBLE_PLATFORM) {
    throw invalidArg(`Ensemble model '${name}' must have platform type '${platform}' and empty backend type`);
  }
  if (platform === '' && backend === '') throw invalidArg(`must specify 'platform' or 'backend' for '${name}'`);
  // A known backend must match the platform's backend type; unknown backends accept any platform.
  const type = backendTypeOf(backend);
  if (type !== 'unknown' && type !== backendTypeOfPlatform(platform)) {
    throw invalidArg(`unexpected 'platform' and 'backend' pair, got:${platform}, ${backend}`);
  }
}
