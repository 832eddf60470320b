import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parseModelVersion } from '../../src/observe/model-version-string.ts';
import { StatisticsStore, type ModelStatisticsJson } from '../../src/observe/statistics.ts';
import { ServerError } from '../../src/protocol/errors.ts';
import { planOf, publishExecution, publishFailure, publishSuccess, TestLookup } from './support.ts';

const T0 = 1_700_000_000_000;
const zero = { count: 0, ns: 0 };

/** An entry with every field in Triton's order; `over` replaces whole top-level fields. */
function entry(name: string, version: string, over: Partial<ModelStatisticsJson> = {}): ModelStatisticsJson {
  return {
    name,
    version,
    last_inference: 0,
    inference_count: 0,
    execution_count: 0,
    inference_stats: {
      success: zero,
      fail: zero,
      queue: zero,
      compute_input: zero,
      compute_infer: zero,
      compute_output: zero,
      cache_hit: zero,
      cache_miss: zero,
    },
    response_stats: {},
    batch_stats: [],
    memory_usage: [],
    ...over,
  };
}

/** Same content and the same key order everywhere (deepEqual ignores key order). */
function assertExactly(actual: unknown, expected: unknown): void {
  assert.deepEqual(actual, expected);
  assert.equal(JSON.stringify(actual), JSON.stringify(expected));
}

function assertServerError(fn: () => unknown, code: string, message: string): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof ServerError);
    assert.equal(error.code, code);
    assert.equal(error.message, message);
    return true;
  });
}

