/**
 * Gray-release routing: the policy parsed from a model's parameters (with its refusals), exact weighted shares, sticky
 * keys that never leave the candidate while its share rises, rules before weights, and versions that are not loaded.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { plainMessage } from '../../src/config/model-config-schema.ts';
import type { ModelConfig } from '../../src/config/model-config.ts';
import { routingPolicyOf, type RoutingPolicy } from '../../src/config/routing-policy.ts';
import { VersionRouter } from '../../src/core/version-router.ts';

function policy(parameters: Record<string, string>): RoutingPolicy | undefined {
  const params = Object.fromEntries(Object.entries(parameters).map(([k, v]) => [k, { string_value: v }]));
  return routingPolicyOf(plainMessage<ModelConfig>('ModelConfig', { name: 'm', parameters: params }));
}

const headers = (values: Record<string, string>) => ({ header: (name: string) => values[name] });

describe('gray-release routing', () => {
  it('reads the policy from the parameters and refuses malformed values and unknown nereid.* keys, naming them', () => {
    assert.equal(policy({ intra_op_thread_count: '1' }), undefined);
    assert.deepEqual(policy({ 'nereid.routing.weights': '1:95, 2:5', 'nereid.routing.rules': 'header:X-Canary=yes->2', 'nereid.routing.sticky': 'header:x-user,parameter:uid' }), {
      weights: [{ version: 1, weight: 95 }, { version: 2, weight: 5 }],
      rules: [{ kind: 'header', name: 'x-canary', value: 'yes', version: 2 }],
      sticky: [{ kind: 'header', name: 'x-user' }, { kind: 'parameter', name: 'uid' }],
    });
    assert.throws(() => policy({ 'nereid.routing.weights': '1:95,x:5' }), /parameter 'nereid.routing.weights' names version 'x', which is not a version number/);
    assert.throws(() => policy({ 'nereid.routing.weights': '1:0' }), /gives no version a share/);
    assert.throws(() => policy({ 'nereid.routing.rules': 'cookie:a=b->2' }), /expects header:<name> or parameter:<name>/);
    assert.throws(() => policy({ 'nereid.routing.shadow': '2:10' }), /parameter 'nereid.routing.shadow' is not supported/);
  });

  it('serves the weighted shares exactly (smooth weighted round robin)', () => {
    const router = new VersionRouter();
    const p = policy({ 'nereid.routing.weights': '1:95,2:5' })!;
    const counts = new Map<number, number>();
    for (let i = 0; i < 2000; i++) {
      const v = router.choose(p, [1, 2], undefined, undefined).version!;
      counts.set(v, (counts.get(v) ?? 0) + 1);
    }
    assert.deepEqual([counts.get(1), counts.get(2)], [1900, 100]);
  });

  it('keeps every sticky key on the candidate while its share rises 5% -> 20% -> 50%', () => {
    const router = new VersionRouter();
    const at = (share: number) => policy({ 'nereid.routing.weights': `2:${share},1:${100 - share}`, 'nereid.routing.sticky': 'header:x-user-id' })!;
    const keys = Array.from({ length: 5000 }, (_, i) => `user-${i}`);
    let previous = new Set<string>();
    for (const share of [5, 20, 50]) {
      const onCandidate = new Set(keys.filter((key) => router.choose(at(share), [1, 2], headers({ 'x-user-id': key }), undefined).version === 2));
      for (const key of previous) assert.ok(onCandidate.has(key), `${key} left the candidate at ${share}%`);
      assert.ok(Math.abs(onCandidate.size / keys.length - share / 100) < 0.02, `${onCandidate.size} of ${keys.length} at ${share}%`);
      previous = onCandidate;
    }
  });

  it('matches rules before weights, gives a missing version\'s share to the latest loaded, and skips rolled-back versions', () => {
    const router = new VersionRouter();
    const p = policy({ 'nereid.routing.weights': '1:0,3:100', 'nereid.routing.rules': 'header:x-canary=yes->2;parameter:cohort=beta->4' })!;
    assert.deepEqual(router.choose(p, [1, 2, 3], headers({ 'x-canary': 'yes' }), undefined), { version: 2, route: 'rule' });
    assert.deepEqual(router.choose(p, [1, 2, 3], undefined, { cohort: 'beta' }), { version: 3, route: 'weight' }, 'version 4 is not loaded: the rule is skipped');
    assert.deepEqual(router.choose(p, [1, 2], undefined, undefined), { version: 2, route: 'weight' }, "version 3 is not loaded: the latest loaded serves its share");
    assert.deepEqual(router.choose(p, [1, 2, 3], headers({ 'x-canary': 'yes' }), undefined, new Set([2])), { version: 3, route: 'weight' }, 'a rolled-back version takes no rule');
    assert.deepEqual(router.choose(p, [1, 2, 3], undefined, undefined, new Set([3])), { version: undefined, route: 'default' }, 'nothing left: the default serves');
  });
});
