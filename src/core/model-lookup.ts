/**
 * How the core finds what to run. The repository implements it; the core never imports the repository.
 */
import type { ModelConfig } from '../config/model-config.ts';
import type { ModelPlan } from './model-plan.ts';
import type { Scheduler } from './scheduler-port.ts';
import type { ModelRelease } from './model-release.ts';

/** A READY version: its normalized config and plan (decided at load) and the scheduler that runs its executions. */
export interface ServableVersion {
  readonly config: Readonly<ModelConfig>;
  readonly plan: ModelPlan;
  readonly scheduler: Scheduler;
}

export type VersionState = 'UNKNOWN' | 'READY' | 'LOADING' | 'UNLOADING' | 'UNAVAILABLE';

/** One model version's state, as the repository index and the status table report it. */
export interface ModelStatus {
  readonly name: string;
  /** Absent when the failure happened before any version was known (bad config, duplicate name). */
  readonly version?: number;
  readonly state: VersionState;
  /** Empty when READY; `<Code>: <message>` for failures (Triton's index form); `unloaded` after an unload. */
  readonly reason: string;
}

export interface ModelLookup {
  /**
   * The version to serve. `version` empty, undefined or "-1" → the highest READY version. Throws Triton's errors:
   * NOT_FOUND for unknown models, versions and models with nothing READY; UNAVAILABLE for a version not READY.
   */
  resolve(name: string, version?: string): ServableVersion;
  /** The READY versions of a model, ascending (empty for unknown models). */
  readyVersions(name: string): number[];
  /** Strict readiness: every model's every version READY (an unloaded version is tolerated). */
  allReady(): boolean;
  /** Every model and version with its state, sorted by name then version. */
  statuses(): ModelStatus[];
  /** The model's live gray release (routing, shadow, guard, rate limits), when its parameters set one. */
  release(name: string): ModelRelease | undefined;
}
