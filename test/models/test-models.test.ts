import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import ort from 'onnxruntime-node';
import { addModel, corruptModelBytes, slowMatmulModel, writeModelDir } from '../../scripts/onnx/test-models.ts';

const OPTIONS: ort.InferenceSession.SessionOptions = { intraOpNumThreads: 1, interOpNumThreads: 1, logSeverityLevel: 3 };

function open(bytes: Uint8Array): Promise<ort.InferenceSession> {
  return ort.InferenceSession.create(bytes, OPTIONS);
}

/** [name, type, shape] of each input and output as onnxruntime reports them. */
function signature(session: ort.InferenceSession): { inputs: unknown[]; outputs: unknown[] } {
  const entry = (m: ort.InferenceSession.ValueMetadata) => (m.isTensor ? [m.name, m.type, m.shape] : [m.name]);
  return { inputs: session.inputMetadata.map(entry), outputs: session.outputMetadata.map(entry) };
}

describe('slowMatmulModel', () => {
  it('computes X^7 with six MatMuls over symbolic [n, n]', async () => {
    const session = await open(slowMatmulModel());
    assert.deepEqual(signature(session), { inputs: [['X', 'float32', ['n', 'n']]], outputs: [['Y', 'float32', ['n', 'n']]] });
    const n = 3;
    const twoI = new Float32Array(n * n);
    for (let i = 0; i < n; i++) twoI[i * n + i] = 2;
    const out = await session.run({ X: new ort.Tensor('float32', twoI, [n, n]) });
    assert.deepEqual(Array.from(out.Y!.data as Float32Array), Array.from(twoI, (v) => (v ? 128 : 0)));
    await session.release();
  });

  it('takes the number of MatMuls', async () => {
    const session = await open(slowMatmulModel(2));
    const out = await session.run({ X: new ort.Tensor('float32', Float32Array.from([2]), [1, 1]) });
    assert.deepEqual(Array.from(out.Y!.data as Float32Array), [8]);
    await session.release();
    assert.throws(() => slowMatmulModel(0), RangeError);
  });
});

