/**
 * Which models an ensemble depends on, and an order to load ensembles in so that each comes after the ensembles it
 * uses. Composing models that are not ensembles load first, all together; ensembles load after them.
 */
import type { ModelConfig } from '../config/model-config.ts';

/** The names of the models an ensemble's steps run (none for other models), without repeats. */
export function composingModelNames(config: Readonly<ModelConfig>): string[] {
  const steps = (config.ensemble_scheduling?.step ?? []) as { model_name: string }[];
  return [...new Set(steps.map((step) => step.model_name))];
}

/**
 * `ensembles` (name → composing model names) ordered so that an ensemble follows every ensemble it uses. Ensembles in
 * a cycle keep their relative order at the end: their loads fail, since what they depend on never becomes ready.
 */
export function ensembleLoadOrder(ensembles: ReadonlyMap<string, readonly string[]>): string[] {
  const order: string[] = [];
  const placed = new Set<string>();
  let remaining = [...ensembles.keys()];
  while (remaining.length > 0) {
    const ready = remaining.filter((name) => ensembles.get(name)!.every((dep) => !ensembles.has(dep) || placed.has(dep)));
    if (ready.length === 0) {
      order.push(...remaining);
      break;
    }
    for (const name of ready) placed.add(name);
    order.push(...ready);
    remaining = remaining.filter((name) => !placed.has(name));
  }
  return order;
}

/** What the dependency check needs to know of the repository. */
export interface DependencyView {
  /** Whether a model of that name is in the repository (or loaded). */
  exists(name: string): boolean;
  /** The composing models of a model that is an ensemble (undefined for other models and unreadable configs). */
  composingOf(name: string): readonly string[] | undefined;
  readyVersions(name: string): readonly number[];
  /** Why a model has nothing READY, as `version <v> is at <STATE> state: <reason>;` (one per version). */
  failureOf(name: string): string;
}

interface StepRef {
  model_name: string;
  model_version: number | string | bigint;
}

/**
 * Why an ensemble cannot load yet, in Triton's words (missing models, a cycle between ensembles, a composing model with
 * nothing loaded or without the version a step asks for), or undefined when every composing model is ready.
 */
export function ensembleDependencyFailure(config: Readonly<ModelConfig>, view: DependencyView): string | undefined {
  const name = config.name;
  const composing = composingModelNames(config);
  const missing = composing.filter((model) => !view.exists(model));
  if (missing.length > 0) return `ensemble ${name} contains models that are not available or ambiguous: ${missing.join(', ')}`;
  const closing = cycleBack(name, composing, view);
  if (closing !== undefined) return `circular dependency between ensembles: ${name} -> ... -> ${closing} -> ${name}`;
  for (const step of (config.ensemble_scheduling?.step ?? []) as StepRef[]) {
    const ready = view.readyVersions(step.model_name);
    if (ready.length === 0) {
      return `ensemble '${name}' depends on '${step.model_name}' which has no loaded version. Model '${step.model_name}' ` +
        `loading failed with error: ${view.failureOf(step.model_name)}`;
    }
    const version = Number(step.model_version);
    if (version >= 0 && !ready.includes(version)) {
      return `ensemble '${name}' depends on '${step.model_name}' whose required version ${version} is not loaded.`;
    }
  }
  return undefined;
}

/** The ensemble through which `name`'s dependencies lead back to it, if they do. */
function cycleBack(name: string, composing: readonly string[], view: DependencyView): string | undefined {
  const seen = new Set<string>();
  const walk = (from: string, models: readonly string[]): string | undefined => {
    for (const model of models) {
      if (model === name) return from;
      if (seen.has(model)) continue;
      seen.add(model);
      const next = view.composingOf(model);
      const found = next === undefined ? undefined : walk(model, next);
      if (found !== undefined) return found;
    }
    return undefined;
  };
  return walk(name, composing);
}
