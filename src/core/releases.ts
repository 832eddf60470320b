/**
 * Every model's live gray release (model-release.ts), by model name. The repository applies a model's policy each
 * time its config is read (a load, a reload, a parameters-only change) and forgets it when the model is unloaded.
 */
import type { ModelConfig } from '../config/model-config.ts';
import { releasePolicyOf, type ReleasePolicy } from '../config/release-policy.ts';
import { isReleaseParameter } from '../config/release-parameters.ts';
import { guardChannel } from './inference-events.ts';
import { ModelRelease, type ReleaseReporter } from './model-release.ts';

export class Releases {
  private readonly byModel = new Map<string, ModelRelease>();

  constructor(private readonly report: ReleaseReporter) {}

  /** Reads the model's policy; throws INVALID_ARG / UNSUPPORTED naming a bad `nereid.*` parameter. */
  static policyOf(config: Readonly<ModelConfig>): ReleasePolicy | undefined {
    return releasePolicyOf(config);
  }

  /**
   * Makes `config`'s policy the live one. The same parameters keep the live state (rollbacks included); changed ones
   * start afresh, and their rollbacks are cleared.
   */
  apply(config: Readonly<ModelConfig>): void {
    const name = config.name;
    const policy = releasePolicyOf(config);
    const parameters = Object.fromEntries(
      Object.entries(config.parameters ?? {}).filter(([key]) => isReleaseParameter(key)).map(([key, value]) => [key, value.string_value]),
    );
    const current = this.byModel.get(name);
    if (current !== undefined && JSON.stringify(current.parameters) === JSON.stringify(parameters)) return;
    if (current !== undefined) this.cleared(current);
    if (policy === undefined) {
      this.byModel.delete(name);
      if (current !== undefined) this.report('info', `gray release of '${name}': policy removed`);
      return;
    }
    this.byModel.set(name, new ModelRelease(name, policy, parameters, this.report));
    this.report('info', `gray release of '${name}': policy ${current === undefined ? 'applied' : 'changed'}: ${JSON.stringify(parameters)}`);
  }

  forget(name: string): void {
    const current = this.byModel.get(name);
    if (current === undefined) return;
    this.cleared(current);
    this.byModel.delete(name);
  }

  of(name: string): ModelRelease | undefined {
    return this.byModel.get(name);
  }

  /** A replaced release's rollbacks end (the guard metric goes back to 0). */
  private cleared(release: ModelRelease): void {
    if (!guardChannel.hasSubscribers) return;
    for (const version of release.rolledBack()) {
      guardChannel.publish({ model: release.model, version, rolledBack: false, trigger: 'policy_changed', reason: 'the policy changed' });
    }
  }
}
