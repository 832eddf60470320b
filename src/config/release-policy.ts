/**
 * A model's whole gray-release policy from its `nereid.*` parameters (release-parameters.ts): routing, shadow
 * traffic, the rollback guard and rate limits. Read when a model's config is loaded or changed; a malformed value
 * fails that load with INVALID_ARG naming the parameter.
 */
import type { ModelConfig } from './model-config.ts';
import { guardPolicyOf, type GuardPolicy } from './guard-policy.ts';
import { rateLimitsOf, type RateLimits } from './rate-limits.ts';
import { checkReleaseParameters } from './release-parameters.ts';
import { routingPolicyOf, type RoutingPolicy } from './routing-policy.ts';
import { shadowPolicyOf, type ShadowPolicy } from './shadow-policy.ts';

export interface ReleasePolicy {
  readonly routing?: RoutingPolicy;
  readonly shadow?: ShadowPolicy;
  readonly guard?: GuardPolicy;
  readonly rateLimits?: RateLimits;
}

/** The policy, or undefined when the model sets no `nereid.*` parameter. */
export function releasePolicyOf(config: Readonly<ModelConfig>): ReleasePolicy | undefined {
  checkReleaseParameters(config);
  const routing = routingPolicyOf(config);
  const shadow = shadowPolicyOf(config);
  const guard = guardPolicyOf(config);
  const rateLimits = rateLimitsOf(config);
  if (routing === undefined && shadow === undefined && guard === undefined && rateLimits === undefined) return undefined;
  return {
    ...(routing === undefined ? {} : { routing }),
    ...(shadow === undefined ? {} : { shadow }),
    ...(guard === undefined ? {} : { guard }),
    ...(rateLimits === undefined ? {} : { rateLimits }),
  };
}
