/**
 * Chooses the version for a request that names none, by its model's routing policy (config/routing-policy.ts):
 * 1. the first rule whose header or parameter equals its value, when that version is loaded and not rolled back;
 * 2. with a routing key (the first sticky source the request carries): its FNV-1a hash picks a point in [0, 10000),
 *    and the versions own consecutive ranges of that line in the configured order, sized by their shares. Raising one
 *    version's share only moves the boundary after it, so with the candidate listed first every key on it stays on it;
 * 3. otherwise smooth weighted round robin, which serves the shares exactly over every sum-of-weights requests.
 * The share of a version that is not loaded is served by the latest loaded version (the default a request naming no
 * version gets); a rolled-back version's share drops to 0 and the others' are renormalized. One router per model.
 */
import type { RoutingPolicy, RoutingSource } from '../config/routing-policy.ts';
import type { Parameters } from '../protocol/inference.ts';

/** What a request offers for routing: its headers (HTTP) or metadata (gRPC), by lower-case name. */
export interface RoutingContext {
  header(name: string): string | undefined;
}

/** How a request was routed (the `route` label of nereid_release_routed_total). */
export type RouteKind = 'rule' | 'sticky' | 'weight' | 'default';

export interface RouteChoice {
  /** The version to serve; undefined leaves the default (the latest loaded). */
  readonly version: number | undefined;
  readonly route: RouteKind;
}

const LINE = 10_000;
const DEFAULT: RouteChoice = { version: undefined, route: 'default' };

export class VersionRouter {
  /** Smooth weighted round robin's running weights. */
  private readonly current = new Map<number, number>();

  /** `loaded`: the READY versions, ascending; `excluded`: rolled-back versions, which get nothing. */
  choose(
    policy: RoutingPolicy,
    loaded: readonly number[],
    context: RoutingContext | undefined,
    parameters: Parameters | undefined,
    excluded: ReadonlySet<number> = new Set(),
  ): RouteChoice {
    const weights = effectiveWeights(policy.weights, loaded, excluded);
    return this.chooseWith(policy, weights, mergeVersions(weights), loaded, context, parameters, excluded);
  }

  /**
   * choose() with the effective weights computed once by the caller (they change only with the loaded versions or a
   * rollback): `weights` in line order for sticky keys, `merged` one entry per version for round robin.
   */
  chooseWith(
    policy: RoutingPolicy,
    weights: RoutingPolicy['weights'],
    merged: RoutingPolicy['weights'],
    loaded: readonly number[],
    context: RoutingContext | undefined,
    parameters: Parameters | undefined,
    excluded: ReadonlySet<number>,
  ): RouteChoice {
    for (const rule of policy.rules) {
      if (loaded.includes(rule.version) && !excluded.has(rule.version) && read(rule, context, parameters) === rule.value) return { version: rule.version, route: 'rule' };
    }
    if (weights.length === 0) return DEFAULT;
    for (const source of policy.sticky) {
      const key = read(source, context, parameters);
      if (key !== undefined && key !== '') return { version: stickyVersion(key, weights), route: 'sticky' };
    }
    return { version: this.roundRobin(merged), route: 'weight' };
  }

  private roundRobin(weights: RoutingPolicy['weights']): number {
    const current = this.current;
    const total = weights.reduce((n, w) => n + w.weight, 0);
    let best = weights[0]!;
    for (const w of weights) {
      current.set(w.version, (current.get(w.version) ?? 0) + w.weight);
      if (current.get(w.version)! > current.get(best.version)!) best = w;
    }
    current.set(best.version, current.get(best.version)! - total);
    return best.version;
  }
}

/**
 * The weights actually served: rolled-back versions dropped, and the share of a version that is not loaded moved to
 * the latest loaded one (in that version's place on the sticky line, so keys elsewhere keep their version).
 */
export function effectiveWeights(weights: RoutingPolicy['weights'], loaded: readonly number[], excluded: ReadonlySet<number>): RoutingPolicy['weights'] {
  const latest = [...loaded].reverse().find((v) => !excluded.has(v));
  const served: { version: number; weight: number }[] = [];
  for (const w of weights) {
    if (w.weight <= 0 || excluded.has(w.version)) continue;
    const version = loaded.includes(w.version) ? w.version : latest;
    if (version !== undefined) served.push({ version, weight: w.weight });
  }
  return served;
}

/** One entry per version (a fallback can give a version several), weights summed. */
export function mergeVersions(weights: RoutingPolicy['weights']): RoutingPolicy['weights'] {
  if (new Set(weights.map((w) => w.version)).size === weights.length) return weights;
  const sums = new Map<number, number>();
  for (const w of weights) sums.set(w.version, (sums.get(w.version) ?? 0) + w.weight);
  return [...sums].map(([version, weight]) => ({ version, weight }));
}

/** The versions a policy names that are not loaded. */
export function missingVersions(policy: RoutingPolicy, loaded: readonly number[]): number[] {
  const named = new Set([...policy.weights.filter((w) => w.weight > 0).map((w) => w.version), ...policy.rules.map((r) => r.version)]);
  return [...named].filter((v) => !loaded.includes(v)).sort((a, b) => a - b);
}

function read(source: RoutingSource, context: RoutingContext | undefined, parameters: Parameters | undefined): string | undefined {
  if (source.kind === 'header') return context?.header(source.name);
  const value = parameters?.[source.name];
  return value === undefined ? undefined : String(value);
}

/** The version whose range of the line holds the key's point (a version may own several ranges after a fallback). */
export function stickyVersion(key: string, weights: RoutingPolicy['weights']): number {
  const point = fnv1a(key) % LINE;
  const total = weights.reduce((n, w) => n + w.weight, 0);
  let end = 0;
  for (const w of weights) {
    end += (w.weight / total) * LINE;
    if (point < end) return w.version;
  }
  return weights[weights.length - 1]!.version;
}

function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}
