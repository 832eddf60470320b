/**
 * The rollback guard's memory and verdict (config/guard-policy.ts): per version, the outcomes and latencies of the
 * last N requests, and per shadow version whether the last N comparisons agreed. Counts, not clocks: a verdict
 * depends only on what was recorded, so the same traffic always gives the same verdict.
 */
import type { GuardPolicy } from '../config/guard-policy.ts';

/** A ring of the last `size` request outcomes of one version. */
export class OutcomeWindow {
  private readonly failed: Uint8Array;
  private readonly latencyMs: Float64Array;
  private next = 0;
  private filled = 0;
  private failures = 0;

  constructor(readonly size: number) {
    this.failed = new Uint8Array(size);
    this.latencyMs = new Float64Array(size);
  }

  record(ok: boolean, latencyMs: number): void {
    if (this.filled === this.size) this.failures -= this.failed[this.next]!;
    else this.filled++;
    this.failed[this.next] = ok ? 0 : 1;
    this.latencyMs[this.next] = latencyMs;
    this.failures += ok ? 0 : 1;
    this.next = (this.next + 1) % this.size;
  }

  get count(): number {
    return this.filled;
  }

  get errors(): number {
    return this.failures;
  }

  get errorRatio(): number {
    return this.filled === 0 ? 0 : this.failures / this.filled;
  }

  /** The 99th percentile latency of the kept requests (nearest rank), 0 when none. */
  p99Ms(): number {
    if (this.filled === 0) return 0;
    const sorted = this.latencyMs.slice(0, this.filled).sort();
    return sorted[Math.ceil(0.99 * this.filled) - 1]!;
  }
}

/** A ring of whether the last `size` shadow comparisons of one version agreed with the primary. */
export class AgreementWindow {
  private readonly disagreed: Uint8Array;
  private next = 0;
  private filled = 0;
  private disagreements = 0;

  constructor(readonly size: number) {
    this.disagreed = new Uint8Array(size);
  }

  record(agrees: boolean): void {
    if (this.filled === this.size) this.disagreements -= this.disagreed[this.next]!;
    else this.filled++;
    this.disagreed[this.next] = agrees ? 0 : 1;
    this.disagreements += agrees ? 0 : 1;
    this.next = (this.next + 1) % this.size;
  }

  get count(): number {
    return this.filled;
  }

  get disagreementRatio(): number {
    return this.filled === 0 ? 0 : this.disagreements / this.filled;
  }
}

export type GuardTrigger = 'error_ratio' | 'p99_latency' | 'shadow_disagreement';

export interface GuardVerdict {
  readonly trigger: GuardTrigger;
  readonly reason: string;
}

/**
 * Whether a candidate must be rolled back, judged against the primary: undefined while it is within every threshold
 * or has too few requests (comparisons) in its window. `primary` is undefined when the primary is not loaded.
 */
export function guardVerdict(
  policy: GuardPolicy,
  candidate: OutcomeWindow | undefined,
  primary: OutcomeWindow | undefined,
  shadow: AgreementWindow | undefined,
): GuardVerdict | undefined {
  const enough = (n: number | undefined): boolean => n !== undefined && n >= policy.minRequests;
  if (candidate !== undefined && enough(candidate.count)) {
    const base = primary?.errorRatio ?? 0;
    if (policy.maxErrorRatioIncrease !== undefined && candidate.errorRatio - base > policy.maxErrorRatioIncrease) {
      return {
        trigger: 'error_ratio',
        reason: `error ratio ${fixed(candidate.errorRatio)} over its last ${candidate.count} requests exceeds the primary's ${fixed(base)} ` +
          `by more than ${policy.maxErrorRatioIncrease}`,
      };
    }
    if (policy.maxP99Ratio !== undefined && primary !== undefined && enough(primary.count)) {
      const [mine, theirs] = [candidate.p99Ms(), primary.p99Ms()];
      if (mine > theirs * policy.maxP99Ratio) {
        return {
          trigger: 'p99_latency',
          reason: `p99 latency ${fixed(mine)} ms over its last ${candidate.count} requests exceeds ${policy.maxP99Ratio} times the primary's ${fixed(theirs)} ms`,
        };
      }
    }
  }
  if (policy.maxShadowDisagreement !== undefined && shadow !== undefined && enough(shadow.count) && shadow.disagreementRatio > policy.maxShadowDisagreement) {
    return {
      trigger: 'shadow_disagreement',
      reason: `shadow disagreement ${fixed(shadow.disagreementRatio)} over its last ${shadow.count} comparisons exceeds ${policy.maxShadowDisagreement}`,
    };
  }
  return undefined;
}

function fixed(n: number): string {
  return n.toFixed(3);
}
