/** Publishes one ExecutionEvent per model execution, reusing a single event object (nothing allocated per batch). */
import { executionChannel, type ExecutionEvent } from '../core/inference-events.ts';
import type { ModelPlan } from '../core/model-plan.ts';
import type { RunTimings } from '../protocol/execution.ts';

const event: ExecutionEvent = { plan: undefined as unknown as ModelPlan, batchSize: 0, requestCount: 0, paddingRows: 0, computeInputNs: 0, computeInferNs: 0, computeOutputNs: 0 };

/** `paddingRows`: rows run for no request (the sequence batcher's not-ready slots). */
export function publishExecution(plan: ModelPlan, batchSize: number, requestCount: number, timings: RunTimings, paddingRows = 0): void {
  if (!executionChannel.hasSubscribers) return;
  event.plan = plan;
  event.batchSize = batchSize;
  event.requestCount = requestCount;
  event.paddingRows = paddingRows;
  event.computeInputNs = timings.computeInputNs;
  event.computeInferNs = timings.computeInferNs;
  event.computeOutputNs = timings.computeOutputNs;
  executionChannel.publish(event);
}
