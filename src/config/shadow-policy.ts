/**
 * Shadow traffic, configured in a model's `parameters`: a share of the requests that name no version is also run on
 * a candidate version, whose answer is compared with the primary's and thrown away.
 *
 *   nereid.shadow.version       "2"     the version the copies run on
 *   nereid.shadow.percent       "10"    the share of requests copied, 0 to 100 (default 100)
 *   nereid.shadow.max_inflight  "16"    copies running at once; a copy beyond that is dropped and counted (default 16)
 */
import type { ModelConfig } from './model-config.ts';
import { parameterText } from './release-parameters.ts';
import { bad, parseVersion } from './routing-policy.ts';

export interface ShadowPolicy {
  readonly version: number;
  /** 0 to 100. */
  readonly percent: number;
  readonly maxInflight: number;
}

export const DEFAULT_SHADOW_INFLIGHT = 16;

export function shadowPolicyOf(config: Readonly<ModelConfig>): ShadowPolicy | undefined {
  const version = parameterText(config, 'nereid.shadow.version');
  const percent = parameterText(config, 'nereid.shadow.percent');
  const inflight = parameterText(config, 'nereid.shadow.max_inflight');
  if (version === undefined) {
    const orphan = percent !== undefined ? 'nereid.shadow.percent' : inflight !== undefined ? 'nereid.shadow.max_inflight' : undefined;
    if (orphan !== undefined) throw bad(config.name, orphan, "needs 'nereid.shadow.version'");
    return undefined;
  }
  if (config.sequence_batching !== undefined) {
    throw bad(config.name, 'nereid.shadow.version', 'cannot be used with sequence_batching: a copy would run a sequence step twice');
  }
  return {
    version: parseVersion(config.name, 'nereid.shadow.version', version),
    percent: percent === undefined ? 100 : numberIn(config.name, 'nereid.shadow.percent', percent, 0, 100),
    maxInflight: inflight === undefined ? DEFAULT_SHADOW_INFLIGHT : integerAtLeast(config.name, 'nereid.shadow.max_inflight', inflight, 1),
  };
}

/** A decimal number within [min, max]; INVALID_ARG naming `key` otherwise. */
export function numberIn(model: string, key: string, text: string, min: number, max: number): number {
  const value = Number(text.trim());
  if (text.trim() === '' || !Number.isFinite(value) || value < min || value > max) throw bad(model, key, `expects a number from ${min} to ${max}, got '${text}'`);
  return value;
}

/** An integer of at least `min`; INVALID_ARG naming `key` otherwise. */
export function integerAtLeast(model: string, key: string, text: string, min: number): number {
  if (!/^\d+$/.test(text.trim()) || Number(text.trim()) < min) throw bad(model, key, `expects an integer of at least ${min}, got '${text}'`);
  return Number(text.trim());
}