describe('addModel', () => {
  it('defaults to INPUT0 + INPUT1 → OUTPUT0, FP32 [batch, 4]', async () => {
    const session = await open(addModel());
    assert.deepEqual(signature(session), {
      inputs: [['INPUT0', 'float32', ['batch', 4]], ['INPUT1', 'float32', ['batch', 4]]],
      outputs: [['OUTPUT0', 'float32', ['batch', 4]]],
    });
    const out = await session.run({
      INPUT0: new ort.Tensor('float32', Float32Array.from([1, 2, 3, 4]), [1, 4]),
      INPUT1: new ort.Tensor('float32', Float32Array.from([5, 6, 7, 8]), [1, 4]),
    });
    assert.deepEqual(Array.from(out.OUTPUT0!.data as Float32Array), [6, 8, 10, 12]);
    await session.release();
  });

  it('makes 1 input / 1 output an Identity, with any names and shapes', async () => {
    const session = await open(addModel({
      inputs: [{ name: 'in', type: 'int32', shape: [2, 'w'] }],
      outputs: [{ name: 'out', type: 'int32', shape: [2, 'w'] }],
    }));
    assert.deepEqual(signature(session), { inputs: [['in', 'int32', [2, 'w']]], outputs: [['out', 'int32', [2, 'w']]] });
    const out = await session.run({ in: new ort.Tensor('int32', Int32Array.from([1, 2, 3, 4, 5, 6]), [2, 3]) });
    assert.deepEqual(Array.from(out.out!.data as Int32Array), [1, 2, 3, 4, 5, 6]);
    await session.release();
  });

  it('makes 2 inputs / 2 outputs Add and Sub', async () => {
    const session = await open(addModel({
      inputs: [{ name: 'A', type: 'int64', shape: ['b', 2] }, { name: 'B', type: 'int64', shape: ['b', 2] }],
      outputs: [{ name: 'SUM', type: 'int64', shape: ['b', 2] }, { name: 'DIFF', type: 'int64', shape: ['b', 2] }],
    }));
    const out = await session.run({
      A: new ort.Tensor('int64', BigInt64Array.from([10n, 20n]), [1, 2]),
      B: new ort.Tensor('int64', BigInt64Array.from([1n, 2n]), [1, 2]),
    });
    assert.deepEqual(Array.from(out.SUM!.data as BigInt64Array), [11n, 22n]);
    assert.deepEqual(Array.from(out.DIFF!.data as BigInt64Array), [9n, 18n]);
    await session.release();
  });

  it('supports rank 0, unknown dims and unknown rank', async () => {
    const scalar = await open(addModel({
      inputs: [{ name: 'x', type: 'double', shape: [] }, { name: 'y', type: 'double', shape: [] }],
      outputs: [{ name: 'z', type: 'double', shape: [] }],
    }));
    assert.deepEqual(signature(scalar).inputs, [['x', 'float64', []], ['y', 'float64', []]]);
    const out = await scalar.run({
      x: new ort.Tensor('float64', Float64Array.from([1.5]), []),
      y: new ort.Tensor('float64', Float64Array.from([2]), []),
    });
    assert.deepEqual(Array.from(out.z!.data as Float64Array), [3.5]);
    await scalar.release();

    const loose = await open(addModel({
      inputs: [{ name: 'x', type: 'float', shape: [-1, 3] }],
      outputs: [{ name: 'y', type: 'float', shape: null }],
    }));
    assert.deepEqual(signature(loose).inputs, [['x', 'float32', ['', 3]]]);
    await loose.release();
  });

  it('loads for every element type onnxruntime-node handles, arithmetic or identity', async () => {
    const types = ['float', 'float16', 'double', 'int8', 'int16', 'int32', 'int64', 'uint8', 'uint16', 'uint32', 'uint64', 'bool', 'string'] as const;
    for (const type of types) {
      for (const outputs of [1, 2]) {
        const bytes = addModel({
          inputs: [{ name: 'A', type, shape: ['b', 4] }, { name: 'B', type, shape: ['b', 4] }],
          outputs: Array.from({ length: outputs }, (_, i) => ({ name: `O${i}`, type, shape: ['b', 4] })),
        });
        const session = await open(bytes);
        assert.equal(session.outputNames.length, outputs, type);
        await session.release();
      }
    }
  });

  it('runs Add/Sub on int8 (opset 14) and echoes strings and bools', async () => {
    const int8 = await open(addModel({
      inputs: [{ name: 'A', type: 'int8', shape: [2] }, { name: 'B', type: 'int8', shape: [2] }],
      outputs: [{ name: 'S', type: 'int8', shape: [2] }, { name: 'D', type: 'int8', shape: [2] }],
    }));
    const r = await int8.run({
      A: new ort.Tensor('int8', Int8Array.from([5, -3]), [2]),
      B: new ort.Tensor('int8', Int8Array.from([2, 4]), [2]),
    });
    assert.deepEqual(Array.from(r.S!.data as Int8Array), [7, 1]);
    assert.deepEqual(Array.from(r.D!.data as Int8Array), [3, -7]);
    await int8.release();

    const strings = await open(addModel({
      inputs: [{ name: 'A', type: 'string', shape: [2] }, { name: 'B', type: 'bool', shape: [1] }],
      outputs: [{ name: 'A_OUT', type: 'string', shape: [2] }, { name: 'B_OUT', type: 'bool', shape: [1] }],
    }));
    const s = await strings.run({
      A: new ort.Tensor('string', ['a', 'bc'], [2]),
      B: new ort.Tensor('bool', Uint8Array.from([1]), [1]),
    });
    assert.deepEqual(s.A_OUT!.data, ['a', 'bc']);
    assert.deepEqual(Array.from(s.B_OUT!.data as Uint8Array), [1]);
    await strings.release();
  });

  it('casts mixed input types to the first one and results to the declared output type', async () => {
    const session = await open(addModel({
      inputs: [{ name: 'A', type: 'float', shape: [2] }, { name: 'B', type: 'int32', shape: [2] }],
      outputs: [{ name: 'SUM', type: 'int64', shape: [2] }, { name: 'DIFF', type: 'string', shape: [2] }],
    }));
    assert.deepEqual(signature(session).outputs, [['SUM', 'int64', [2]], ['DIFF', 'string', [2]]]);
    const out = await session.run({
      A: new ort.Tensor('float32', Float32Array.from([1, 2]), [2]),
      B: new ort.Tensor('int32', Int32Array.from([3, 5]), [2]),
    });
    assert.deepEqual(Array.from(out.SUM!.data as BigInt64Array), [4n, 7n]);
    assert.deepEqual((out.DIFF!.data as string[]).map(Number), [-2, -3]);
    await session.release();
  });

  it('rejects impossible options', () => {
    assert.throws(() => addModel({ inputs: [] }), RangeError);
    assert.throws(() => addModel({ outputs: [] }), RangeError);
    assert.throws(() => addModel({ inputs: [{ name: 'A', type: 'float', shape: [1] }], mode: 'arithmetic' }), RangeError);
  });
});

describe('corruptModelBytes', () => {
  it('is refused by onnxruntime', async () => {
    await assert.rejects(open(corruptModelBytes()), /protobuf parsing failed/);
  });
});

describe('writeModelDir', () => {
  const repo = mkdtempSync(join(tmpdir(), 'nereid-test-models-'));
  after(() => rmSync(repo, { recursive: true, force: true }));

  it('lays out <repo>/<model>/<version>/model.onnx and config.pbtxt', async () => {
    const dir = writeModelDir(repo, 'm', addModel(), { version: 3, config: 'max_batch_size: 2\n' });
    assert.equal(dir, join(repo, 'm'));
    assert.equal(readFileSync(join(dir, 'config.pbtxt'), 'utf8'), 'max_batch_size: 2\n');
    const session = await ort.InferenceSession.create(join(dir, '3', 'model.onnx'), OPTIONS);
    assert.deepEqual(session.outputNames, ['OUTPUT0']);
    await session.release();
  });
});
