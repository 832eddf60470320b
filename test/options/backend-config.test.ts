import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { defaultMaxBatchSize } from '../../src/options/backend-config.ts';
import { bad, fails, parse, REPO } from './support.ts';

describe('parseOptions: --backend-config', () => {
  it('parses <backend>,<key>=<value> and global <key>=<value>', () => {
    const o = parse('--backend-config=onnxruntime,default-max-batch-size=8', '--backend-config', 'enable-x=a');
    assert.deepEqual(o.backendConfig, [
      { backend: 'onnxruntime', key: 'default-max-batch-size', value: '8' },
      { backend: '', key: 'enable-x', value: 'a' },
    ]);
  });

  it('splits at the first comma as Triton does, even inside a global value', () => {
    assert.deepEqual(parse('--backend-config=onnxruntime,k=a,b=c').backendConfig, [
      { backend: 'onnxruntime', key: 'k', value: 'a,b=c' },
    ]);
    assert.deepEqual(parse('--backend-config=k=a,b=c').backendConfig, [{ backend: 'k=a', key: 'b', value: 'c' }]);
  });

  it('rejects a missing backend name before the comma', () => {
    fails(
      [REPO, '--backend-config=,default-max-batch-size=3'],
      bad('backend-config', 'No backend specified. --backend-config option format is <backend name>,') +
        '<setting>=<value> or <setting>=<value>. Got ,default-max-batch-size=3',
    );
  });

  it('rejects a missing =, an empty key or an empty value', () => {
    const args = [
      'default-max-batch-size',
      'default-max-batch-size=',
      'onnxruntime,default-max-batch-size',
      'onnxruntime,=3',
      'onnxruntime,k=',
    ];
    for (const arg of args) {
      fails(
        [REPO, `--backend-config=${arg}`],
        bad('backend-config', `--backend-config option format is '<backend name>,<setting>=<value>'. Got ${arg}`),
      );
    }
  });

  it('rejects a default-max-batch-size that is not a non-negative integer', () => {
    fails([REPO, '--backend-config=default-max-batch-size=-1'], bad('backend-config', 'Invalid option value. Got -1'));
    fails(
      [REPO, '--backend-config=onnxruntime,default-max-batch-size=x'],
      bad('backend-config', 'Invalid option value. Got x'),
    );
  });
});

describe('defaultMaxBatchSize', () => {
  it('is 4 by default', () => {
    assert.equal(defaultMaxBatchSize(parse()), 4);
  });

  it('takes the global setting', () => {
    assert.equal(defaultMaxBatchSize(parse('--backend-config=default-max-batch-size=6')), 6);
  });

  it('prefers the onnxruntime setting over the global one, whatever the order', () => {
    const global7 = '--backend-config=default-max-batch-size=7';
    assert.equal(defaultMaxBatchSize(parse(global7, '--backend-config=onnxruntime,default-max-batch-size=8')), 8);
    assert.equal(defaultMaxBatchSize(parse('--backend-config=onnxruntime,default-max-batch-size=0', global7)), 0);
  });

  it('ignores other backends and keys; the last setting wins', () => {
    const o = parse(
      '--backend-config=tensorflow,default-max-batch-size=5',
      '--backend-config=onnxruntime,other=1',
      '--backend-config=default-max-batch-size=2',
      '--backend-config=default-max-batch-size=3',
    );
    assert.equal(defaultMaxBatchSize(o), 3);
  });
});
