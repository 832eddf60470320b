/** The port an ensemble's scheduler runs its steps through; the core's InferenceService implements it. */
import type { ExecutionResult } from '../protocol/execution.ts';
import type { InferRequest, InferResponse } from '../protocol/inference.ts';
import type { ServableVersion } from './model-lookup.ts';

/**
 * What an ensemble's steps run through (the core's InferenceService): find a composing model's version, then run a
 * request on it through its own scheduler, validated and counted as that model's request.
 */
export interface StepRunner {
  /** As ModelLookup.resolve: Triton's errors for unknown models and versions not READY. */
  resolve(name: string, version?: string): ServableVersion;
  /** Runs `request` on `servable`; `onResult` hears the execution's result (its timings) before the response. */
  inferOn(
    servable: ServableVersion,
    modelName: string,
    request: InferRequest,
    onResult?: (result: ExecutionResult) => void,
  ): Promise<InferResponse>;
}
