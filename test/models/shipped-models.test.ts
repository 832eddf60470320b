import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import ort from 'onnxruntime-node';
import { MLP_SIZES, mlpClassifierWeights, SHIPPED_MODELS } from '../../scripts/onnx/shipped-models.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const REPO = join(ROOT, 'model_repository');

function listFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((p) => statSync(join(dir, p)).isFile())
    .map((p) => p.split('\\').join('/'))
    .sort();
}

function openShipped(model: string): Promise<ort.InferenceSession> {
  return ort.InferenceSession.create(join(REPO, model, '1', 'model.onnx'), { intraOpNumThreads: 1, interOpNumThreads: 1 });
}

describe('generate-models script', () => {
  const outDir = mkdtempSync(join(tmpdir(), 'nereid-models-'));
  after(() => rmSync(outDir, { recursive: true, force: true }));

  it('regenerates every shipped .onnx file byte for byte, and nothing else', () => {
    const printed = execFileSync(process.execPath, ['--import', 'tsx', 'scripts/generate-models.ts', outDir], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    const generated = listFiles(outDir);
    assert.deepEqual(generated, SHIPPED_MODELS.map((m) => m.path).sort());
    for (const path of generated) {
      const fresh = readFileSync(join(outDir, path));
      const committed = readFileSync(join(REPO, path));
      assert.ok(fresh.equals(committed), `${path} differs from the committed file`);
      assert.ok(fresh.length < 100 * 1024, `${path} is ${fresh.length} bytes`);
      assert.match(printed, new RegExp(path.replaceAll('/', '[/\\\\]')));
    }
  });

  it('covers every model.onnx in model_repository', () => {
    const onnxFiles = listFiles(REPO).filter((p) => p.endsWith('.onnx'));
    assert.deepEqual(onnxFiles, SHIPPED_MODELS.map((m) => m.path).sort());
  });

  it('builds the same bytes twice', () => {
    for (const { path, build } of SHIPPED_MODELS) assert.deepEqual(build(), build(), path);
  });
});

describe('shipped configs', () => {
  it('has a hand-written config.pbtxt naming the model and its tensors, except autocomplete_add', async () => {
    assert.equal(existsSync(join(REPO, 'autocomplete_add', 'config.pbtxt')), false);
    for (const model of ['add_sub', 'identity_int64', 'identity_bytes', 'mlp_classifier', 'preprocess', 'postprocess']) {
      const config = readFileSync(join(REPO, model, 'config.pbtxt'), 'utf8');
      assert.match(config, new RegExp(`^name: "${model}"$`, 'm'), model);
      const session = await openShipped(model);
      for (const tensor of [...session.inputNames, ...session.outputNames]) {
        assert.match(config, new RegExp(`name: "${tensor}"`), `${model}: ${tensor}`);
      }
      await session.release();
    }
  });

  it('lists every model in model_repository/README.md', () => {
    const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
    for (const dir of readdirSync(REPO).filter((d) => statSync(join(REPO, d)).isDirectory())) {
      assert.ok(readme.includes(`\`${dir}\``), `README misses ${dir}`);
    }
  });
});

describe('shipped models in onnxruntime', () => {
  it('add_sub adds and subtracts [batch, 16] FP32 tensors', async () => {
    const session = await openShipped('add_sub');
    assert.deepEqual(
      session.inputMetadata.map((m) => [m.name, m.isTensor && m.type, m.isTensor && m.shape]),
      [['INPUT0', 'float32', ['batch', 16]], ['INPUT1', 'float32', ['batch', 16]]],
    );
    const a = Float32Array.from({ length: 32 }, (_, i) => i);
    const b = Float32Array.from({ length: 32 }, (_, i) => 100 - 3 * i);
    const out = await session.run({
      INPUT0: new ort.Tensor('float32', a, [2, 16]),
      INPUT1: new ort.Tensor('float32', b, [2, 16]),
    });
    assert.deepEqual(out.OUTPUT0!.dims, [2, 16]);
    assert.deepEqual(Array.from(out.OUTPUT0!.data as Float32Array), Array.from(a, (v, i) => v + b[i]!));
    assert.deepEqual(Array.from(out.OUTPUT1!.data as Float32Array), Array.from(a, (v, i) => v - b[i]!));
    await session.release();
  });

  it('identity_int64 echoes INT64 values, including ones beyond 2^53', async () => {
    const session = await openShipped('identity_int64');
    assert.deepEqual(session.inputMetadata[0]!.isTensor && session.inputMetadata[0]!.shape, ['batch', 'length']);
    const values = BigInt64Array.from([1n, -2n, 9007199254740993n, -9223372036854775808n, 0n, 42n]);
    const out = await session.run({ INPUT0: new ort.Tensor('int64', values, [2, 3]) });
    assert.equal(out.OUTPUT0!.type, 'int64');
    assert.deepEqual(out.OUTPUT0!.dims, [2, 3]);
    assert.deepEqual(Array.from(out.OUTPUT0!.data as BigInt64Array), Array.from(values));
    await session.release();
  });

  it('identity_bytes echoes strings and reports its unknown dims as ""', async () => {
    const session = await openShipped('identity_bytes');
    const meta = session.inputMetadata[0]!;
    assert.ok(meta.isTensor);
    assert.equal(meta.type, 'string');
    assert.deepEqual(meta.shape, ['', '']);
    const strings = ['hello', '', 'ünïcödé ✓', 'x'.repeat(300)];
    const out = await session.run({ INPUT0: new ort.Tensor('string', strings, [1, 4]) });
    assert.equal(out.OUTPUT0!.type, 'string');
    assert.deepEqual(out.OUTPUT0!.dims, [1, 4]);
    assert.deepEqual(out.OUTPUT0!.data, strings);
    await session.release();
  });

  it('mlp_classifier yields probability rows matching a JS forward pass of the seeded weights', async () => {
    const session = await openShipped('mlp_classifier');
    const { input, hidden, classes } = MLP_SIZES;
    const rows = 5;
    const x = Float32Array.from({ length: rows * input }, (_, i) => Math.sin(i * 0.7) * 2);
    const out = await session.run({ input: new ort.Tensor('float32', x, [rows, input]) });
    const probs = out.probabilities!.data as Float32Array;
    assert.deepEqual(out.probabilities!.dims, [rows, classes]);

    const { w1, b1, w2, b2 } = mlpClassifierWeights();
    const distinctArgmax = new Set<number>();
    for (let r = 0; r < rows; r++) {
      const h = Array.from({ length: hidden }, (_, j) => {
        let s = b1[j]!;
        for (let k = 0; k < input; k++) s += x[r * input + k]! * w1[j * input + k]!;
        return Math.max(0, s);
      });
      const logits = Array.from({ length: classes }, (_, c) => {
        let s = b2[c]!;
        for (let j = 0; j < hidden; j++) s += h[j]! * w2[c * hidden + j]!;
        return s;
      });
      const max = Math.max(...logits);
      const exps = logits.map((l) => Math.exp(l - max));
      const total = exps.reduce((a, b) => a + b, 0);
      const row = Array.from(probs.subarray(r * classes, (r + 1) * classes));
      assert.ok(Math.abs(row.reduce((a, b) => a + b, 0) - 1) < 1e-5, `row ${r} sums to 1`);
      row.forEach((p, c) => assert.ok(Math.abs(p - exps[c]! / total) < 1e-5, `row ${r} class ${c}: ${p} vs ${exps[c]! / total}`));
      distinctArgmax.add(row.indexOf(Math.max(...row)));
    }
    // The weights are not degenerate: different inputs pick different classes.
    assert.ok(distinctArgmax.size > 1);
    await session.release();
  });

  it('accumulator adds INPUT to its state input, and hands the sum out twice (OUTPUT and the next state)', async () => {
    const session = await openShipped('accumulator');
    assert.deepEqual(session.inputNames, ['INPUT', 'STATE_IN']);
    assert.deepEqual(session.outputNames, ['OUTPUT', 'STATE_OUT']);
    const out = await session.run({
      INPUT: new ort.Tensor('float32', Float32Array.from([1, 2]), [2, 1]),
      STATE_IN: new ort.Tensor('float32', Float32Array.from([10, 20]), [2, 1]),
    });
    assert.deepEqual(Array.from(out.OUTPUT!.data as Float32Array), [11, 22]);
    assert.deepEqual(Array.from(out.STATE_OUT!.data as Float32Array), [11, 22]);
    await session.release();
  });

  it('preprocess and postprocess frame mlp_classifier: (raw − 50) / 10 in, arg max and max out', async () => {
    const pre = await openShipped('preprocess');
    const raw = Float32Array.from({ length: 16 }, (_, i) => 40 + i);
    const features = (await pre.run({ raw: new ort.Tensor('float32', raw, [1, 16]) })).features!;
    assert.deepEqual(Array.from(features.data as Float32Array), Array.from(raw, (v) => Math.fround((v - 50) / 10)));
    await pre.release();
    const post = await openShipped('postprocess');
    const out = await post.run({ probabilities: new ort.Tensor('float32', Float32Array.from([0.1, 0.6, 0.2, 0.1, 0.4, 0.1, 0.1, 0.4]), [2, 4]) });
    assert.deepEqual(out.class_id!.dims, [2, 1]);
    assert.deepEqual(Array.from(out.class_id!.data as BigInt64Array), [1n, 0n]);
    assert.deepEqual(Array.from(out.score!.data as Float32Array), [Math.fround(0.6), Math.fround(0.4)]);
    await post.release();
  });

  it('autocomplete_add sums x and y, with every tensor batchable ([batch, 4])', async () => {
    const session = await openShipped('autocomplete_add');
    for (const meta of [...session.inputMetadata, ...session.outputMetadata]) {
      assert.ok(meta.isTensor);
      assert.equal(meta.type, 'float32');
      assert.deepEqual(meta.shape, ['batch', 4]);
    }
    assert.deepEqual(session.inputNames, ['x', 'y']);
    assert.deepEqual(session.outputNames, ['sum']);
    const out = await session.run({
      x: new ort.Tensor('float32', Float32Array.from([1, 2, 3, 4]), [1, 4]),
      y: new ort.Tensor('float32', Float32Array.from([10, 20, 30, 40.5]), [1, 4]),
    });
    assert.deepEqual(Array.from(out.sum!.data as Float32Array), [11, 22, 33, 44.5]);
    await session.release();
  });
});
