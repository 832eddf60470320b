/**
 * How the core finds what to run. The repository implements it; the core never imports the repository.
 */
import type { Scheduler } from '../scheduler/scheduler.ts';
import type { ModelPlan } from './model-plan.ts';

/** A READY version: its plan (decided at load) and the scheduler that runs its executions. */
export interface ServableVersion {
  readonly plan: ModelPlan;
  readonly scheduler: Scheduler;
}

export interface ModelLookup {
  /**
   * The version to serve. `version` empty, undefined or "-1" → the highest READY version. Throws Triton's errors:
   * NOT_FOUND for unknown models, versions and models with nothing READY; UNAVAILABLE for a version not READY.
   */
  resolve(name: string, version?: string): ServableVersion;
}
