/**
 * Publishes one RequestEvent per request that reached a model (inference or warmup), reusing a single event object
 * (nothing allocated per request).
 */
import { asServerError, type ErrorCode } from '../protocol/errors.ts';
import type { ExecutionResult } from '../protocol/execution.ts';
import { requestChannel, type FailureReason, type RequestEvent } from './inference-events.ts';
import type { ModelPlan } from './model-plan.ts';

/** The failure reason each error code is counted under (Triton's nv_inference_request_failure reasons). */
const FAILURE_REASON: Readonly<Record<ErrorCode, FailureReason>> = {
  UNAVAILABLE: 'REJECTED',
  CANCELLED: 'CANCELED',
  INTERNAL: 'BACKEND',
  INVALID_ARG: 'OTHER',
  NOT_FOUND: 'OTHER',
  UNSUPPORTED: 'OTHER',
  ALREADY_EXISTS: 'OTHER',
  UNKNOWN: 'OTHER',
  RESOURCE_EXHAUSTED: 'REJECTED',
};

const event: RequestEvent = {
  plan: undefined as unknown as ModelPlan,
  ok: true,
  failureReason: 'OTHER',
  durationNs: 0,
  queueNs: 0,
  computeInputNs: 0,
  computeInferNs: 0,
  computeOutputNs: 0,
  endedAtMs: 0,
  cache: 'none',
  cacheNs: 0,
};

const FAILURE_REASONS: readonly unknown[] = ['REJECTED', 'CANCELED', 'BACKEND', 'OTHER'];
const isFailureReason = (value: unknown): value is FailureReason => FAILURE_REASONS.includes(value);

/**
 * A request of `plan` that started at `startedAt` and ended at `endedAt` (performance.now() times; default now): with
 * `result` when it succeeded, else with `error` (or the failure reason to count it under, where the code would not say);
 * `cache` when the response cache was looked up (a hit has a result with no queue and compute times).
 */
export function publishRequest(
  plan: ModelPlan,
  startedAt: number,
  result: Pick<ExecutionResult, 'queueNs' | 'timings'> | undefined,
  error: unknown,
  endedAt?: number,
  cache?: { readonly hit: boolean; readonly ns: number },
): void {
  if (!requestChannel.hasSubscribers) return;
  const now = endedAt ?? performance.now();
  event.plan = plan;
  event.ok = result !== undefined;
  event.failureReason = result !== undefined ? 'OTHER' : isFailureReason(error) ? error : FAILURE_REASON[asServerError(error).code];
  event.durationNs = Math.round((now - startedAt) * 1e6);
  event.queueNs = result?.queueNs ?? 0;
  event.computeInputNs = result?.timings.computeInputNs ?? 0;
  event.computeInferNs = result?.timings.computeInferNs ?? 0;
  event.computeOutputNs = result?.timings.computeOutputNs ?? 0;
  event.endedAtMs = performance.timeOrigin + now;
  event.cache = cache === undefined ? 'none' : cache.hit ? 'hit' : 'miss';
  event.cacheNs = cache?.ns ?? 0;
  requestChannel.publish(event);
}
