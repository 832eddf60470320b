import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { expandInstances, normalizeConfig } from '../../src/config/normalize.ts';
import { configFrom, NO_GPUS, onnxConfig, TWO_GPUS } from './support.ts';

describe('normalization', () => {
  test('version policy defaults to latest { num_versions: 1 }', () => {
    assert.deepEqual(normalizeConfig(onnxConfig('m'), NO_GPUS).version_policy, { latest: { num_versions: 1 } });
  });

  test('an explicit version policy is kept, even latest {} (0 versions)', () => {
    const c = normalizeConfig(onnxConfig('m', { version_policy: { latest: {} } }), NO_GPUS);
    assert.deepEqual(c.version_policy, { latest: { num_versions: 0 } });
    const all = normalizeConfig(onnxConfig('m', { version_policy: { all: {} } }), NO_GPUS);
    assert.deepEqual(all.version_policy, { all: {} });
  });

  test('empty preferred_batch_size becomes [max_batch_size]', () => {
    const c = normalizeConfig(onnxConfig('m', { max_batch_size: 8, dynamic_batching: {} }), NO_GPUS);
    assert.deepEqual(c.dynamic_batching?.preferred_batch_size, [8]);
  });

  test('preferred_batch_size stays empty while mbs is 0, and explicit sizes are kept', () => {
    const zero = normalizeConfig(onnxConfig('m', { dynamic_batching: {} }), NO_GPUS);
    assert.deepEqual(zero.dynamic_batching?.preferred_batch_size, []);
    const kept = normalizeConfig(
      onnxConfig('m', { max_batch_size: 8, dynamic_batching: { preferred_batch_size: [2, 4] } }),
      NO_GPUS,
    );
    assert.deepEqual(kept.dynamic_batching?.preferred_batch_size, [2, 4]);
  });

  test('pinned input and output memory are enabled', () => {
    const c = normalizeConfig(onnxConfig('m'), NO_GPUS);
    assert.deepEqual(c.optimization?.input_pinned_memory, { enable: true });
    assert.deepEqual(c.optimization?.output_pinned_memory, { enable: true });
    assert.equal(c.optimization?.priority, 'PRIORITY_DEFAULT');
    const off = normalizeConfig(onnxConfig('m', { optimization: { input_pinned_memory: { enable: false } } }), NO_GPUS);
    assert.deepEqual(off.optimization?.input_pinned_memory, { enable: false });
  });

  test('sequence batching idle time defaults to one second', () => {
    const c = normalizeConfig(onnxConfig('m', { sequence_batching: {} }), NO_GPUS);
    assert.equal((c.sequence_batching as { max_sequence_idle_microseconds: number }).max_sequence_idle_microseconds, 1e6);
  });

  test('default instance group is named <model>, KIND_CPU with count 2 for onnxruntime', () => {
    const c = normalizeConfig(onnxConfig('densenet'), NO_GPUS);
    assert.equal(c.instance_group.length, 1);
    const [g] = c.instance_group;
    assert.deepEqual([g?.name, g?.kind, g?.count, g?.gpus], ['densenet', 'KIND_CPU', 2, []]);
  });

  test('KIND_CPU default count is 1 for backends other than onnxruntime/tensorflow', () => {
    const c = normalizeConfig(configFrom({ name: 'p', backend: 'python' }), NO_GPUS);
    assert.equal(c.instance_group[0]?.count, 1);
  });

  test('unnamed groups become <model>_<index>', () => {
    const c = normalizeConfig(
      onnxConfig('m', { instance_group: [{ kind: 'KIND_CPU' }, { name: 'named', kind: 'KIND_CPU' }, { count: 3 }] }),
      NO_GPUS,
    );
    assert.deepEqual(c.instance_group.map((g) => g.name), ['m_0', 'named', 'm_2']);
    assert.deepEqual(c.instance_group.map((g) => g.count), [2, 2, 3]);
  });

  test('KIND_AUTO becomes KIND_CPU when there are no GPUs', () => {
    const c = normalizeConfig(onnxConfig('m', { instance_group: [{ count: 1 }] }), NO_GPUS);
    assert.equal(c.instance_group[0]?.kind, 'KIND_CPU');
  });

  test('KIND_AUTO becomes KIND_CPU when GPUs exist but no CUDA provider can be used', () => {
    const c = normalizeConfig(onnxConfig('m'), { ...TWO_GPUS, gpuProviderAvailable: false });
    assert.deepEqual([c.instance_group[0]?.kind, c.instance_group[0]?.count], ['KIND_CPU', 2]);
  });

  test('KIND_AUTO becomes KIND_GPU on all GPUs when GPUs exist; count defaults to 1', () => {
    const c = normalizeConfig(onnxConfig('m'), TWO_GPUS);
    const [g] = c.instance_group;
    assert.deepEqual([g?.kind, g?.count, g?.gpus], ['KIND_GPU', 1, [0, 1]]);
  });

  test('KIND_AUTO listing an absent GPU falls back to KIND_CPU', () => {
    const c = normalizeConfig(onnxConfig('m', { instance_group: [{ gpus: [0, 7] }] }), TWO_GPUS);
    assert.equal(c.instance_group[0]?.kind, 'KIND_CPU');
  });

  test('KIND_GPU without gpus gets every usable GPU (none on a CPU host)', () => {
    const gpu = normalizeConfig(onnxConfig('m', { instance_group: [{ kind: 'KIND_GPU' }] }), TWO_GPUS);
    assert.deepEqual(gpu.instance_group[0]?.gpus, [0, 1]);
    const none = normalizeConfig(onnxConfig('m', { instance_group: [{ kind: 'KIND_GPU' }] }), NO_GPUS);
    assert.deepEqual(none.instance_group[0]?.gpus, []);
  });

  test('ensembles get no instance groups and no optimization', () => {
    const c = normalizeConfig(configFrom({ name: 'e', platform: 'ensemble', ensemble_scheduling: {} }), NO_GPUS);
    assert.deepEqual(c.instance_group, []);
    assert.equal(c.optimization, undefined);
  });

  test('normalization is idempotent and does not modify its input', () => {
    const input = onnxConfig('m', { max_batch_size: 4, dynamic_batching: {} });
    const once = normalizeConfig(input, NO_GPUS);
    assert.deepEqual(normalizeConfig(once, NO_GPUS), once);
    assert.equal(input.version_policy, undefined);
  });
});

