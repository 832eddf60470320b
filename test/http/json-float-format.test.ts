import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { grisu2 } from '../../src/transport/http/grisu2.ts';
import { rapidJsonDouble, rapidJsonFloatArray } from '../../src/transport/http/json-float-format.ts';
import { grisu2 as grisu2Reference } from './grisu2-reference.ts';

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

describe('Grisu2 digits as tritonserver 2.51 writes them (seen on the real server)', () => {
  it('writes the same last digit as Triton where it is not the closest one', () => {
    const seen: [number, string][] = [
      [1.5935356777502668e22, '1.5935356777502669e22'],
      [1.0000000200408773e21, '1.0000000200408774e21'],
      [-226380338828410880, '-226380338828410890.0'],
      [-5.973443854815833e-51, '-5.973443854815834e-51'],
      [1.0132286900646603e-187, '1.0132286900646604e-187'],
      [-9.137289567958144e-16, '-9.137289567958144e-16'],
      [5.562387958331699e37, '5.562387958331699e37'],
    ];
    for (const [value, text] of seen) assert.equal(rapidJsonDouble(value), text, String(value));
  });

  it('always round-trips (seeded random bit patterns)', () => {
    const view = new DataView(new ArrayBuffer(8));
    let state = 12345;
    const next = (): number => (state = (Math.imul(state, 1103515245) + 12345) >>> 0);
    for (let i = 0; i < 20000; i++) {
      view.setUint32(0, next());
      view.setUint32(4, next());
      const value = view.getFloat64(0);
      if (Number.isFinite(value)) assert.equal(Number(rapidJsonDouble(value)), value, String(value));
    }
  });
});

describe('grisu2 (uint64 as 32-bit halves) against its BigInt transcription of rapidjson', () => {
  it('gives the same digits and exponent for seeded random doubles, floats and the edges', () => {
    const view = new DataView(new ArrayBuffer(8));
    let state = 987654321;
    const next = (): number => (state = (Math.imul(state, 1664525) + 1013904223) >>> 0);
    const values = [5e-324, 2.2250738585072014e-308, 2.225073858507201e-308, 1.7976931348623157e308, 1e21, 1e22, 1e-7, 0.1];
    for (let i = 0; i < 30000; i++) {
      view.setUint32(0, next() & 0x7fffffff);
      view.setUint32(4, next());
      values.push(view.getFloat64(0), view.getFloat32(4));
    }
    for (const value of values) {
      if (!Number.isFinite(value) || value <= 0) continue;
      assert.deepEqual(grisu2(value), grisu2Reference(value), String(value));
    }
  });
});