describe('StatisticsStore', () => {
  const alpha1 = planOf('alpha', 1);
  const alpha2 = planOf('alpha', 2);
  const beta1 = planOf('beta', 1);
  const beta3 = planOf('beta', 3);
  const lookup = new TestLookup().set(beta3, 'UNAVAILABLE').set(beta1).set(alpha2).set(alpha1);
  let store: StatisticsStore;

  before(() => {
    store = new StatisticsStore();
    publishSuccess(alpha1, { durationNs: 1000, queueNs: 100, inputNs: 10, inferNs: 500, outputNs: 20, endedAtMs: T0 });
    publishSuccess(alpha1, { durationNs: 3000, queueNs: 300, inputNs: 30, inferNs: 1500, outputNs: 60, endedAtMs: T0 + 500 });
    publishFailure(alpha1, 'REJECTED', 50, T0 + 1000);
    publishFailure(alpha1, 'BACKEND', 70, T0 + 2000);
    publishExecution(alpha1, 2, { inputNs: 10, inferNs: 500, outputNs: 20 });
    publishExecution(alpha1, 1, { inputNs: 5, inferNs: 250, outputNs: 10 });
    publishExecution(alpha1, 2, { inputNs: 20, inferNs: 1000, outputNs: 40 });
    publishSuccess(alpha2, { durationNs: 7000.4, queueNs: 699.6, inputNs: 1, inferNs: 2, outputNs: 3, endedAtMs: T0 + 42 });
    publishExecution(alpha2, 1, { inputNs: 1, inferNs: 2, outputNs: 3 });
  });
  after(() => store.close());

  const alpha1Expected = entry('alpha', '1', {
    last_inference: T0 + 500,
    inference_count: 5,
    execution_count: 3,
    inference_stats: {
      success: { count: 2, ns: 4000 },
      fail: { count: 2, ns: 120 },
      queue: { count: 2, ns: 400 },
      compute_input: { count: 2, ns: 40 },
      compute_infer: { count: 2, ns: 2000 },
      compute_output: { count: 2, ns: 80 },
      cache_hit: zero,
      cache_miss: zero,
    },
    batch_stats: [
      { batch_size: 1, compute_input: { count: 1, ns: 5 }, compute_infer: { count: 1, ns: 250 }, compute_output: { count: 1, ns: 10 } },
      { batch_size: 2, compute_input: { count: 2, ns: 30 }, compute_infer: { count: 2, ns: 1500 }, compute_output: { count: 2, ns: 60 } },
    ],
  });

  const alpha2Expected = entry('alpha', '2', {
    last_inference: T0 + 42,
    inference_count: 1,
    execution_count: 1,
    inference_stats: {
      success: { count: 1, ns: 7000 },
      fail: zero,
      queue: { count: 1, ns: 700 },
      compute_input: { count: 1, ns: 1 },
      compute_infer: { count: 1, ns: 2 },
      compute_output: { count: 1, ns: 3 },
      cache_hit: zero,
      cache_miss: zero,
    },
    batch_stats: [
      { batch_size: 1, compute_input: { count: 1, ns: 1 }, compute_infer: { count: 1, ns: 2 }, compute_output: { count: 1, ns: 3 } },
    ],
  });

  it('counts successes, failures and executions of one version exactly, in Triton\'s shape and key order', () => {
    assertExactly(store.modelStatistics(lookup, 'alpha', '1'), [alpha1Expected]);
  });

  it('gives every READY version of a model, ascending, with integer times', () => {
    const stats = store.modelStatistics(lookup, 'alpha');
    assertExactly(stats, [alpha1Expected, alpha2Expected]);
  });

  it('gives every model\'s READY versions by name then version when no name is given', () => {
    const all = store.modelStatistics(lookup);
    assert.deepEqual(all.map((s) => [s.name, s.version]), [['alpha', '1'], ['alpha', '2'], ['beta', '1']]);
    assertExactly(all[2], entry('beta', '1'));
    assert.deepEqual(store.modelStatistics(lookup, ''), all);
    // A version without a name is ignored, as in Triton.
    assert.deepEqual(store.modelStatistics(lookup, '', '2'), all);
  });

  it('answers Triton\'s errors for unknown models and versions that are not READY', () => {
    assertServerError(() => store.modelStatistics(lookup, 'nope'), 'INVALID_ARG', "requested model 'nope' is not available");
    assertServerError(
      () => store.modelStatistics(lookup, 'beta', '3'),
      'INVALID_ARG',
      "requested model version is not available for model 'beta'",
    );
    assertServerError(
      () => store.modelStatistics(lookup, 'alpha', '7'),
      'INVALID_ARG',
      "requested model version is not available for model 'alpha'",
    );
    const down = new TestLookup().set(planOf('down', 1), 'UNAVAILABLE');
    assertServerError(() => store.modelStatistics(down, 'down'), 'INVALID_ARG', "requested model 'down' is not available");
  });

  it('reads version strings as Triton does', () => {
    assert.equal(parseModelVersion(''), -1);
    assert.equal(parseModelVersion('2'), 2);
    assert.equal(parseModelVersion(' +2abc'), 2);
    assertServerError(
      () => parseModelVersion('x'),
      'INVALID_ARG',
      "failed to get model version from specified version string 'x' (details: stol), version should be an integral value > 0",
    );
    assertServerError(
      () => parseModelVersion('-1'),
      'INVALID_ARG',
      "invalid model version specified '-1' , version should be an integral value > 0",
    );
    assertServerError(
      () => store.modelStatistics(lookup, 'alpha', 'one'),
      'INVALID_ARG',
      "failed to get model version from specified version string 'one' (details: stol), version should be an integral value > 0",
    );
  });

  it('starts a reloaded version (a new plan) from zero, and keeps events of the old plan away from it', () => {
    const reloaded = planOf('alpha', 1);
    const relookup = new TestLookup().set(reloaded).set(alpha2);
    assertExactly(store.modelStatistics(relookup, 'alpha', '1'), [entry('alpha', '1')]);
    publishSuccess(alpha1, { durationNs: 5, queueNs: 0, inputNs: 0, inferNs: 0, outputNs: 0, endedAtMs: T0 + 9000 });
    publishExecution(reloaded, 4, { inputNs: 1, inferNs: 1, outputNs: 1 });
    const [fresh] = store.modelStatistics(relookup, 'alpha', '1');
    assert.equal(fresh!.inference_stats.success.count, 0);
    assert.equal(fresh!.inference_count, 4);
    assert.equal(fresh!.execution_count, 1);
    assert.deepEqual(fresh!.batch_stats.map((b) => b.batch_size), [4]);
  });

  it('stops counting once closed', () => {
    const gamma = planOf('gamma', 1);
    const gammaLookup = new TestLookup().set(gamma);
    const own = new StatisticsStore();
    own.close();
    publishExecution(gamma, 3);
    assert.equal(own.modelStatistics(gammaLookup, 'gamma')[0]!.execution_count, 0);
    // The suite's store, still subscribed, saw it.
    assert.equal(store.modelStatistics(gammaLookup, 'gamma')[0]!.execution_count, 1);
  });
});
