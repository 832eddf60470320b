/**
 * The automatic rollback guard, configured in a model's `parameters`. It watches each candidate (every version in the
 * routing weights other than the primary, and the shadow version) over the last `window` requests routed to it, and
 * rolls it back (its share drops to 0 until the policy changes) when, with at least `min_requests` of them seen:
 *
 *   nereid.guard.max_error_ratio_increase  "0.05"  its error ratio exceeds the primary's by more than this
 *   nereid.guard.max_p99_ratio             "2"     its p99 latency exceeds the primary's times this
 *   nereid.guard.max_shadow_disagreement   "0.01"  more than this share of its shadow comparisons disagree (an argmax
 *                                                  differs, or an element differs by more than shadow_tolerance)
 *   nereid.guard.window                    "200"   requests (and shadow comparisons) kept per version (default 200)
 *   nereid.guard.min_requests              "20"    fewest requests before a verdict (default 20)
 *   nereid.guard.shadow_tolerance          "1e-5"  largest element difference that still agrees (default 1e-5)
 *
 * At least one threshold must be set for the guard to exist.
 */
import type { ModelConfig } from './model-config.ts';
import { parameterText } from './release-parameters.ts';
import { bad } from './routing-policy.ts';
import { integerAtLeast, numberIn } from './shadow-policy.ts';

export interface GuardPolicy {
  readonly window: number;
  readonly minRequests: number;
  readonly maxErrorRatioIncrease?: number;
  readonly maxP99Ratio?: number;
  readonly maxShadowDisagreement?: number;
  readonly shadowTolerance: number;
}

const DEFAULT_WINDOW = 200;
const DEFAULT_MIN_REQUESTS = 20;
const DEFAULT_TOLERANCE = 1e-5;

export function guardPolicyOf(config: Readonly<ModelConfig>): GuardPolicy | undefined {
  const text = (key: string): string | undefined => parameterText(config, key);
  const errors = text('nereid.guard.max_error_ratio_increase');
  const p99 = text('nereid.guard.max_p99_ratio');
  const disagreement = text('nereid.guard.max_shadow_disagreement');
  const window = text('nereid.guard.window');
  const minRequests = text('nereid.guard.min_requests');
  const tolerance = text('nereid.guard.shadow_tolerance');
  if (errors === undefined && p99 === undefined && disagreement === undefined) {
    const orphan = [['nereid.guard.window', window], ['nereid.guard.min_requests', minRequests], ['nereid.guard.shadow_tolerance', tolerance]].find(([, v]) => v !== undefined);
    if (orphan !== undefined) throw bad(config.name, orphan[0]!, 'needs a guard threshold (nereid.guard.max_error_ratio_increase, max_p99_ratio or max_shadow_disagreement)');
    return undefined;
  }
  if (parameterText(config, 'nereid.routing.weights') === undefined && parameterText(config, 'nereid.shadow.version') === undefined) {
    throw bad(config.name, 'nereid.guard.*', "needs 'nereid.routing.weights' or 'nereid.shadow.version': there is no candidate to watch");
  }
  if (disagreement !== undefined && parameterText(config, 'nereid.shadow.version') === undefined) {
    throw bad(config.name, 'nereid.guard.max_shadow_disagreement', "needs 'nereid.shadow.version'");
  }
  const windowSize = window === undefined ? DEFAULT_WINDOW : integerAtLeast(config.name, 'nereid.guard.window', window, 1);
  const fewest = minRequests === undefined ? Math.min(DEFAULT_MIN_REQUESTS, windowSize) : integerAtLeast(config.name, 'nereid.guard.min_requests', minRequests, 1);
  if (fewest > windowSize) throw bad(config.name, 'nereid.guard.min_requests', `is larger than the window (${windowSize})`);
  return {
    window: windowSize,
    minRequests: fewest,
    ...(errors === undefined ? {} : { maxErrorRatioIncrease: numberIn(config.name, 'nereid.guard.max_error_ratio_increase', errors, 0, 1) }),
    ...(p99 === undefined ? {} : { maxP99Ratio: numberIn(config.name, 'nereid.guard.max_p99_ratio', p99, 1, 1e6) }),
    ...(disagreement === undefined ? {} : { maxShadowDisagreement: numberIn(config.name, 'nereid.guard.max_shadow_disagreement', disagreement, 0, 1) }),
    shadowTolerance: tolerance === undefined ? DEFAULT_TOLERANCE : numberIn(config.name, 'nereid.guard.shadow_tolerance', tolerance, 0, Number.MAX_VALUE),
  };
}
