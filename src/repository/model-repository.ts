/**
 * The models being served and the state of each version (LOADING, READY, UNLOADING, UNAVAILABLE with a reason), and
 * the ways they change: start-up loading per control mode, the repository API (load, unload, index) and polling.
 *
 * Changes never cost a failed request: a changed version is loaded in the background while the old copy keeps
 * serving, the switch is atomic, and the old copy is freed once its in-flight requests have finished. A failed load
 * leaves the old copy serving (its reason says why) and is tried again on the next change.
 */
import type { PipelineOptions } from '../config/pipeline.ts';
import type { IndexEntry, LoadOverrides, ModelControl } from '../core/model-control.ts';
import type { ModelLookup, ModelStatus, ServableVersion, VersionState } from '../core/model-lookup.ts';
import { asServerError, ERROR_CODE_NAMES, internal, invalidArg, notFound, ServerError, unavailable } from '../protocol/errors.ts';
import { log } from '../observe/log.ts';
import type { ModelConfig } from '../config/model-config.ts';
import { readModelConfig } from './config-reader.ts';
import { fingerprint } from './model-fingerprint.ts';
import { checkModelName } from './model-name.ts';
import { removeOverrideDir, writeOverrideDir, type OverrideDir } from './override-dir.ts';
import { listVersionDirs, scanRepositories, type ModelLocation } from './scanner.ts';
import { selectVersions } from './version-policy.ts';
import { loadVersion, unloadVersion, type LoadContext, type LoadedVersion } from './version-loader.ts';
import { composingModelNames, ensembleDependencyFailure, ensembleLoadOrder, type DependencyView } from './ensemble-dependencies.ts';
import { InferenceService } from '../core/inference-service.ts';
import { Releases } from '../core/releases.ts';
import type { ModelRelease } from '../core/model-release.ts';
import { sessionParameters } from '../config/release-parameters.ts';
import { defaultWorkersPerDevice, InstancePool } from '../instance/instance-pool.ts';
import path from 'node:path';

export type { ModelStatus, VersionState } from '../core/model-lookup.ts';

export type ModelControlMode = 'none' | 'poll' | 'explicit';

export interface RepositoryOptions {
  readonly repositories: readonly string[];
  readonly pipeline: PipelineOptions;
  readonly modelConfigName?: string;
  /** --model-control-mode (default none). */
  readonly controlMode?: ModelControlMode;
  /** --load-model names for explicit mode (`*` = all). */
  readonly startupModels?: readonly string[];
  /** How many models load at once (Triton's --model-load-thread-count). */
  readonly loadConcurrency?: number;
  /** Instance workers per device (--instance-workers; defaults to the core count). */
  readonly instanceWorkers?: number;
}

interface VersionEntry {
  state: VersionState;
  reason: string;
  loaded?: LoadedVersion;
  /** What the serving copy was loaded from: its version dir's fingerprint and its filled config. */
  source?: string;
}

interface ModelEntry {
  readonly name: string;
  /** A failure that kept the model from having any version (bad config, duplicate name). */
  failure?: string;
  readonly versions: Map<number, VersionEntry>;
  /** Fingerprint of the model dir at the last load attempt (poll mode reloads when it changes). */
  loadedFingerprint?: string;
  /** The temporary directory of the load API's file overrides that the serving copy came from. */
  override?: OverrideDir;
  /** Loads and unloads of one model run one after another. */
  busy: Promise<void>;
}

/** The reason a serving version shows while its instances' sessions are recreated on a replacement worker. */
const RECREATING = 'recreating its instances after their worker died';

/** Triton's refusal of the repository API outside explicit mode (the same text in none mode). */
const NOT_EXPLICIT = 'explicit model load / unload is not allowed if polling is enabled';

