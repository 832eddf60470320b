/**
 * Gray release, configured in a model's `parameters` (which tritonserver ignores, so the repository still loads
 * there): how requests that name no version are spread over the loaded versions.
 *
 *   nereid.routing.weights  "1:95,2:5"   share of each version, in this order (the order also lays out sticky ranges)
 *   nereid.routing.rules    "header:x-canary=yes->2;parameter:cohort=beta->2"   matched first, in order
 *   nereid.routing.sticky   "header:x-user-id,parameter:user_id"   where a request's routing key is read (first found)
 *
 * Any other `nereid.*` parameter is refused, naming it (never ignored). Malformed values are INVALID_ARG naming the
 * parameter.
 */
import { invalidArg, unsupported } from '../protocol/errors.ts';
import type { ModelConfig } from './model-config.ts';

/** Where a routing value is read from: an HTTP header / gRPC metadata entry, or a request parameter. */
export interface RoutingSource {
  readonly kind: 'header' | 'parameter';
  /** Header names are lower case. */
  readonly name: string;
}

export interface RoutingRule extends RoutingSource {
  readonly value: string;
  readonly version: number;
}

export interface RoutingPolicy {
  /** Versions with their weights, in the configured order. */
  readonly weights: readonly { readonly version: number; readonly weight: number }[];
  readonly rules: readonly RoutingRule[];
  readonly sticky: readonly RoutingSource[];
}

/** Every `nereid.*` parameter nereid reads (rate-limits.ts reads the rate_limit ones). */
const KEYS = new Set([
  'nereid.routing.weights', 'nereid.routing.rules', 'nereid.routing.sticky',
  'nereid.rate_limit.model', 'nereid.rate_limit.client', 'nereid.rate_limit.client_key',
]);

/** The model's routing policy, or undefined when its parameters set none. */
export function routingPolicyOf(config: Readonly<ModelConfig>): RoutingPolicy | undefined {
  const params = config.parameters ?? {};
  for (const key of Object.keys(params)) {
    if (key.startsWith('nereid.') && !KEYS.has(key)) {
      throw unsupported(`model '${config.name}': parameter '${key}' is not supported: nereid knows ${[...KEYS].join(', ')}`);
    }
  }
  const text = (key: string): string | undefined => params[key]?.string_value;
  const weightsText = text('nereid.routing.weights');
  const rulesText = text('nereid.routing.rules');
  const stickyText = text('nereid.routing.sticky');
  if (weightsText === undefined && rulesText === undefined && stickyText === undefined) return undefined;
  return {
    weights: weightsText === undefined ? [] : parseWeights(config.name, weightsText),
    rules: rulesText === undefined ? [] : parseRules(config.name, rulesText),
    sticky: stickyText === undefined ? [] : stickyText.split(',').map((s) => parseSource(config.name, 'nereid.routing.sticky', s.trim())),
  };
}

function bad(model: string, key: string, why: string): Error {
  return invalidArg(`model '${model}': parameter '${key}' ${why}`);
}

function parseVersion(model: string, key: string, text: string): number {
  if (!/^\d+$/.test(text.trim())) throw bad(model, key, `names version '${text.trim()}', which is not a version number`);
  return Number(text.trim());
}

function parseWeights(model: string, text: string): RoutingPolicy['weights'] {
  const key = 'nereid.routing.weights';
  const weights = text.split(',').filter((part) => part.trim() !== '').map((part) => {
    const [version, weight, extra] = part.split(':');
    if (weight === undefined || extra !== undefined) throw bad(model, key, `expects <version>:<weight> pairs, got '${part.trim()}'`);
    if (!/^\d+(\.\d+)?$/.test(weight.trim())) throw bad(model, key, `has weight '${weight.trim()}', which is not a non-negative number`);
    return { version: parseVersion(model, key, version!), weight: Number(weight.trim()) };
  });
  if (new Set(weights.map((w) => w.version)).size !== weights.length) throw bad(model, key, 'names a version twice');
  if (weights.length === 0 || weights.every((w) => w.weight === 0)) throw bad(model, key, 'gives no version a share');
  return weights;
}

/** `header:<name>` or `parameter:<name>`; INVALID_ARG naming `key` otherwise. */
export function parseSource(model: string, key: string, text: string): RoutingSource {
  const colon = text.indexOf(':');
  const kind = text.slice(0, colon);
  const name = text.slice(colon + 1).trim();
  if (colon < 0 || (kind !== 'header' && kind !== 'parameter') || name === '') {
    throw bad(model, key, `expects header:<name> or parameter:<name>, got '${text}'`);
  }
  return { kind, name: kind === 'header' ? name.toLowerCase() : name };
}

function parseRules(model: string, text: string): RoutingRule[] {
  const key = 'nereid.routing.rules';
  return text.split(';').filter((part) => part.trim() !== '').map((part) => {
    const arrow = part.lastIndexOf('->');
    const equals = part.indexOf('=');
    if (arrow < 0 || equals < 0 || equals > arrow) throw bad(model, key, `expects <header|parameter>:<name>=<value>-><version>, got '${part.trim()}'`);
    const source = parseSource(model, key, part.slice(0, equals).trim());
    return { ...source, value: part.slice(equals + 1, arrow).trim(), version: parseVersion(model, key, part.slice(arrow + 2)) };
  });
}
