/**
 * Gray release, configured in a model's `parameters` (which tritonserver ignores, so the repository still loads
 * there): how requests that name no version are spread over the loaded versions.
 *
 *   nereid.routing.weights  "1:95,2:5"   share of each version, in this order (the order also lays out sticky ranges)
 *   nereid.routing.rules    "header:x-canary=yes->2;parameter:cohort=beta->2"   matched first, in order
 *   nereid.routing.sticky   "header:x-user-id,parameter:user_id"   where a request's routing key is read (first found)
 *   nereid.routing.primary  "1"   the version in production, which the guard compares the others with (default: the
 *                                 version with the largest weight, the lowest one on a tie)
 *
 * Any other `nereid.*` parameter is refused, naming it (never ignored). Malformed values are INVALID_ARG naming the
 * parameter.
 */
import { invalidArg } from '../protocol/errors.ts';
import type { ModelConfig } from './model-config.ts';
import { checkReleaseParameters, parameterText } from './release-parameters.ts';

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
  /** `nereid.routing.primary`, when set. */
  readonly primary?: number;
}

/** The model's routing policy, or undefined when its parameters set none. */
export function routingPolicyOf(config: Readonly<ModelConfig>): RoutingPolicy | undefined {
  checkReleaseParameters(config);
  const text = (key: string): string | undefined => parameterText(config, key);
  const weightsText = text('nereid.routing.weights');
  const rulesText = text('nereid.routing.rules');
  const stickyText = text('nereid.routing.sticky');
  const primaryText = text('nereid.routing.primary');
  if (weightsText === undefined && rulesText === undefined && stickyText === undefined) {
    if (primaryText !== undefined) throw bad(config.name, 'nereid.routing.primary', "needs 'nereid.routing.weights'");
    return undefined;
  }
  const weights = weightsText === undefined ? [] : parseWeights(config.name, weightsText);
  const policy = {
    weights,
    rules: rulesText === undefined ? [] : parseRules(config.name, rulesText),
    sticky: stickyText === undefined ? [] : stickyText.split(',').map((s) => parseSource(config.name, 'nereid.routing.sticky', s.trim())),
  };
  if (primaryText === undefined) return policy;
  const primary = parseVersion(config.name, 'nereid.routing.primary', primaryText);
  if (!weights.some((w) => w.version === primary)) throw bad(config.name, 'nereid.routing.primary', `names version ${primary}, which 'nereid.routing.weights' does not`);
  return { ...policy, primary };
}

/** The version in production: the configured primary, else the one with the largest weight (the lowest on a tie). */
export function primaryVersion(policy: RoutingPolicy): number | undefined {
  if (policy.primary !== undefined) return policy.primary;
  let best: RoutingPolicy['weights'][number] | undefined;
  for (const w of policy.weights) if (best === undefined || w.weight > best.weight || (w.weight === best.weight && w.version < best.version)) best = w;
  return best?.version;
}

export function bad(model: string, key: string, why: string): Error {
  return invalidArg(`model '${model}': parameter '${key}' ${why}`);
}

export function parseVersion(model: string, key: string, text: string): number {
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
