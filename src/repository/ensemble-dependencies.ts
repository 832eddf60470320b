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
