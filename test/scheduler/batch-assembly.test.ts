import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { WireTensor } from '../../src/protocol/wire-tensor.ts';
import { encodeBytesElements } from '../../src/protocol/bytes-codec.ts';
import { assembleBatch, splitOutput } from '../../src/scheduler/batch-assembly.ts';

function f32(name: string, shape: number[], values: number[]): WireTensor {
  return { name, datatype: 'FP32', shape, data: new Uint8Array(Float32Array.from(values).buffer) };
}

function floats(t: WireTensor): number[] {
  return Array.from(new Float32Array(t.data.slice().buffer));
}

describe('batch assembly', () => {
  it('concatenates each input along dimension 0, whatever order each request lists its inputs in', () => {
    const a = { batchSize: 1, inputs: [f32('X', [1, 2], [1, 2]), f32('Y', [1, 1], [9])] };
    const b = { batchSize: 2, inputs: [f32('Y', [2, 1], [8, 7]), f32('X', [2, 2], [3, 4, 5, 6])] };
    const packed = assembleBatch([a, b]);
    assert.deepEqual(packed.tensors.map((t) => [t.name, t.shape]), [['X', [3, 2]], ['Y', [3, 1]]]);
    assert.deepEqual(floats(packed.tensors[0]!), [1, 2, 3, 4, 5, 6]);
    assert.deepEqual(floats(packed.tensors[1]!), [9, 8, 7]);
    assert.ok(packed.tensors.every((t) => t.data.buffer === packed.buffer && t.data.byteOffset % 8 === 0), 'one aligned buffer');
  });

  it('splits a fixed-size output into per-request views of the same buffer', () => {
    const out = f32('Z', [3, 2], [1, 2, 3, 4, 5, 6]);
    const [first, second] = splitOutput(out, [1, 2]);
    assert.deepEqual([first!.shape, floats(first!)], [[1, 2], [1, 2]]);
    assert.deepEqual([second!.shape, floats(second!)], [[2, 2], [3, 4, 5, 6]]);
    assert.equal(first!.data.buffer, out.data.buffer, 'a view, not a copy');
  });

  it('splits a BYTES output by walking its length prefixes', () => {
    const data = encodeBytesElements(['a', 'bb', '', 'dddd', 'e', 'ff']);
    const out: WireTensor = { name: 'S', datatype: 'BYTES', shape: [3, 2], data };
    const pieces = splitOutput(out, [2, 1]);
    assert.deepEqual(pieces.map((p) => p.shape), [[2, 2], [1, 2]]);
    assert.deepEqual(Buffer.from(pieces[0]!.data), Buffer.from(encodeBytesElements(['a', 'bb', '', 'dddd'])));
    assert.deepEqual(Buffer.from(pieces[1]!.data), Buffer.from(encodeBytesElements(['e', 'ff'])));
  });

  it('refuses an output whose rows do not add up to the batch', () => {
    assert.throws(() => splitOutput(f32('Z', [2, 1], [1, 2]), [1, 2]), /2 rows for a batch of 3/);
  });
});
