/**
 * No config field is silently ignored (issue 16, item 5): every field of protos/model_config.proto is classified in
 * src/config/not-carried-out.ts, and a config asking for one nereid does not carry out is refused naming it.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import protobuf from 'protobufjs';
import type { ModelConfig } from '../../src/config/model-config.ts';
import { ModelConfigType, plainMessage } from '../../src/config/model-config-schema.ts';
import { CARRIED_OUT, NO_EFFECT, REFUSED, refuseNotCarriedOut } from '../../src/config/not-carried-out.ts';

/** Every leaf field path of ModelConfig (fields that are not messages, and map values of scalar type). */
function leafPaths(type: protobuf.Type, prefix = '', seen: readonly string[] = []): string[] {
  return type.fieldsArray.flatMap((field) => {
    const path = `${prefix}${field.name}`;
    const child = field.resolvedType;
    if (child instanceof protobuf.Type && !seen.includes(child.fullName)) return leafPaths(child, `${path}.`, [...seen, child.fullName]);
    return [path];
  });
}

const classified = [...CARRIED_OUT, ...Object.keys(NO_EFFECT), ...REFUSED.map((r) => r.path)];
const covers = (listed: string, path: string): boolean => path === listed || path.startsWith(`${listed}.`);

describe('config fields nereid does not carry out', () => {
  it('classifies every field of model_config.proto exactly once', () => {
    const leaves = leafPaths(ModelConfigType);
    assert.ok(leaves.length > 100, `${leaves.length} leaf fields`);
    const unclassified = leaves.filter((path) => !classified.some((listed) => covers(listed, path)));
    assert.deepEqual(unclassified, [], 'fields nobody decided about: carry them out, or refuse them naming the field');
    const twice = leaves.filter((path) => classified.filter((listed) => covers(listed, path)).length > 1);
    assert.deepEqual(twice, []);
    for (const listed of classified) assert.ok(leaves.some((path) => covers(listed, path)), `${listed} is not a field of the schema`);
  });

  it('refuses a config that sets one, naming it, and accepts the defaults', () => {
    const config = (fields: object): ModelConfig => plainMessage<ModelConfig>('ModelConfig', { name: 'm', ...fields });
    refuseNotCarriedOut(config({}));
    refuseNotCarriedOut(config({ optimization: { priority: 'PRIORITY_DEFAULT', input_pinned_memory: { enable: true } } }));
    const cases: [object, string][] = [
      [{ model_transaction_policy: { decoupled: true } }, 'model_transaction_policy.decoupled'],
      [{ ensemble_scheduling: { step: [{ model_name: 'a', model_namespace: 'team' }] } }, 'ensemble_scheduling.step.model_namespace'],
      [{ optimization: { priority: 'PRIORITY_MAX' } }, 'optimization.priority'],
      [{ optimization: { cuda: { graphs: true } } }, 'optimization.cuda'],
      [{ instance_group: [{ rate_limiter: { resources: [{ name: 'r', count: 1 }] } }] }, 'instance_group.rate_limiter'],
      [{ input: [{ name: 'x', allow_ragged_batch: true }] }, 'input.allow_ragged_batch'],
      [{ batch_input: [{ kind: 'BATCH_ELEMENT_COUNT', target_name: ['n'] }] }, 'batch_input'],
      [{ metric_tags: { team: 'a' } }, 'metric_tags'],
      [{ model_repository_agents: { agents: [{ name: 'checksum' }] } }, 'model_repository_agents.agents'],
    ];
    for (const [fields, path] of cases) {
      assert.throws(() => refuseNotCarriedOut(config(fields)), (error: Error & { code?: string }) => {
        assert.equal(error.code, 'UNSUPPORTED');
        assert.match(error.message, new RegExp(`^model 'm': ${path.replaceAll('.', '\\.')} is not supported: `));
        return true;
      });
    }
  });
});
