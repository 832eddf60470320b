/**
 * Token buckets for the per-model and per-client rate limits (config/rate-limits.ts). A request takes one token from
 * its model's bucket and one from its client's; when either is empty it is refused with RESOURCE_EXHAUSTED (HTTP 429
 * with Retry-After) before it reaches the model, and counted on the rate-limit channel. Client buckets are kept for
 * at most MAX_CLIENTS keys per model, the least recently seen dropped first, so memory stays bounded whatever keys
 * clients send.
 */
import type { RateLimit, RateLimits } from '../config/rate-limits.ts';
import { RateLimitedError } from '../protocol/errors.ts';
import type { Parameters } from '../protocol/inference.ts';
import { rateLimitChannel } from './inference-events.ts';
import type { ModelPlan } from './model-plan.ts';
import type { RoutingContext } from './version-router.ts';

const MAX_CLIENTS = 10_000;

class Bucket {
  private tokens: number;
  private last: number;

  constructor(private readonly limit: RateLimit, now: number) {
    this.tokens = limit.burst;
    this.last = now;
  }

  /** Takes a token (0 returned), or says in how many ms one will be back. */
  take(now: number): number {
    this.tokens = Math.min(this.limit.burst, this.tokens + ((now - this.last) / 1000) * this.limit.perSecond);
    this.last = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return ((1 - this.tokens) / this.limit.perSecond) * 1000;
  }
}

export class RateLimiter {
  private readonly models = new Map<string, Bucket>();
  private readonly clients = new Map<string, Map<string, Bucket>>();

  /** Throws RateLimitedError when a bucket of this request is empty. */
  admit(plan: ModelPlan, limits: RateLimits, headers: RoutingContext | undefined, parameters: Parameters | undefined): void {
    const now = performance.now();
    if (limits.client !== undefined) {
      const key = limits.clientKey
        .map((source) => (source.kind === 'header' ? headers?.header(source.name) : parameters?.[source.name] === undefined ? undefined : String(parameters[source.name])))
        .find((value) => value !== undefined && value !== '');
      if (key !== undefined) this.takeOrRefuse(plan, 'client', this.clientBucket(plan.name, key, limits.client, now), now, `client '${key}'`);
    }
    if (limits.model !== undefined) {
      let bucket = this.models.get(plan.name);
      if (bucket === undefined) this.models.set(plan.name, (bucket = new Bucket(limits.model, now)));
      this.takeOrRefuse(plan, 'model', bucket, now, `model '${plan.name}'`);
    }
  }

  private takeOrRefuse(plan: ModelPlan, scope: 'model' | 'client', bucket: Bucket, now: number, who: string): void {
    const waitMs = bucket.take(now);
    if (waitMs === 0) return;
    if (rateLimitChannel.hasSubscribers) rateLimitChannel.publish({ plan, scope });
    throw new RateLimitedError(`rate limit exceeded for ${who}; retry after ${Math.ceil(waitMs / 1000)} s`, Math.max(1, Math.ceil(waitMs / 1000)));
  }

  private clientBucket(model: string, key: string, limit: RateLimit, now: number): Bucket {
    let buckets = this.clients.get(model);
    if (buckets === undefined) this.clients.set(model, (buckets = new Map()));
    let bucket = buckets.get(key);
    if (bucket === undefined) {
      bucket = new Bucket(limit, now);
      if (buckets.size >= MAX_CLIENTS) buckets.delete(buckets.keys().next().value!);
    } else {
      buckets.delete(key);
    }
    buckets.set(key, bucket);
    return bucket;
  }
}
