import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { rapidJsonDouble, rapidJsonFloatArray } from '../../src/transport/http/json-float-format.ts';

describe('rapidjson float formatting (what tritonserver writes for FP32/FP64 data)', () => {
  it('keeps a fraction on integral values, drops the exponent plus sign, writes -0.0', () => {
    const cases: [number, string][] = [
      [1, '1.0'], [-2, '-2.0'], [0, '0.0'], [-0, '-0.0'], [0.5, '0.5'], [1e20, '100000000000000000000.0'],
      [1e21, '1e21'], [-1.5e300, '-1.5e300'], [1e-6, '0.000001'], [1e-7, '1e-7'], [5e-324, '5e-324'],
      [NaN, 'NaN'], [Infinity, 'Infinity'], [-Infinity, '-Infinity'],
    ];
    for (const [value, text] of cases) assert.equal(rapidJsonDouble(value), text, String(value));
  });

  it('widens FP32 to double, reads misaligned views, leaves other datatypes and bad sizes to the caller', () => {
    const bytes = new Uint8Array(9);
    bytes.set(new Uint8Array(new Float32Array([0.1, 3]).buffer), 1);
    assert.equal(rapidJsonFloatArray('FP32', bytes.subarray(1), 2), '[0.10000000149011612,3.0]');
    assert.equal(rapidJsonFloatArray('FP64', new Uint8Array(0), 0), '[]');
    assert.equal(rapidJsonFloatArray('INT32', new Uint8Array(4), 1), undefined);
    assert.equal(rapidJsonFloatArray('FP64', new Uint8Array(4), 1), undefined);
  });
});