export class ModelRepository implements ModelLookup, ModelControl {
  private readonly models = new Map<string, ModelEntry>();
  private readonly mode: ModelControlMode;
  /** Poll mode: the fingerprint each model dir had at the previous poll (a change waits for two equal ones). */
  private readonly observed = new Map<string, string>();
  /** Explicit mode: models loaded only because an ensemble needed them (unload_dependents unloads those). */
  private readonly loadedAsDependency = new Set<string>();
  /** Explicit mode: ensembles unloaded because a composing model was; loading that model loads them again. */
  private readonly droppedDependents = new Set<string>();

  /** The worker threads every version's instances live on. */
  readonly pool: InstancePool;
  /** Each model's live gray release, applied from its `nereid.*` parameters at every load. */
  readonly releases = new Releases((level, message) => (level === 'warn' ? log.warn(message) : log.info(message)));
  /** What loading a version needs; ensembles run their steps through an inference service over this repository. */
  private readonly loadContext: LoadContext;

  constructor(private readonly options: RepositoryOptions) {
    this.mode = options.controlMode ?? 'none';
    this.pool = new InstancePool({ workersPerDevice: options.instanceWorkers ?? defaultWorkersPerDevice() });
    this.loadContext = { pipeline: options.pipeline, pool: this.pool, steps: new InferenceService(this) };
  }

