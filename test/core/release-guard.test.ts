/**
 * The rollback guard's verdicts on recorded windows (error ratio, p99 latency, shadow disagreement, too few requests),
 * the shadow comparison's numbers per datatype, and the shadow and guard parameters with their refusals.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { plainMessage } from '../../src/config/model-config-schema.ts';
import type { ModelConfig } from '../../src/config/model-config.ts';
import { releasePolicyOf } from '../../src/config/release-policy.ts';
import { AgreementWindow, guardVerdict, OutcomeWindow } from '../../src/core/guard-window.ts';
import { agrees, compareOutputs } from '../../src/core/shadow-comparison.ts';
import type { GuardPolicy } from '../../src/config/guard-policy.ts';

function config(parameters: Record<string, string>, extra: Record<string, unknown> = {}): ModelConfig {
  const params = Object.fromEntries(Object.entries(parameters).map(([k, v]) => [k, { string_value: v }]));
  return plainMessage<ModelConfig>('ModelConfig', { name: 'm', parameters: params, ...extra });
}

const GUARD: GuardPolicy = { window: 10, minRequests: 5, maxErrorRatioIncrease: 0.1, maxP99Ratio: 2, maxShadowDisagreement: 0.2, shadowTolerance: 1e-3 };

function window(outcomes: [boolean, number][], size = 10): OutcomeWindow {
  const w = new OutcomeWindow(size);
  for (const [ok, ms] of outcomes) w.record(ok, ms);
  return w;
}

describe('guard verdicts', () => {
  it('judges the error ratio against the primary, only with enough requests, over the last N only', () => {
    const primary = window(Array.from({ length: 10 }, (_, i) => [i !== 0, 1]));
    assert.equal(guardVerdict(GUARD, window([[false, 1], [false, 1], [true, 1], [true, 1]]), primary, undefined), undefined, 'four requests are too few');
    const candidate = window([[false, 1], [false, 1], [true, 1], [true, 1], [true, 1]]);
    assert.deepEqual(guardVerdict(GUARD, candidate, primary, undefined), {
      trigger: 'error_ratio',
      reason: "error ratio 0.400 over its last 5 requests exceeds the primary's 0.100 by more than 0.1",
    });
    // Ten successes push the failures out of the window.
    for (let i = 0; i < 10; i++) candidate.record(true, 1);
    assert.deepEqual([candidate.count, candidate.errors], [10, 0]);
    assert.equal(guardVerdict(GUARD, candidate, primary, undefined), undefined);
  });

  it("judges p99 latency against the primary's (nearest rank), and shadow disagreement", () => {
    const primary = window(Array.from({ length: 10 }, (_, i) => [true, i + 1]));
    assert.equal(primary.p99Ms(), 10);
    assert.equal(guardVerdict(GUARD, window(Array.from({ length: 10 }, () => [true, 20]), 10), primary, undefined), undefined, 'exactly twice is within');
    assert.deepEqual(guardVerdict(GUARD, window([...Array.from({ length: 9 }, () => [true, 1] as [boolean, number]), [true, 21]]), primary, undefined), {
      trigger: 'p99_latency',
      reason: "p99 latency 21.000 ms over its last 10 requests exceeds 2 times the primary's 10.000 ms",
    });
    const shadow = new AgreementWindow(10);
    for (const ok of [true, true, true, false, false]) shadow.record(ok);
    assert.deepEqual(guardVerdict(GUARD, undefined, primary, shadow), {
      trigger: 'shadow_disagreement',
      reason: 'shadow disagreement 0.400 over its last 5 comparisons exceeds 0.2',
    });
  });
});

describe('shadow comparison', () => {
  const tensor = (name: string, datatype: 'FP32' | 'INT64' | 'BYTES' | 'FP16', shape: number[], data: ArrayBufferView) =>
    ({ name, datatype, shape, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) });

  it('gives the largest and the mean difference, the argmax agreement per row, and refuses other shapes', () => {
    const primary = [
      tensor('p', 'FP32', [2, 3], Float32Array.from([0.1, 0.7, 0.2, 0.5, 0.25, 0.25])),
      tensor('i', 'INT64', [2], BigInt64Array.from([5n, -3n])),
      tensor('s', 'FP32', [2, 2], Float32Array.from([1, 2, 3, 4])),
    ];
    const shadow = [
      tensor('p', 'FP32', [2, 3], Float32Array.from([0.1, 0.3, 0.6, 0.5, 0.25, 0.25])),
      tensor('i', 'INT64', [2], BigInt64Array.from([5n, 1n])),
      tensor('s', 'FP32', [4], Float32Array.from([1, 2, 3, 4])),
    ];
    const [p, i, s] = compareOutputs(primary, shadow, new Set(['p']), true);
    assert.equal(p!.argmaxAgreement, 0.5);
    assert.ok(Math.abs(p!.maxAbsDiff - 0.4) < 1e-6 && Math.abs(p!.meanAbsDiff - 0.8 / 6) < 1e-6);
    assert.deepEqual(i, { output: 'i', comparable: true, maxAbsDiff: 4, meanAbsDiff: 2 });
    assert.deepEqual(s, { output: 's', comparable: false, maxAbsDiff: 0, meanAbsDiff: 0 });
    assert.equal(agrees([i!], 4), true);
    assert.equal(agrees([p!], 1), false, 'an argmax that moved disagrees whatever the tolerance');
  });

  it('compares FP16 by value and NaN with NaN as equal', () => {
    const half = (bits: number[]) => tensor('h', 'FP16', [bits.length], Uint16Array.from(bits));
    // 0x3c00 = 1, 0x4000 = 2, 0x7e00 = NaN.
    const [c] = compareOutputs([half([0x3c00, 0x7e00])], [half([0x4000, 0x7e00])], new Set(), false);
    assert.deepEqual(c, { output: 'h', comparable: true, maxAbsDiff: 1, meanAbsDiff: 0.5 });
  });
});

describe('shadow and guard parameters', () => {
  it('reads them with their defaults', () => {
    assert.deepEqual(releasePolicyOf(config({ 'nereid.routing.weights': '1:95,2:5', 'nereid.shadow.version': '2', 'nereid.guard.max_p99_ratio': '1.5' })), {
      routing: { weights: [{ version: 1, weight: 95 }, { version: 2, weight: 5 }], rules: [], sticky: [] },
      shadow: { version: 2, percent: 100, maxInflight: 16 },
      guard: { window: 200, minRequests: 20, maxP99Ratio: 1.5, shadowTolerance: 1e-5 },
    });
    assert.equal(releasePolicyOf(config({})), undefined);
  });

  it('refuses values and combinations that cannot work, naming the parameter', () => {
    const refusals: [Record<string, string>, RegExp, Record<string, unknown>?][] = [
      [{ 'nereid.shadow.percent': '10' }, /'nereid.shadow.percent' needs 'nereid.shadow.version'/],
      [{ 'nereid.shadow.version': '2', 'nereid.shadow.percent': '101' }, /'nereid.shadow.percent' expects a number from 0 to 100, got '101'/],
      [{ 'nereid.shadow.version': '2', 'nereid.shadow.max_inflight': '0' }, /'nereid.shadow.max_inflight' expects an integer of at least 1/],
      [{ 'nereid.shadow.version': '2' }, /cannot be used with sequence_batching/, { sequence_batching: {} }],
      [{ 'nereid.guard.max_error_ratio_increase': '0.1' }, /there is no candidate to watch/],
      [{ 'nereid.routing.weights': '1:1', 'nereid.guard.max_shadow_disagreement': '0.1' }, /'nereid.guard.max_shadow_disagreement' needs 'nereid.shadow.version'/],
      [{ 'nereid.routing.weights': '1:1', 'nereid.guard.max_p99_ratio': '0.5' }, /'nereid.guard.max_p99_ratio' expects a number from 1 to/],
      [{ 'nereid.routing.weights': '1:1', 'nereid.guard.max_p99_ratio': '2', 'nereid.guard.window': '5', 'nereid.guard.min_requests': '6' }, /is larger than the window \(5\)/],
      [{ 'nereid.routing.weights': '1:1,2:1', 'nereid.routing.primary': '3' }, /'nereid.routing.primary' names version 3, which 'nereid.routing.weights' does not/],
      [{ 'nereid.guard.windows': '5' }, /parameter 'nereid.guard.windows' is not supported/],
    ];
    for (const [parameters, pattern, extra] of refusals) assert.throws(() => releasePolicyOf(config(parameters, extra)), pattern, JSON.stringify(parameters));
  });
});
