/**
 * One model's live gray release: its policy (config/release-policy.ts) and everything it has seen since the policy
 * was applied — the requests each version served and how they were routed, each version's last outcomes for the
 * rollback guard, the shadow copies in flight and their comparisons, and the versions the guard rolled back. A new
 * policy starts a new ModelRelease (so a rollback stays until the policy is changed); the same policy applied again
 * keeps this one.
 */
import type { ReleasePolicy } from '../config/release-policy.ts';
import { primaryVersion, type RoutingPolicy } from '../config/routing-policy.ts';
import type { Parameters } from '../protocol/inference.ts';
import { AgreementWindow, guardVerdict, OutcomeWindow, type GuardTrigger } from './guard-window.ts';
import { guardChannel, releaseRouteChannel, shadowChannel, type ReleaseRouteEvent } from './inference-events.ts';
import { RateLimiter } from './rate-limiter.ts';
import { agrees, type OutputComparison } from './shadow-comparison.ts';
import { effectiveWeights, mergeVersions, missingVersions, VersionRouter, type RouteChoice, type RouteKind, type RoutingContext } from './version-router.ts';

/** Where a release reports what an operator must know (the repository hands in the log). */
export type ReleaseReporter = (level: 'info' | 'warn', message: string) => void;

interface Rollback {
  readonly trigger: GuardTrigger;
  readonly reason: string;
  readonly atMs: number;
}

const ROUTES: readonly RouteKind[] = ['rule', 'sticky', 'weight', 'default'];
const NO_ROUTE: RouteChoice = { version: undefined, route: 'default' };

export class ModelRelease {
  readonly limiter = new RateLimiter();
  readonly appliedAtMs = Date.now();
  private readonly router = new VersionRouter();
  private readonly outcomes = new Map<number, OutcomeWindow>();
  private readonly agreement = new Map<number, AgreementWindow>();
  private readonly rollbacks = new Map<number, Rollback>();
  private readonly excluded = new Set<number>();
  private readonly served = new Map<number, Record<RouteKind, number>>();
  private readonly shadowCounts = { compared: 0, failed: 0, dropped: 0 };
  private shadowCredit = 0;
  private shadowInflight = 0;
  private reportedMissing = '';
  /** The READY versions the last routed request saw, ascending. */
  private loaded: readonly number[] = [];
  /** The effective weights for `loaded` and the rollbacks (version-router.ts), in line order and merged per version. */
  private weights: RoutingPolicy['weights'] = [];
  private merged: RoutingPolicy['weights'] = [];
  private readonly routeEvent: ReleaseRouteEvent = { model: '', version: 0, route: 'default' };

  /** `parameters`: the `nereid.*` parameters the policy was read from, shown by the status. */
  constructor(
    readonly model: string,
    readonly policy: ReleasePolicy,
    readonly parameters: Readonly<Record<string, string>>,
    private readonly report: ReleaseReporter,
  ) {}

  /** The version for a request that names none (undefined: the default, the latest loaded). */
  route(loaded: readonly number[], headers: RoutingContext | undefined, parameters: Parameters | undefined): RouteChoice {
    const routing = this.policy.routing;
    if (!sameVersions(loaded, this.loaded)) this.loadedChanged(loaded);
    if (routing === undefined) return NO_ROUTE;
    return this.router.chooseWith(routing, this.weights, this.merged, this.loaded, headers, parameters, this.excluded);
  }

  /** The loaded versions changed (or a version was rolled back): the weights actually served are worked out again. */
  private loadedChanged(loaded: readonly number[]): void {
    this.loaded = loaded;
    const routing = this.policy.routing;
    if (routing === undefined) return;
    this.weights = effectiveWeights(routing.weights, loaded, this.excluded);
    this.merged = mergeVersions(this.weights);
    const missing = missingVersions(routing, loaded);
    const key = missing.join(',');
    if (key !== this.reportedMissing) {
      this.reportedMissing = key;
      if (missing.length > 0) this.report('warn', `gray release of '${this.model}': ${this.missingNote(missing, loaded)}`);
    }
  }

  /** Counts a routed request on the version that took it. */
  countServed(version: number, route: RouteKind): void {
    let counts = this.served.get(version);
    if (counts === undefined) this.served.set(version, (counts = { rule: 0, sticky: 0, weight: 0, default: 0 }));
    counts[route]++;
    if (releaseRouteChannel.hasSubscribers) {
      const event = this.routeEvent;
      event.model = this.model;
      event.version = version;
      event.route = route;
      releaseRouteChannel.publish(event);
    }
  }