  /**
   * Start-up: none and poll load every model; explicit loads only the --load-model names (`*` = all). Ensembles load
   * after every other model, each after the ensembles it uses.
   */
  async loadAll(): Promise<void> {
    const scan = scanRepositories(this.options.repositories);
    for (const name of scan.duplicates) this.entry(name).failure = 'model appears in two or more repositories';
    const wanted = this.mode === 'explicit' && !(this.options.startupModels ?? []).includes('*')
      ? scan.models.filter((m) => (this.options.startupModels ?? []).includes(m.name))
      : scan.models;
    for (const name of this.options.startupModels ?? []) {
      if (name !== '*' && !scan.models.some((m) => m.name === name)) {
        this.entry(name).failure = `${ERROR_CODE_NAMES.INTERNAL}: failed to load '${name}', failed to poll from model repository`;
      }
    }
    const ensembles = new Map<string, string[]>();
    for (const location of wanted) {
      const composing = this.composingModels(location);
      if (composing.length > 0) ensembles.set(location.name, composing);
    }
    const queue = wanted.filter((location) => !ensembles.has(location.name));
    const workers = Array.from({ length: this.options.loadConcurrency ?? 4 }, async () => {
      for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
        this.observed.set(next.name, fingerprint(next.dir));
        await this.serialized(next.name, async () => void (await this.loadModel(next)));
      }
    });
    await Promise.all(workers);
    for (const name of ensembleLoadOrder(ensembles)) {
      const location = wanted.find((m) => m.name === name)!;
      this.observed.set(name, fingerprint(location.dir));
      await this.serialized(name, async () => void (await this.loadModel(location)));
    }
  }

  /** The models an ensemble's config names (none when it is not an ensemble or its config cannot be read). */
  private composingModels(location: ModelLocation): string[] {
    try {
      return composingModelNames(this.readConfig(location));
    } catch {
      return []; // its own load reports the error
    }
  }

  private readConfig(location: ModelLocation, configOverride?: string): ModelConfig {
    return readModelConfig(location.dir, location.name, {
      autoComplete: this.options.pipeline.autoComplete,
      ...(this.options.modelConfigName === undefined ? {} : { modelConfigName: this.options.modelConfigName }),
    }, configOverride);
  }

  // ---- ModelLookup -------------------------------------------------------------------------------------------------

  resolve(name: string, version?: string): ServableVersion {
    const entry = this.models.get(name);
    if (entry === undefined) throw notFound(`Request for unknown model: '${name}' is not found`);
    if (version === undefined || version === '' || version === '-1') {
      let best: VersionEntry | undefined;
      let bestVersion = -1;
      for (const [v, e] of entry.versions) if (e.loaded !== undefined && e.state === 'READY' && v > bestVersion) [best, bestVersion] = [e, v];
      if (best?.loaded === undefined) throw notFound(`Request for unknown model: '${name}' has no available versions`);
      return best.loaded;
    }
    if (!/^[0-9]+$/.test(version)) throw invalidArg(`failed to parse model version '${version}' of model '${name}'`);
    const v = Number(version);
    const e = entry.versions.get(v);
    if (e === undefined) throw notFound(`Request for unknown model: '${name}' version ${v} is not found`);
    if (e.state !== 'READY' || e.loaded === undefined) throw unavailable(`Request for unknown model: '${name}' version ${v} is not at ready state`);
    return e.loaded;
  }

  readyVersions(name: string): number[] {
    const entry = this.models.get(name);
    if (entry === undefined) return [];
    return [...entry.versions].filter(([, e]) => e.state === 'READY').map(([v]) => v).sort((a, b) => a - b);
  }

  statuses(): ModelStatus[] {
    const rows: ModelStatus[] = [];
    for (const entry of [...this.models.values()].sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (entry.failure !== undefined && ![...entry.versions.values()].some((e) => e.state === 'READY')) {
        rows.push({ name: entry.name, state: 'UNAVAILABLE', reason: entry.failure });
      }
      for (const [version, e] of [...entry.versions].sort(([a], [b]) => a - b)) rows.push({ name: entry.name, version, state: e.state, reason: e.reason });
    }
    return rows;
  }

  release(name: string): ModelRelease | undefined {
    return this.releases.of(name);
  }

  allReady(): boolean {
    return this.statuses().every((row) => row.state === 'READY' || (row.state === 'UNAVAILABLE' && row.reason === 'unloaded'));
  }

  // ---- ModelControl ------------------------------------------------------------------------------------------------

  index(readyOnly: boolean): IndexEntry[] {
    const names = new Set<string>();
    for (const repository of this.options.repositories) {
      try {
        for (const model of scanRepositories([repository]).models) names.add(model.name);
      } catch {
        // An unreadable repository lists nothing; loading from it reports the error.
      }
    }
    const byName = new Map<string, ModelStatus[]>();
    for (const row of this.statuses()) byName.set(row.name, [...(byName.get(row.name) ?? []), row]);
    const entries: IndexEntry[] = [];
    for (const name of [...names].sort()) {
      const rows = byName.get(name);
      if (rows === undefined || rows.length === 0) {
        if (!readyOnly) entries.push({ name });
        continue;
      }
      const release = this.releases.of(name);
      const ready = release === undefined ? [] : this.readyVersions(name);
      for (const row of rows) {
        if (readyOnly && row.state !== 'READY') continue;
        // A READY version's row tells what the gray release does to it (rolled back, serving a missing version's share).
        const note = release !== undefined && row.state === 'READY' && row.version !== undefined ? release.noteFor(row.version, ready) : undefined;
        const reason = note === undefined ? row.reason : row.reason === '' ? note : `${row.reason}; ${note}`;
        entries.push({
          name,
          ...(row.version === undefined ? {} : { version: String(row.version) }),
          state: row.state,
          ...(reason === '' ? {} : { reason }),
        });
      }
    }
    return entries;
  }

  async load(name: string, overrides: LoadOverrides = {}): Promise<void> {
    await this.loadExplicit(name, overrides, new Set());
    this.loadedAsDependency.delete(name.trim());
    // Ensembles that went with this model when it was unloaded come back with it (as Triton's dependents do).
    for (const ensemble of [...this.droppedDependents]) {
      if (!this.namesInConfig(ensemble, name.trim())) continue;
      this.droppedDependents.delete(ensemble);
      await this.loadExplicit(ensemble, {}, new Set()).catch((error: Error) => log.error(`failed to reload '${ensemble}' after '${name}': ${error.message}`));
    }
  }

  /** Whether the model dir `model`'s config names `composing` among its steps. */
  private namesInConfig(model: string, composing: string): boolean {
    const location = scanRepositories(this.options.repositories).models.find((m) => m.name === model);
    return location !== undefined && this.composingModels(location).includes(composing);
  }

  /** The load API's work; `loading` holds the ensembles whose composing models are being loaded (a cycle stops there). */
  private async loadExplicit(name: string, overrides: LoadOverrides, loading: ReadonlySet<string>): Promise<void> {
    if (this.mode !== 'explicit') throw unavailable(NOT_EXPLICIT);
    const modelName = name.trim();
    checkModelName(modelName);
    if (overrides.files !== undefined && overrides.files.size > 0 && overrides.config === undefined) {
      throw invalidArg("Load parameter 'config' must be specified for model file override");
    }
    const fileOverride = overrides.files !== undefined && overrides.files.size > 0;
    if (!fileOverride && !this.models.has(modelName) && !scanRepositories(this.options.repositories).models.some((m) => m.name === modelName)) {
      throw internal(`failed to load '${modelName}', failed to poll from model repository`);
    }
    await this.serialized(modelName, async () => {
      let location: ModelLocation | undefined;
      let override: OverrideDir | undefined;
      if (fileOverride) {
        override = writeFiles(modelName, overrides.files!);
        location = { name: modelName, dir: override.modelDir };
      } else {
        location = scanRepositories(this.options.repositories).models.find((m) => m.name === modelName);
        if (location === undefined) throw internal(`failed to load '${modelName}', failed to poll from model repository`);
      }
      const modelFailure = await this.loadModel(location, overrides.config, override, new Set([...loading, modelName]));
      // An ensemble whose composing models are not ready fails as Triton's does.
      if (modelFailure?.dependency === true) throw invalidArg(`load failed for model '${modelName}': ${modelFailure.message}\n`);
      // A config that cannot be read fails the load as Triton's poll failure; a serving copy keeps serving.
      if (modelFailure !== undefined) throw internal(`failed to load '${modelName}', failed to poll from model repository: ${modelFailure.reason}`);
      const entry = this.models.get(modelName)!;
      const failed = [...entry.versions].filter(([, e]) => e.state !== 'READY' && e.reason !== 'unloaded');
      if (failed.length > 0) {
        throw invalidArg(`load failed for model '${modelName}': ${failed.map(([v, e]) => `version ${v} is at ${e.state} state: ${e.reason};`).join(' ')}`);
      }
    });
  }

  async unload(name: string, options: { unloadDependents?: boolean } = {}): Promise<void> {
    if (this.mode !== 'explicit') throw unavailable(NOT_EXPLICIT);
    checkModelName(name);
    const entry = this.models.get(name);
    if (entry === undefined) return;
    this.droppedDependents.delete(name);
    // unload_dependents: the composing models that were loaded only for this ensemble go with it.
    const composing = options.unloadDependents === true
      ? this.servedComposingModels(entry).filter((model) => this.loadedAsDependency.has(model))
      : [];
    // Ensembles using this model go first, and come back when it is loaded again.
    for (const [other, otherEntry] of this.models) {
      if (other === name || !this.servedComposingModels(otherEntry).includes(name)) continue;
      await this.serialized(other, () => this.unloadModel(other));
      this.droppedDependents.add(other);
    }
    await this.serialized(name, () => this.unloadModel(name));
    for (const model of composing) {
      this.loadedAsDependency.delete(model);
      await this.unload(model, options);
    }
  }

  /** The composing models of the ensemble versions a model serves. */
  private servedComposingModels(entry: ModelEntry | undefined): string[] {
    const names = new Set<string>();
    for (const e of entry?.versions.values() ?? []) if (e.loaded !== undefined) for (const n of composingModelNames(e.loaded.config)) names.add(n);
    return [...names];
  }

  /** The repository as the ensemble dependency check sees it. */
  private dependencyView(): DependencyView {
    const scanned = scanRepositories(this.options.repositories).models;
    return {
      exists: (name) => this.models.has(name) || scanned.some((m) => m.name === name),
      composingOf: (name) => {
        const location = scanned.find((m) => m.name === name);
        const composing = location === undefined ? [] : this.composingModels(location);
        return composing.length === 0 ? undefined : composing;
      },
      readyVersions: (name) => this.readyVersions(name),
      failureOf: (name) => {
        const entry = this.models.get(name);
        if (entry?.failure !== undefined) return entry.failure;
        return [...entry?.versions ?? []].map(([v, e]) => `version ${v} is at ${e.state} state: ${e.reason};`).join(' ');
      },
    };
  }

  // ---- polling -----------------------------------------------------------------------------------------------------

  /**
   * One poll (poll mode): new model dirs load, removed ones unload, changed ones reload. A dir counts as changed only
   * once two consecutive polls see the same fingerprint, so a folder still being copied waits for the next poll.
   */
  async poll(): Promise<void> {
    let scan;
    try {
      scan = scanRepositories(this.options.repositories);
    } catch (error) {
      log.error(`poll failed: ${(error as Error).message}`);
      return;
    }
    const present = new Set(scan.models.map((m) => m.name));
    const work: Promise<void>[] = [];
    for (const location of scan.models) {
      const current = fingerprint(location.dir);
      const previous = this.observed.get(location.name);
      this.observed.set(location.name, current);
      if (current !== previous) continue; // still changing (or first seen): wait for it to settle
      const entry = this.models.get(location.name);
      if (entry !== undefined && entry.loadedFingerprint === current) continue;
      work.push(this.serialized(location.name, async () => void (await this.loadModel(location))));
    }
    for (const name of [...this.models.keys()]) {
      if (present.has(name) || scan.duplicates.includes(name)) continue;
      this.observed.delete(name);
      work.push(this.serialized(name, async () => {
        await this.unloadModel(name);
        this.models.delete(name);
      }));
    }
    await Promise.all(work);
  }

  /** Unloads everything, letting in-flight executions finish. */
  async unloadAll(): Promise<void> {
    await Promise.all([...this.models.keys()].map((name) => this.serialized(name, () => this.unloadModel(name))));
  }

  /** Requests queued or running in every loaded version (for graceful shutdown). */
  inflight(): number {
    let total = 0;
    for (const entry of this.models.values()) for (const e of entry.versions.values()) total += e.loaded?.scheduler.inflight ?? 0;
    return total;
  }

  // ---- internals ---------------------------------------------------------------------------------------------------

  private entry(name: string): ModelEntry {
    let entry = this.models.get(name);
    if (entry === undefined) {
      entry = { name, versions: new Map(), busy: Promise.resolve() };
      this.models.set(name, entry);
    }
    return entry;
  }

  /** Runs `task` after the model's previous load or unload has finished; rejects with the task's error. */
  private serialized(name: string, task: () => Promise<void>): Promise<void> {
    const entry = this.entry(name);
    const run = entry.busy.then(task);
    entry.busy = run.catch(() => {});
    return run;
  }

  /**
   * Loads (or reloads) a model from `location`. Versions whose files and config are unchanged keep serving untouched
   * (a version_policy edit only adds and removes versions); changed and new versions load in the background and are
   * switched in atomically; versions no longer selected are unloaded.
   */
  /**
   * Returns the model-level failure when there was one: the config or the version selection (`reason`), or an
   * ensemble's composing models not ready (`dependency`, with Triton's `message`).
   */
  private async loadModel(
    location: ModelLocation,
    configOverride?: string,
    override?: OverrideDir,
    loading: ReadonlySet<string> = new Set([location.name]),
  ): Promise<{ reason: string; message: string; dependency: boolean } | undefined> {
    const entry = this.entry(location.name);
    const modelFingerprint = fingerprint(location.dir);
    entry.loadedFingerprint = modelFingerprint;
    let filled: ModelConfig;
    let selected: number[];
    try {
      filled = this.readConfig(location, configOverride);
      Releases.policyOf(filled); // a malformed nereid.* parameter fails the load before any version changes
      const dirs = listVersionDirs(location.dir);
      for (const name of dirs.ignored) {
        log.warn(`ignoring '${name}' in model '${location.name}': a version directory name must be a non-negative integer without leading zeros`);
      }
      selected = selectVersions(filled.version_policy, dirs.versions, location.name);
    } catch (error) {
      const reason = reasonOf(error);
      this.recordModelFailure(entry, reason);
      if (override !== undefined) removeOverrideDir(override);
      return { reason, message: asServerError(error).message, dependency: false };
    }
    entry.failure = undefined;
    if (this.mode === 'explicit') await this.loadComposingModels(filled, loading);
    const dependencyFailure = filled.ensemble_scheduling === undefined ? undefined : ensembleDependencyFailure(filled, this.dependencyView());
    if (dependencyFailure !== undefined) {
      const reason = `${ERROR_CODE_NAMES.INVALID_ARG}: ${dependencyFailure}`;
      this.recordModelFailure(entry, reason);
      if (override !== undefined) removeOverrideDir(override);
      return { reason, message: dependencyFailure, dependency: true };
    }
    // The nereid.* parameters change no session: a config that differs only in them reloads nothing.
    const configKey = JSON.stringify({ ...filled, version_policy: undefined, parameters: sessionParameters(filled) });
    await Promise.all(selected.map((version) => this.loadSelectedVersion(entry, location, version, filled, configKey)));
    this.releases.apply(filled);
    // Versions no longer selected go only once every selected one is up: a broken drop never takes the old one down.
    const failed = selected.filter((v) => entry.versions.get(v)?.state !== 'READY');
    for (const [version, e] of entry.versions) {
      if (selected.includes(version) || e.loaded === undefined) continue;
      if (failed.length === 0) await this.unloadVersionEntry(entry.name, version, e);
      else e.reason = `still serving: version ${failed.join(', ')} failed to load`;
    }
    if (entry.override !== undefined && entry.override !== override) removeOverrideDir(entry.override);
    entry.override = override;
    return undefined;
  }

  /**
   * Explicit mode: loading an ensemble first loads the composing models that serve nothing yet (their failures show
   * in their own rows; the ensemble's load then reports the missing model). `loading` breaks dependency cycles.
   */
  private async loadComposingModels(config: Readonly<ModelConfig>, loading: ReadonlySet<string>): Promise<void> {
    for (const name of composingModelNames(config)) {
      if (loading.has(name) || this.readyVersions(name).length > 0) continue;
      try {
        await this.loadExplicit(name, {}, loading);
        this.loadedAsDependency.add(name);
      } catch (error) {
        log.error(`failed to load '${name}', a composing model of '${config.name}': ${(error as Error).message}`);
      }
    }
  }

  /**
   * A worker died under a serving copy: while none of its instances has a session the version is LOADING (new
   * requests are refused as not ready; queued ones wait for the recreated sessions), and READY again once one is back.
   */
  private followInstances(e: VersionEntry, loaded: LoadedVersion, label: string): void {
    if (e.loaded !== loaded) return;
    const down = loaded.instances.every((instance) => !instance.ready);
    if (down && e.state === 'READY') {
      Object.assign(e, { state: 'LOADING' as const, reason: RECREATING });
      log.warn(`${label}: every instance lost its worker; LOADING until their sessions are recreated`);
    } else if (!down && e.state === 'LOADING' && e.reason === RECREATING) {
      Object.assign(e, { state: 'READY' as const, reason: '' });
      log.info(`${label}: READY again`);
    }
  }

  private async loadSelectedVersion(entry: ModelEntry, location: ModelLocation, version: number, filled: ModelConfig, configKey: string): Promise<void> {
    const source = `${fingerprint(path.join(location.dir, String(version)))}\u0001${configKey}`;
    let e = entry.versions.get(version);
    if (e?.loaded !== undefined && e.source === source) {
      e.reason = ''; // unchanged: keeps serving as it is (an earlier failed change no longer applies)
      e.loaded.config = filled; // the same but for nereid.* parameters, which the config endpoints then show
      return;
    }
    const previous = e?.loaded;
    if (e === undefined) {
      e = { state: 'LOADING', reason: '' };
      entry.versions.set(version, e);
    } else if (previous === undefined) {
      e.state = 'LOADING';
      e.reason = '';
    }
    log.info(`loading: ${entry.name}:${version}`);
    try {
      const loading = e;
      // The index shows where a first load stands; a reload keeps the serving copy's row as it is.
      const progress = (step: string): void => {
        if (loading.state === 'LOADING' && loading.loaded === undefined) loading.reason = step;
      };
      const loaded = await loadVersion({ modelName: entry.name, modelDir: location.dir, version, filledConfig: filled }, this.loadContext, progress);
      // The atomic switch: from here on new requests resolve to the new copy.
      Object.assign(e, { loaded, state: 'READY' as const, reason: '', source });
      const current = e;
      for (const instance of loaded.instances) instance.addHealthListener(() => this.followInstances(current, loaded, `'${entry.name}' version ${version}`));
      log.info(`successfully loaded '${entry.name}' version ${version}`);
      if (previous !== undefined) {
        await unloadVersion(previous);
        log.info(`unloaded the previous copy of '${entry.name}' version ${version}`);
      }
    } catch (error) {
      const reason = reasonOf(error);
      if (previous !== undefined) {
        e.reason = `reload failed, still serving the previous copy: ${reason}`;
        log.error(`failed to reload '${entry.name}' version ${version} (the previous copy keeps serving): ${reason}`);
      } else {
        e.state = 'UNAVAILABLE';
        e.reason = reason;
        log.error(`failed to load '${entry.name}' version ${version}: ${reason}`);
      }
    }
  }

  /** A failure before any version could load: shown on the model, or on its serving versions when it has some. */
  private recordModelFailure(entry: ModelEntry, reason: string): void {
    const serving = [...entry.versions.values()].filter((e) => e.loaded !== undefined);
    if (serving.length > 0) {
      for (const e of serving) e.reason = `reload failed, still serving the previous copy: ${reason}`;
      log.error(`failed to reload '${entry.name}' (the previous copy keeps serving): ${reason}`);
    } else {
      entry.failure = reason;
      log.error(`failed to load '${entry.name}': ${reason}`);
    }
  }

  private async unloadModel(name: string): Promise<void> {
    const entry = this.models.get(name);
    if (entry === undefined) return;
    await Promise.all([...entry.versions].map(([version, e]) => this.unloadVersionEntry(name, version, e)));
    entry.failure = undefined;
    entry.loadedFingerprint = undefined;
    this.releases.forget(name);
    if (entry.override !== undefined) removeOverrideDir(entry.override);
    entry.override = undefined;
  }

  private async unloadVersionEntry(name: string, version: number, e: VersionEntry): Promise<void> {
    const loaded = e.loaded;
    if (loaded === undefined) {
      if (e.state !== 'UNAVAILABLE' || e.reason !== 'unloaded') Object.assign(e, { state: 'UNAVAILABLE', reason: 'unloaded' });
      return;
    }
    e.state = 'UNLOADING';
    e.reason = '';
    await unloadVersion(loaded);
    Object.assign(e, { loaded: undefined, source: undefined, state: 'UNAVAILABLE', reason: 'unloaded' });
    log.info(`successfully unloaded '${name}' version ${version}`);
  }
}

/**
 * Writes the load API's file overrides. A filesystem failure (an over-long path, say) is Triton's poll failure, its
 * cause only in the log: the reply never shows the temporary path.
 */
function writeFiles(modelName: string, files: ReadonlyMap<string, Uint8Array>): OverrideDir {
  try {
    return writeOverrideDir(modelName, files);
  } catch (error) {
    if (error instanceof ServerError) throw error;
    log.error(`Poll failed for model directory '${modelName}': ${(error as Error).message}`);
    throw internal(`failed to load '${modelName}', failed to poll from model repository`);
  }
}

/** Triton's index form of a failure: `<Code>: <message>`. */
function reasonOf(error: unknown): string {
  const e = asServerError(error);
  return `${ERROR_CODE_NAMES[e.code]}: ${e.message}`;
}
