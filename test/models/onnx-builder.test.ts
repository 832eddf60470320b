import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import ort from 'onnxruntime-node';
import { buildOnnxModel, DEFAULT_OPSET, IR_VERSION, seededRandom, type GraphSpec } from '../../scripts/onnx/builder.ts';
import { ModelProtoType } from '../../scripts/onnx/onnx-schema.ts';

/** Decodes model bytes into a plain object (int64 as numbers, bytes as Buffers, defaults left out). */
function decode(bytes: Uint8Array): any {
  return ModelProtoType.toObject(ModelProtoType.decode(bytes), { longs: Number });
}

const SPEC: GraphSpec = {
  name: 'g',
  inputs: [
    { name: 'x', type: 'float', shape: ['batch', 3, -1] },
    { name: 's', type: 'string', shape: [] },
    { name: 'u', type: 'uint8', shape: null },
  ],
  outputs: [{ name: 'y', type: 'float', shape: ['batch', 3, -1] }],
  initializers: [
    { name: 'w', type: 'float', dims: [3], values: Float32Array.from([1, -2, 0.5]) },
    { name: 'i', type: 'int64', dims: [2], values: [1, -1] },
    { name: 't', type: 'string', dims: [2], values: ['a', 'é'] },
    { name: 'b', type: 'bool', dims: [2], values: [true, false] },
  ],
  nodes: [
    {
      op: 'Custom',
      inputs: ['x', '', 'w'],
      outputs: ['y'],
      attributes: { i: 3, f: 0.25, whole: { float: 2 }, s: 'str', ints: [1, 2], floats: [0.5, 1], wf: { floats: [1] }, strs: ['a', 'b'] },
    },
  ],
};