describe('instance expansion', () => {
  test('instances are <group>_<k> for k in 0..count-1', () => {
    const c = normalizeConfig(onnxConfig('m'), NO_GPUS);
    assert.deepEqual(expandInstances(c), [
      { name: 'm_0', groupName: 'm', kind: 'KIND_CPU', deviceId: 0, passive: false, hostPolicy: 'cpu' },
      { name: 'm_1', groupName: 'm', kind: 'KIND_CPU', deviceId: 0, passive: false, hostPolicy: 'cpu' },
    ]);
  });

  test('GPU groups repeat each instance name on every listed GPU', () => {
    const c = normalizeConfig(onnxConfig('m', { instance_group: [{ kind: 'KIND_GPU', count: 2 }] }), TWO_GPUS);
    assert.deepEqual(
      expandInstances(c).map((i) => [i.name, i.deviceId, i.hostPolicy]),
      [
        ['m_0_0', 0, 'gpu_0'],
        ['m_0_0', 1, 'gpu_1'],
        ['m_0_1', 0, 'gpu_0'],
        ['m_0_1', 1, 'gpu_1'],
      ],
    );
  });

  test('passive flag and explicit host policy are carried', () => {
    const c = normalizeConfig(
      onnxConfig('m', { instance_group: [{ kind: 'KIND_MODEL', count: 1, passive: true, host_policy: 'numa0' }] }),
      NO_GPUS,
    );
    assert.deepEqual(expandInstances(c), [
      { name: 'm_0_0', groupName: 'm_0', kind: 'KIND_MODEL', deviceId: 0, passive: true, hostPolicy: 'numa0' },
    ]);
  });
});
