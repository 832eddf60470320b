/**
 * Per-model and per-client rate limits, configured in a model's `parameters` beside its routing policy (the API-gateway
 * job, done in the server):
 *
 *   nereid.rate_limit.model       "200/s"          the model's requests, all clients together
 *   nereid.rate_limit.client      "10/s:20"        each client's requests (optional burst after ':', default the rate)
 *   nereid.rate_limit.client_key  "header:x-api-key,parameter:client"   where a request's client key is read
 *
 * Rates are `<n>/s` or `<n>/m`. Malformed values are INVALID_ARG naming the parameter. Unlimited by default.
 */
import { invalidArg } from '../protocol/errors.ts';
import type { ModelConfig } from './model-config.ts';
import { parseSource, type RoutingSource } from './routing-policy.ts';

/** A token bucket's shape: `perSecond` tokens refilled each second, at most `burst` held. */
export interface RateLimit {
  readonly perSecond: number;
  readonly burst: number;
}

export interface RateLimits {
  readonly model?: RateLimit;
  readonly client?: RateLimit;
  readonly clientKey: readonly RoutingSource[];
}

export function rateLimitsOf(config: Readonly<ModelConfig>): RateLimits | undefined {
  const params = config.parameters ?? {};
  const text = (key: string): string | undefined => params[key]?.string_value;
  const model = text('nereid.rate_limit.model');
  const client = text('nereid.rate_limit.client');
  const key = text('nereid.rate_limit.client_key');
  if (model === undefined && client === undefined) {
    if (key !== undefined) throw invalidArg(`model '${config.name}': parameter 'nereid.rate_limit.client_key' needs 'nereid.rate_limit.client'`);
    return undefined;
  }
  if (client !== undefined && key === undefined) {
    throw invalidArg(`model '${config.name}': parameter 'nereid.rate_limit.client' needs 'nereid.rate_limit.client_key' (where the client key is read)`);
  }
  return {
    ...(model === undefined ? {} : { model: parseRate(config.name, 'nereid.rate_limit.model', model) }),
    ...(client === undefined ? {} : { client: parseRate(config.name, 'nereid.rate_limit.client', client) }),
    clientKey: key === undefined ? [] : key.split(',').map((s) => parseSource(config.name, 'nereid.rate_limit.client_key', s.trim())),
  };
}

function parseRate(model: string, key: string, text: string): RateLimit {
  const match = /^\s*(\d+(?:\.\d+)?)\s*\/\s*([sm])\s*(?::\s*(\d+))?\s*$/.exec(text);
  if (match === null || Number(match[1]) <= 0) throw invalidArg(`model '${model}': parameter '${key}' expects <n>/s or <n>/m with an optional :<burst>, got '${text}'`);
  const perSecond = Number(match[1]) / (match[2] === 'm' ? 60 : 1);
  const burst = match[3] === undefined ? Math.max(1, Math.ceil(Number(match[1]))) : Number(match[3]);
  if (burst < 1) throw invalidArg(`model '${model}': parameter '${key}' has a burst below 1`);
  return { perSecond, burst };
}