describe('buildOnnxModel', () => {
  it('writes IR version, opset, producer and graph with ONNX field numbers', () => {
    const model = decode(buildOnnxModel(SPEC));
    assert.equal(model.ir_version, IR_VERSION);
    assert.deepEqual(model.opset_import, [{ domain: '', version: DEFAULT_OPSET }]);
    assert.equal(model.producer_name, 'nereid-onnx-builder');
    assert.equal(model.graph.name, 'g');
    assert.deepEqual(model.graph.node[0].input, ['x', '', 'w']);
    assert.equal(model.graph.node[0].op_type, 'Custom');
    assert.equal(model.graph.node[0].name, 'Custom_0');
  });

  it('encodes fixed, symbolic and unknown dims, rank 0 and unknown rank', () => {
    const [x, s, u] = decode(buildOnnxModel(SPEC)).graph.input;
    assert.deepEqual(x.type.tensor_type, { elem_type: 1, shape: { dim: [{ dim_param: 'batch' }, { dim_value: 3 }, {}] } });
    assert.deepEqual(s.type.tensor_type, { elem_type: 8, shape: {} });
    assert.deepEqual(u.type.tensor_type, { elem_type: 2 });
  });

  it('types attributes: INT, FLOAT, STRING, INTS, FLOATS, STRINGS', () => {
    const attrs = Object.fromEntries(decode(buildOnnxModel(SPEC)).graph.node[0].attribute.map((a: any) => [a.name, a]));
    assert.deepEqual([attrs.i.type, attrs.i.i], [2, 3]);
    assert.deepEqual([attrs.f.type, attrs.f.f], [1, 0.25]);
    assert.deepEqual([attrs.whole.type, attrs.whole.f], [1, 2]);
    assert.deepEqual([attrs.s.type, Buffer.from(attrs.s.s).toString()], [3, 'str']);
    assert.deepEqual([attrs.ints.type, attrs.ints.ints], [7, [1, 2]]);
    assert.deepEqual([attrs.floats.type, attrs.floats.floats], [6, [0.5, 1]]);
    assert.deepEqual([attrs.wf.type, attrs.wf.floats], [6, [1]]);
    assert.deepEqual([attrs.strs.type, attrs.strs.strings.map((b: Uint8Array) => Buffer.from(b).toString())], [8, ['a', 'b']]);
  });

  it('stores numeric initializers as little-endian raw_data and strings as string_data', () => {
    const [w, i, t, b] = decode(buildOnnxModel(SPEC)).graph.initializer;
    assert.deepEqual([w.data_type, w.dims], [1, [3]]);
    assert.deepEqual(Buffer.from(w.raw_data), Buffer.from(Float32Array.from([1, -2, 0.5]).buffer));
    assert.deepEqual(Buffer.from(i.raw_data), Buffer.from([1, 0, 0, 0, 0, 0, 0, 0, 255, 255, 255, 255, 255, 255, 255, 255]));
    assert.deepEqual(t.string_data.map((v: Uint8Array) => Buffer.from(v).toString()), ['a', 'é']);
    assert.equal(t.raw_data, undefined);
    assert.deepEqual([b.data_type, Buffer.from(b.raw_data)], [9, Buffer.from([1, 0])]);
  });

  it('is deterministic', () => {
    assert.deepEqual(buildOnnxModel(SPEC), buildOnnxModel(SPEC));
  });

  it('refuses miswired graphs and wrong value counts', () => {
    const base: GraphSpec = { name: 'g', inputs: [{ name: 'a', type: 'float', shape: [1] }], outputs: [{ name: 'b', type: 'float', shape: [1] }], nodes: [] };
    assert.throws(() => buildOnnxModel(base), /output 'b' is never produced/);
    assert.throws(() => buildOnnxModel({ ...base, nodes: [{ op: 'Add', inputs: ['a', 'c'], outputs: ['b'] }] }), /reads 'c'/);
    assert.throws(
      () => buildOnnxModel({ ...base, nodes: [{ op: 'Identity', inputs: ['a'], outputs: ['b'] }], initializers: [{ name: 'w', type: 'float', dims: [2, 2], values: [1, 2, 3] }] }),
      /need 4 values, got 3/,
    );
    assert.throws(
      () => buildOnnxModel({ ...base, nodes: [{ op: 'Identity', inputs: ['a'], outputs: ['b'] }], initializers: [{ name: 'w', type: 'float', dims: [1], values: Int32Array.from([1]) }] }),
      /Float32Array/,
    );
  });

  it('produces models onnxruntime runs, initializers and attributes included', async () => {
    const bytes = buildOnnxModel({
      name: 'affine',
      inputs: [{ name: 'x', type: 'float', shape: ['n', 2] }],
      outputs: [{ name: 'y', type: 'float', shape: ['n', 3] }],
      initializers: [
        { name: 'W', type: 'float', dims: [3, 2], values: [1, 0, 0, 1, 1, 1] },
        { name: 'B', type: 'float', dims: [3], values: [0.5, 0, -1] },
      ],
      nodes: [{ op: 'Gemm', inputs: ['x', 'W', 'B'], outputs: ['y'], attributes: { transB: 1, alpha: { float: 2 } } }],
    });
    const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1 });
    const out = await session.run({ x: new ort.Tensor('float32', Float32Array.from([1, 2]), [1, 2]) });
    assert.deepEqual(Array.from(out.y!.data as Float32Array), [2.5, 4, 5]);
    await session.release();
  });
});

describe('seededRandom', () => {
  it('repeats its sequence for a seed, stays in [0, 1) and differs between seeds', () => {
    const a = seededRandom(7);
    const b = seededRandom(7);
    const c = seededRandom(8);
    const seqA = Array.from({ length: 1000 }, a);
    assert.deepEqual(seqA, Array.from({ length: 1000 }, b));
    assert.notDeepEqual(seqA.slice(0, 10), Array.from({ length: 10 }, c));
    assert.ok(seqA.every((v) => v >= 0 && v < 1));
    const mean = seqA.reduce((s, v) => s + v, 0) / seqA.length;
    assert.ok(Math.abs(mean - 0.5) < 0.05, `mean ${mean}`);
  });
});
