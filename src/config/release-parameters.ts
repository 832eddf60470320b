/**
 * The `nereid.*` model parameters: gray release (routing, shadow traffic, the rollback guard) and rate limits. They
 * live in config.pbtxt's `parameters`, which tritonserver ignores, so the same repository still loads there. They
 * change no session, so a config that differs from the serving one only in these applies without reloading a version.
 * Any other `nereid.*` key is refused, naming it (never ignored).
 */
import { unsupported } from '../protocol/errors.ts';
import type { ModelConfig } from './model-config.ts';

export const RELEASE_PARAMETERS: readonly string[] = [
  'nereid.routing.weights', 'nereid.routing.rules', 'nereid.routing.sticky', 'nereid.routing.primary',
  'nereid.shadow.version', 'nereid.shadow.percent', 'nereid.shadow.max_inflight',
  'nereid.guard.window', 'nereid.guard.min_requests', 'nereid.guard.max_error_ratio_increase', 'nereid.guard.max_p99_ratio',
  'nereid.guard.max_shadow_disagreement', 'nereid.guard.shadow_tolerance',
  'nereid.rate_limit.model', 'nereid.rate_limit.client', 'nereid.rate_limit.client_key',
];

const KNOWN = new Set(RELEASE_PARAMETERS);

/** Whether a parameter key is nereid's own (and so never reaches a session). */
export function isReleaseParameter(key: string): boolean {
  return key.startsWith('nereid.');
}

/** UNSUPPORTED naming the first `nereid.*` parameter nereid does not know. */
export function checkReleaseParameters(config: Readonly<ModelConfig>): void {
  for (const key of Object.keys(config.parameters ?? {})) {
    if (isReleaseParameter(key) && !KNOWN.has(key)) {
      throw unsupported(`model '${config.name}': parameter '${key}' is not supported: nereid knows ${RELEASE_PARAMETERS.join(', ')}`);
    }
  }
}

/** A parameter's string value, or undefined when it is not set. */
export function parameterText(config: Readonly<ModelConfig>, key: string): string | undefined {
  return config.parameters?.[key]?.string_value;
}

/** The config's parameters without the `nereid.*` ones: what the sessions and the schedulers depend on. */
export function sessionParameters(config: Readonly<ModelConfig>): Record<string, { string_value: string }> {
  return Object.fromEntries(Object.entries(config.parameters ?? {}).filter(([key]) => !isReleaseParameter(key)));
}
