/**
 * Chooses the version for a request that names none, by its model's routing policy (config/routing-policy.ts):
 * 1. the first rule whose header or parameter equals its value, when that version is loaded;
 * 2. with a routing key (the first sticky source the request carries): its FNV-1a hash picks a point in [0, 10000),
 *    and the versions own consecutive ranges of that line in the configured order, sized by their shares. Raising one
 *    version's share only moves the boundary after it, so with the candidate listed first every key on it stays on it;
 * 3. otherwise smooth weighted round robin, which serves the shares exactly over every sum-of-weights requests.
 * Versions the policy names that are not loaded are left out and the others' shares renormalized; when none is
 * loaded the highest loaded version serves (the caller's default). Requests that name a version never come here.
 */
import type { RoutingPolicy, RoutingSource } from '../config/routing-policy.ts';
import type { Parameters } from '../protocol/inference.ts';

/** What a request offers for routing: its headers (HTTP) or metadata (gRPC), by lower-case name. */
export interface RoutingContext {
  header(name: string): string | undefined;
}

const LINE = 10_000;

export class VersionRouter {
  /** Smooth weighted round robin's running weights, per model. */
  private readonly current = new Map<string, Map<number, number>>();

  /** The version to serve, or undefined to leave the default (the highest loaded). */
  choose(model: string, policy: RoutingPolicy, loaded: readonly number[], context: RoutingContext | undefined, parameters: Parameters | undefined): number | undefined {
    const isLoaded = (version: number): boolean => loaded.includes(version);
    for (const rule of policy.rules) {
      if (isLoaded(rule.version) && read(rule, context, parameters) === rule.value) return rule.version;
    }
    const weights = policy.weights.filter((w) => w.weight > 0 && isLoaded(w.version));
    if (weights.length === 0) return undefined;
    const key = policy.sticky.map((source) => read(source, context, parameters)).find((value) => value !== undefined && value !== '');
    if (key !== undefined) return stickyVersion(key, weights);
    return this.roundRobin(model, weights);
  }

  private roundRobin(model: string, weights: RoutingPolicy['weights']): number {
    let current = this.current.get(model);
    if (current === undefined) this.current.set(model, (current = new Map()));
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

function read(source: RoutingSource, context: RoutingContext | undefined, parameters: Parameters | undefined): string | undefined {
  if (source.kind === 'header') return context?.header(source.name);
  const value = parameters?.[source.name];
  return value === undefined ? undefined : String(value);
}

/** The version whose range of the line holds the key's point. */
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
