/** Which versions of a model to serve, by its version_policy (model-config.md §4.2). */
import type { VersionPolicy } from '../config/model-config.ts';
import { invalidArg } from '../protocol/errors.ts';
import { log } from '../observe/log.ts';

/** The versions to load, ascending. An empty selection is Triton's load error. */
export function selectVersions(policy: VersionPolicy | undefined, available: readonly number[], modelName: string): number[] {
  const descending = [...available].sort((a, b) => b - a);
  let selected: number[];
  if (policy?.all !== undefined) selected = descending;
  else if (policy?.specific !== undefined) {
    selected = [];
    for (const version of policy.specific.versions) {
      if (available.includes(version)) selected.push(version);
      else log.warn(`version ${version} is specified for model '${modelName}', but the version directory is not present`);
    }
  } else selected = descending.slice(0, policy?.latest?.num_versions ?? 1);
  if (selected.length === 0) {
    throw invalidArg(`at least one version must be available under the version policy of model '${modelName}'`);
  }
  return [...new Set(selected)].sort((a, b) => a - b);
}
