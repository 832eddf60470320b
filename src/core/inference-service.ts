/**
 * The in-process inference API that every transport calls: find the version, validate the request once against the
 * plan, hand the execution to the version's scheduler and shape the response. No wire formats here.
 */
import type { InferRequest, InferResponse, OutputTensor } from '../protocol/inference.ts';
import type { WireTensor } from '../instance/messages.ts';
import type { ModelLookup } from './model-lookup.ts';
import { reshapeFromModel, reshapeToModel } from './model-plan.ts';
import { validateRequest } from './validate-request.ts';

export class InferenceService {
  constructor(private readonly lookup: ModelLookup) {}

  /** Runs `request` on model `modelName` (version: empty/undefined = the highest READY one). Throws ServerError. */
  async infer(modelName: string, version: string | undefined, request: InferRequest): Promise<InferResponse> {
    const { plan, scheduler } = this.lookup.resolve(modelName, version);
    const { inputs: inputPlans, outputs: wanted } = validateRequest(plan, request);
    const batched = plan.maxBatchSize > 0;

    const inputs: WireTensor[] = request.inputs.map((input, i) => {
      const tensor = inputPlans[i]!;
      const shape = tensor.reshape === undefined ? input.shape : reshapeToModel(input.shape, tensor, batched);
      return { name: input.name, datatype: input.datatype, shape, data: input.data };
    });
    const result = await scheduler.enqueue({
      inputs,
      outputNames: wanted.map((o) => o.name),
      ...(request.signal === undefined ? {} : { signal: request.signal }),
    });

    const outputs: OutputTensor[] = result.outputs.map((output, i) => {
      const tensor = wanted[i]!;
      const shape = tensor.reshape === undefined ? output.shape : reshapeFromModel(output.shape, tensor, batched);
      return { name: tensor.name, datatype: tensor.datatype, shape, data: output.data };
    });
    return {
      modelName,
      modelVersion: String(plan.version),
      ...(request.id ? { id: request.id } : {}),
      outputs,
    };
  }
}
