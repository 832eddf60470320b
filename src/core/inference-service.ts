/**
 * The in-process inference API that every transport calls: find the version, validate the request once against the
 * plan, hand the execution to the version's scheduler and shape the response. No wire formats here. Each request
 * that passes validation ends with one RequestEvent for the observers.
 */
import { asServerError, type ErrorCode } from '../protocol/errors.ts';
import type { InferRequest, InferResponse, OutputTensor, ParameterValue, Parameters } from '../protocol/inference.ts';
import type { ExecutionResult } from '../protocol/execution.ts';
import type { WireTensor } from '../protocol/wire-tensor.ts';
import { requestChannel, type FailureReason, type RequestEvent } from './inference-events.ts';
import type { ModelLookup } from './model-lookup.ts';
import { reshapeFromModel, reshapeToModel, type ModelPlan } from './model-plan.ts';
import { validateRequest } from './validate-request.ts';

/** Request parameter asking for the batch a request ran in; the response then carries the two below. */
export const BATCH_INFO_PARAMETER = 'nereid_batch_info';
export const BATCH_SIZE_PARAMETER = 'nereid_batch_size';
export const QUEUE_TIME_PARAMETER = 'nereid_queue_time_us';

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
};

function publishRequest(plan: ModelPlan, startedAt: number, result: ExecutionResult | undefined, error: unknown): void {
  if (!requestChannel.hasSubscribers) return;
  const now = performance.now();
  event.plan = plan;
  event.ok = result !== undefined;
  event.failureReason = result === undefined ? FAILURE_REASON[asServerError(error).code] : 'OTHER';
  event.durationNs = Math.round((now - startedAt) * 1e6);
  event.queueNs = result?.queueNs ?? 0;
  event.computeInputNs = result?.timings.computeInputNs ?? 0;
  event.computeInferNs = result?.timings.computeInferNs ?? 0;
  event.computeOutputNs = result?.timings.computeOutputNs ?? 0;
  event.endedAtMs = performance.timeOrigin + now;
  requestChannel.publish(event);
}

/** A non-negative integer parameter (priority, timeout), 0 when absent. */
function integerParameter(value: ParameterValue | undefined): number {
  if (value === undefined || typeof value === 'boolean') return 0;
  const n = Number(value);
  return Number.isFinite(n) && n > 0 ? n : 0;
}

export class InferenceService {
  constructor(private readonly lookup: ModelLookup) {}

  /** Runs `request` on model `modelName` (version: empty/undefined = the highest READY one). Throws ServerError. */
  async infer(modelName: string, version: string | undefined, request: InferRequest): Promise<InferResponse> {
    const startedAt = performance.now();
    const { plan, scheduler } = this.lookup.resolve(modelName, version);
    // A request refused by validation never reaches the model: Triton 2.51 counts it nowhere (statistics, metrics).
    const { inputs: inputPlans, outputs: wanted, batchSize } = validateRequest(plan, request);
    let result: ExecutionResult | undefined;
    try {
      const batched = plan.maxBatchSize > 0;
      const inputs: WireTensor[] = request.inputs.map((input, i) => {
        const tensor = inputPlans[i]!;
        const shape = tensor.reshape === undefined ? input.shape : reshapeToModel(input.shape, tensor, batched);
        return { name: input.name, datatype: input.datatype, shape, data: input.data };
      });
      const parameters = request.parameters;
      result = await scheduler.enqueue({
        inputs,
        outputNames: wanted.map((o) => o.name),
        batchSize,
        priority: integerParameter(parameters?.priority),
        timeoutUs: integerParameter(parameters?.timeout),
        ...(request.signal === undefined ? {} : { signal: request.signal }),
      });
      const outputs: OutputTensor[] = result.outputs.map((output, i) => {
        const tensor = wanted[i]!;
        const shape = tensor.reshape === undefined ? output.shape : reshapeFromModel(output.shape, tensor, batched);
        return { name: tensor.name, datatype: tensor.datatype, shape, data: output.data };
      });
      publishRequest(plan, startedAt, result, undefined);
      return {
        modelName,
        modelVersion: String(plan.version),
        ...(request.id ? { id: request.id } : {}),
        outputs,
        ...(parameters?.[BATCH_INFO_PARAMETER] === true ? { parameters: batchInfo(result) } : {}),
      };
    } catch (error) {
      if (result === undefined) publishRequest(plan, startedAt, undefined, error);
      throw error;
    }
  }
}

function batchInfo(result: ExecutionResult): Parameters {
  return { [BATCH_SIZE_PARAMETER]: result.batchSize, [QUEUE_TIME_PARAMETER]: Math.round(result.queueNs / 1000) };
}