  /** Whether the guard keeps a window of outcomes (so the caller need not time requests otherwise). */
  get guarded(): boolean {
    return this.policy.guard !== undefined;
  }

  /** The outcome of a routed request or of a shadow copy on `version`; the guard judges the version afterwards. */
  recordOutcome(version: number, ok: boolean, latencyMs: number): void {
    const guard = this.policy.guard;
    if (guard === undefined) return;
    let window = this.outcomes.get(version);
    if (window === undefined) this.outcomes.set(version, (window = new OutcomeWindow(guard.window)));
    window.record(ok, latencyMs);
    this.judge(version);
  }

  /**
   * The version a shadow copy of a request served by `servedVersion` should run on, or undefined: no shadow policy,
   * the shadow version not loaded, rolled back or the one that served, or this request outside the shadow share
   * (every 100/percent-th request is copied, counted, so the share is exact).
   */
  shadowTarget(servedVersion: number): number | undefined {
    const shadow = this.policy.shadow;
    if (shadow === undefined || shadow.version === servedVersion || !this.loaded.includes(shadow.version) || this.excluded.has(shadow.version)) return undefined;
    this.shadowCredit += shadow.percent;
    if (this.shadowCredit < 100) return undefined;
    this.shadowCredit -= 100;
    return shadow.version;
  }

  /** Takes a place for a shadow copy; false (counted as dropped) when max_inflight copies are already running. */
  startShadow(primaryVersion: number, shadowVersion: number): boolean {
    if (this.shadowInflight >= this.policy.shadow!.maxInflight) {
      this.shadowCounts.dropped++;
      if (shadowChannel.hasSubscribers) shadowChannel.publish({ model: this.model, primaryVersion, shadowVersion, outcome: 'dropped', comparisons: [] });
      return false;
    }
    this.shadowInflight++;
    return true;
  }

  /**
   * A shadow copy ended: compared with the primary's outputs, failed, or skipped because the primary failed (nothing
   * to compare with).
   */
  endShadow(primaryVersion: number, shadowVersion: number, result: readonly OutputComparison[] | 'failed' | 'skipped'): void {
    this.shadowInflight--;
    if (result === 'skipped') return;
    const outcome = result === 'failed' ? 'failed' : 'compared';
    const comparisons = result === 'failed' ? undefined : result;
    this.shadowCounts[outcome]++;
    if (shadowChannel.hasSubscribers) shadowChannel.publish({ model: this.model, primaryVersion, shadowVersion, outcome, comparisons: comparisons ?? [] });
    const guard = this.policy.guard;
    if (guard === undefined || comparisons === undefined) return;
    let window = this.agreement.get(shadowVersion);
    if (window === undefined) this.agreement.set(shadowVersion, (window = new AgreementWindow(guard.window)));
    window.record(agrees(comparisons, guard.shadowTolerance));
    this.judge(shadowVersion);
  }

  /** The version the guard compares candidates with: the routing's primary, else the latest loaded. */
  get primary(): number | undefined {
    const routing = this.policy.routing;
    const configured = routing === undefined ? undefined : primaryVersion(routing);
    return configured ?? this.loaded[this.loaded.length - 1];
  }

  private judge(version: number): void {
    const guard = this.policy.guard!;
    const primary = this.primary;
    if (version === primary || this.rollbacks.has(version)) return;
    const verdict = guardVerdict(guard, this.outcomes.get(version), primary === undefined ? undefined : this.outcomes.get(primary), this.agreement.get(version));
    if (verdict === undefined) return;
    this.rollbacks.set(version, { ...verdict, atMs: Date.now() });
    this.excluded.add(version);
    this.loadedChanged(this.loaded);
    this.report('warn', `gray release of '${this.model}': version ${version} rolled back by the guard (its share is now 0 until the policy changes): ${verdict.reason}`);
    if (guardChannel.hasSubscribers) guardChannel.publish({ model: this.model, version, rolledBack: true, trigger: verdict.trigger, reason: verdict.reason });
  }

  /** The versions the guard rolled back. */
  rolledBack(): number[] {
    return [...this.rollbacks.keys()];
  }

  /** What the repository index shows on a version's row (undefined: nothing to say). */
  noteFor(version: number, loaded: readonly number[]): string | undefined {
    const rollback = this.rollbacks.get(version);
    if (rollback !== undefined) return `gray release: rolled back by the guard: ${rollback.reason}`;
    const routing = this.policy.routing;
    if (routing === undefined || version !== loaded[loaded.length - 1]) return undefined;
    const missing = missingVersions(routing, loaded);
    return missing.length === 0 ? undefined : `gray release: ${this.missingNote(missing, loaded)}`;
  }

