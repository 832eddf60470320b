/**
 * The statistics extension's store: observes the data path's request and execution events and answers Triton's
 * model statistics query. State is kept per loaded version, keyed by its plan object, so a reloaded version starts
 * from zero and an unloaded one is collected with its plan.
 */
import { executionChannel, requestChannel, type ExecutionEvent, type RequestEvent } from '../core/inference-events.ts';
import type { ModelLookup } from '../core/model-lookup.ts';
import type { ModelPlan } from '../core/model-plan.ts';
import { invalidArg } from '../protocol/errors.ts';
import { parseModelVersion } from './model-version-string.ts';
import type { ModelStatisticsJson } from './statistics-json.ts';
import { VersionStatistics } from './version-statistics.ts';

export type { ModelStatisticsJson } from './statistics-json.ts';

export class StatisticsStore {
  private readonly versions = new WeakMap<ModelPlan, VersionStatistics>();
  private readonly onRequest = (message: unknown): void => {
    const event = message as RequestEvent;
    this.of(event.plan).onRequest(event);
  };
  private readonly onExecution = (message: unknown): void => {
    const event = message as ExecutionEvent;
    this.of(event.plan).onExecution(event);
  };

  /** Subscribes to the channels. */
  constructor() {
    requestChannel.subscribe(this.onRequest);
    executionChannel.subscribe(this.onExecution);
  }

  /** Unsubscribes. What was gathered stays readable. */
  close(): void {
    requestChannel.unsubscribe(this.onRequest);
    executionChannel.unsubscribe(this.onExecution);
  }

  /**
   * Triton's `model_stats` entries. No name (or '') → every model's READY versions, by name then version (a version
   * is then ignored); a name → its READY versions, or only `version` when given. Throws INVALID_ARG (HTTP 400) as
   * Triton does for a bad version string, a model with nothing READY, and a version that is not READY.
   */
  modelStatistics(lookup: ModelLookup, name?: string, version?: string): ModelStatisticsJson[] {
    const requested = parseModelVersion(version ?? '');
    const targets: { name: string; version: number }[] = [];
    if (name === undefined || name === '') {
      for (const row of lookup.statuses()) {
        if (row.state === 'READY' && row.version !== undefined) targets.push({ name: row.name, version: row.version });
      }
      targets.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.version - b.version));
    } else {
      const ready = lookup.readyVersions(name);
      if (ready.length === 0) throw invalidArg(`requested model '${name}' is not available`);
      if (requested === -1) {
        for (const v of ready) targets.push({ name, version: v });
      } else if (ready.includes(requested)) {
        targets.push({ name, version: requested });
      } else {
        throw invalidArg(`requested model version is not available for model '${name}'`);
      }
    }
    return targets.map((t) => {
      const { plan } = lookup.resolve(t.name, String(t.version));
      return this.versions.get(plan)?.json(t.name, t.version) ?? VersionStatistics.empty(t.name, t.version);
    });
  }

  private of(plan: ModelPlan): VersionStatistics {
    let stats = this.versions.get(plan);
    if (stats === undefined) {
      stats = new VersionStatistics();
      this.versions.set(plan, stats);
    }
    return stats;
  }
}
