/**
 * The models being served and the state of each version (LOADING, READY, UNLOADING, UNAVAILABLE with a reason).
 * Loads everything found in the repositories at start-up and answers the core's lookups.
 */
import type { PipelineOptions } from '../config/pipeline.ts';
import type { ModelLookup, ModelStatus, ServableVersion, VersionState } from '../core/model-lookup.ts';

export type { ModelStatus, VersionState } from '../core/model-lookup.ts';
import { asServerError, ERROR_CODE_NAMES, invalidArg, notFound, ServerError, unavailable } from '../protocol/errors.ts';
import { log } from '../observe/log.ts';
import { readModelConfig } from './config-reader.ts';
import { listVersionDirs, scanRepositories, type ModelLocation } from './scanner.ts';
import { selectVersions } from './version-policy.ts';
import { loadVersion, unloadVersion, type LoadedVersion } from './version-loader.ts';


export interface RepositoryOptions {
  readonly repositories: readonly string[];
  readonly pipeline: PipelineOptions;
  readonly modelConfigName?: string;
  /** How many models load at once (Triton's --model-load-thread-count). */
  readonly loadConcurrency?: number;
}


interface VersionEntry {
  state: VersionState;
  reason: string;
  loaded?: LoadedVersion;
}

interface ModelEntry {
  readonly name: string;
  /** A failure that stopped the model before its versions were known. */
  failure?: string;
  readonly versions: Map<number, VersionEntry>;
}

export class ModelRepository implements ModelLookup {
  private readonly models = new Map<string, ModelEntry>();

  constructor(private readonly options: RepositoryOptions) {}

  /** Scans the repositories and loads every model, a few at a time. */
  async loadAll(): Promise<void> {
    const scan = scanRepositories(this.options.repositories);
    for (const name of scan.duplicates) {
      this.models.set(name, { name, failure: 'model appears in two or more repositories', versions: new Map() });
    }
    const queue = [...scan.models];
    const workers = Array.from({ length: this.options.loadConcurrency ?? 4 }, async () => {
      for (let next = queue.shift(); next !== undefined; next = queue.shift()) await this.loadModel(next);
    });
    await Promise.all(workers);
  }

  resolve(name: string, version?: string): ServableVersion {
    const entry = this.models.get(name);
    if (entry === undefined) throw notFound(`Request for unknown model: '${name}' is not found`);
    if (version === undefined || version === '' || version === '-1') {
      let best: VersionEntry | undefined;
      let bestVersion = -1;
      for (const [v, e] of entry.versions) if (e.state === 'READY' && v > bestVersion) [best, bestVersion] = [e, v];
      if (best?.loaded === undefined) throw notFound(`Request for unknown model: '${name}' has no available versions`);
      return best.loaded;
    }
    if (!/^[0-9]+$/.test(version)) throw invalidArg(`failed to parse model version '${version}' of model '${name}'`);
    const v = Number(version);
    const e = entry.versions.get(v);
    if (e === undefined) throw notFound(`Request for unknown model: '${name}' version ${v} is not found`);
    if (e.state !== 'READY' || e.loaded === undefined) {
      throw unavailable(`Request for unknown model: '${name}' version ${v} is not at ready state`);
    }
    return e.loaded;
  }

  /** Every model and version with its state, sorted by name then version. */
  statuses(): ModelStatus[] {
    const rows: ModelStatus[] = [];
    for (const entry of [...this.models.values()].sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (entry.failure !== undefined) rows.push({ name: entry.name, state: 'UNAVAILABLE', reason: entry.failure });
      for (const [version, e] of [...entry.versions].sort(([a], [b]) => a - b)) {
        rows.push({ name: entry.name, version, state: e.state, reason: e.reason });
      }
    }
    return rows;
  }

  readyVersions(name: string): number[] {
    const entry = this.models.get(name);
    if (entry === undefined) return [];
    return [...entry.versions].filter(([, e]) => e.state === 'READY').map(([v]) => v).sort((a, b) => a - b);
  }

  /** Strict readiness: every model's every version READY (an unloaded version is tolerated). */
  allReady(): boolean {
    return this.statuses().every((row) => row.state === 'READY' || (row.state === 'UNAVAILABLE' && row.reason === 'unloaded'));
  }

  /** Unloads everything, letting in-flight executions finish. */
  async unloadAll(): Promise<void> {
    const pending: Promise<void>[] = [];
    for (const entry of this.models.values()) {
      for (const e of entry.versions.values()) {
        const loaded = e.loaded;
        if (loaded === undefined) continue;
        e.state = 'UNLOADING';
        pending.push(
          unloadVersion(loaded).then(() => {
            e.loaded = undefined;
            e.state = 'UNAVAILABLE';
            e.reason = 'unloaded';
          }),
        );
      }
    }
    await Promise.all(pending);
  }

  private async loadModel(location: ModelLocation): Promise<void> {
    const entry: ModelEntry = { name: location.name, versions: new Map() };
    this.models.set(location.name, entry);
    let versions: number[];
    let filled;
    try {
      filled = readModelConfig(location.dir, location.name, {
        autoComplete: this.options.pipeline.autoComplete,
        ...(this.options.modelConfigName === undefined ? {} : { modelConfigName: this.options.modelConfigName }),
      });
      const dirs = listVersionDirs(location.dir);
      for (const name of dirs.ignored) {
        log.warn(`ignoring '${name}' in model '${location.name}': a version directory name must be a non-negative integer without leading zeros`);
      }
      versions = selectVersions(filled.version_policy, dirs.versions, location.name);
    } catch (error) {
      entry.failure = reasonOf(error);
      log.error(`failed to load '${location.name}': ${entry.failure}`);
      return;
    }
    await Promise.all(
      versions.map(async (version) => {
        const e: VersionEntry = { state: 'LOADING', reason: '' };
        entry.versions.set(version, e);
        log.info(`loading: ${location.name}:${version}`);
        try {
          e.loaded = await loadVersion({ modelName: location.name, modelDir: location.dir, version, filledConfig: filled }, this.options.pipeline);
          e.state = 'READY';
          log.info(`successfully loaded '${location.name}' version ${version}`);
        } catch (error) {
          e.state = 'UNAVAILABLE';
          e.reason = reasonOf(error);
          log.error(`failed to load '${location.name}' version ${version}: ${e.reason}`);
        }
      }),
    );
  }
}

/** Triton's index form of a failure: `<Code>: <message>`. */
function reasonOf(error: unknown): string {
  const e: ServerError = asServerError(error);
  return `${ERROR_CODE_NAMES[e.code]}: ${e.message}`;
}