  private missingNote(missing: readonly number[], loaded: readonly number[]): string {
    const latest = loaded[loaded.length - 1];
    const names = missing.length === 1 ? `version ${missing[0]}, which is` : `versions ${missing.join(', ')}, which are`;
    return `the routing policy names ${names} not loaded; its share is served by ${latest === undefined ? 'no version' : `version ${latest} (the latest loaded)`}`;
  }

  /** The live state, as the release status endpoints answer it. */
  status(loaded: readonly number[]): ReleaseStatus {
    const routing = this.policy.routing;
    const weights = routing === undefined ? [] : effectiveWeights(routing.weights, loaded, this.excluded);
    const totalWeight = weights.reduce((n, w) => n + w.weight, 0);
    const servedTotal = [...this.served.values()].reduce((n, c) => n + ROUTES.reduce((m, r) => m + c[r], 0), 0);
    const shadow = this.policy.shadow;
    const versions = new Set<number>([...loaded, ...(routing?.weights.map((w) => w.version) ?? []), ...(shadow === undefined ? [] : [shadow.version])]);
    const guard = this.policy.guard;
    return {
      name: this.model,
      parameters: { ...this.parameters },
      applied_at: new Date(this.appliedAtMs).toISOString(),
      primary_version: this.primary === undefined ? null : String(this.primary),
      missing_versions: routing === undefined ? [] : missingVersions(routing, loaded).map(String),
      versions: [...versions].sort((a, b) => a - b).map((version) => {
        const counts = this.served.get(version) ?? { rule: 0, sticky: 0, weight: 0, default: 0 };
        const total = ROUTES.reduce((n, r) => n + counts[r], 0);
        const window = this.outcomes.get(version);
        const rollback = this.rollbacks.get(version);
        return {
          version: String(version),
          loaded: loaded.includes(version),
          weight: routing?.weights.find((w) => w.version === version)?.weight ?? 0,
          effective_share: totalWeight === 0 ? 0 : weights.filter((w) => w.version === version).reduce((n, w) => n + w.weight, 0) / totalWeight,
          served: { ...counts, total },
          served_share: servedTotal === 0 ? 0 : total / servedTotal,
          ...(window === undefined ? {} : { window: { requests: window.count, errors: window.errors, error_ratio: window.errorRatio, p99_ms: window.p99Ms() } }),
          rolled_back: rollback === undefined ? null : { trigger: rollback.trigger, reason: rollback.reason, at: new Date(rollback.atMs).toISOString() },
        };
      }),
      shadow: shadow === undefined ? null : {
        version: String(shadow.version),
        percent: shadow.percent,
        max_inflight: shadow.maxInflight,
        inflight: this.shadowInflight,
        ...this.shadowCounts,
        ...(this.agreement.get(shadow.version) === undefined ? {} : {
          window: { comparisons: this.agreement.get(shadow.version)!.count, disagreement_ratio: this.agreement.get(shadow.version)!.disagreementRatio },
        }),
      },
      guard: guard === undefined ? null : {
        window: guard.window,
        min_requests: guard.minRequests,
        max_error_ratio_increase: guard.maxErrorRatioIncrease ?? null,
        max_p99_ratio: guard.maxP99Ratio ?? null,
        max_shadow_disagreement: guard.maxShadowDisagreement ?? null,
        shadow_tolerance: guard.shadowTolerance,
      },
    };
  }
}

/** The release status as JSON (snake_case, as the v2 API's own bodies). */
export interface ReleaseStatus {
  readonly name: string;
  readonly parameters: Record<string, string>;
  readonly applied_at: string;
  readonly primary_version: string | null;
  readonly missing_versions: readonly string[];
  readonly versions: readonly {
    readonly version: string;
    readonly loaded: boolean;
    readonly weight: number;
    readonly effective_share: number;
    readonly served: Record<RouteKind | 'total', number>;
    readonly served_share: number;
    readonly window?: { requests: number; errors: number; error_ratio: number; p99_ms: number };
    readonly rolled_back: { trigger: GuardTrigger; reason: string; at: string } | null;
  }[];
  readonly shadow: {
    version: string;
    percent: number;
    max_inflight: number;
    inflight: number;
    compared: number;
    failed: number;
    dropped: number;
    window?: { comparisons: number; disagreement_ratio: number };
  } | null;
  readonly guard: {
    window: number;
    min_requests: number;
    max_error_ratio_increase: number | null;
    max_p99_ratio: number | null;
    max_shadow_disagreement: number | null;
    shadow_tolerance: number;
  } | null;
}

function sameVersions(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
