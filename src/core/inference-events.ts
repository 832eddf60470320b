/**
 * What the data path tells observers (statistics, metrics), through node:diagnostics_channel. Events are published
 * only when someone subscribes, and each publisher reuses one mutable event object: subscribers run synchronously
 * and must copy what they keep, so publishing allocates nothing per request. Observers import these types; the
 * data path never imports the observers.
 */
import diagnostics from 'node:diagnostics_channel';
import type { ModelPlan } from './model-plan.ts';
import type { GuardTrigger } from './guard-window.ts';
import type { OutputComparison } from './shadow-comparison.ts';
import type { RouteKind } from './version-router.ts';

/** Triton's failure reasons (the `reason` label of nv_inference_request_failure). */
export type FailureReason = 'REJECTED' | 'CANCELED' | 'BACKEND' | 'OTHER';

/** One inference request that ended, successfully or not. */
export interface RequestEvent {
  /** The version that served (or refused) it: its identity for every observer. */
  plan: ModelPlan;
  ok: boolean;
  /** Meaningful when !ok. */
  failureReason: FailureReason;
  /** From the core receiving the request to its response (or error), in ns. */
  durationNs: number;
  /** Waiting in the scheduler's queue, in ns (0 when it never ran). */
  queueNs: number;
  /** The compute times of the execution it ran in (0 when it never ran), in ns. */
  computeInputNs: number;
  computeInferNs: number;
  computeOutputNs: number;
  /** Wall clock at the end, ms since the epoch. */
  endedAtMs: number;
  /** The response cache: 'hit' (answered from it, never ran), 'miss' (looked up, ran, stored) or 'none'. */
  cache: 'none' | 'hit' | 'miss';
  /** Time spent in the cache (hit: the lookup; miss: lookup and insertion), in ns. */
  cacheNs: number;
}

/** One model execution (a batch of one or more requests). */
export interface ExecutionEvent {
  plan: ModelPlan;
  /** Batch elements in the execution: the sum of its requests' batch sizes (1 each for non-batching models). */
  batchSize: number;
  /** Requests in the execution. */
  requestCount: number;
  /**
   * Rows the execution carried for no request: the sequence batcher's not-ready slots (Triton's null requests). They
   * count in the execution's batch size (batch_stats), not in inference_count.
   */
  paddingRows: number;
  computeInputNs: number;
  computeInferNs: number;
  computeOutputNs: number;
}

/** A version finished loading. */
export interface ModelLoadEvent {
  plan: ModelPlan;
  seconds: number;
}

export const requestChannel = diagnostics.channel('nereid:request');
export const executionChannel = diagnostics.channel('nereid:execution');
export const modelLoadChannel = diagnostics.channel('nereid:model-load');
/** A request refused by a rate limit (`scope`: the model's bucket or the client's). */
export const rateLimitChannel = diagnostics.channel('nereid:rate-limit');

export interface RateLimitEvent {
  readonly plan: ModelPlan;
  readonly scope: 'model' | 'client';
}

/** A request that named no version, routed by its model's gray-release policy (version-router.ts). */
export const releaseRouteChannel = diagnostics.channel('nereid:release-route');

export interface ReleaseRouteEvent {
  model: string;
  version: number;
  route: RouteKind;
}

/** A shadow copy that was compared with its primary, failed, or was dropped because too many were running. */
export const shadowChannel = diagnostics.channel('nereid:shadow');

export interface ShadowEvent {
  readonly model: string;
  readonly primaryVersion: number;
  readonly shadowVersion: number;
  readonly outcome: 'compared' | 'failed' | 'dropped';
  /** Per output, when compared. */
  readonly comparisons: readonly OutputComparison[];
}

/** The rollback guard rolled a version back (`rolledBack`), or a new policy cleared its rollback. */
export const guardChannel = diagnostics.channel('nereid:guard');

export interface GuardEvent {
  readonly model: string;
  readonly version: number;
  readonly rolledBack: boolean;
  readonly trigger: GuardTrigger | 'policy_changed';
  readonly reason: string;
}
