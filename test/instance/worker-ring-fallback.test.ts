/**
 * What does not fit a ring slot crosses as a side-channel message instead, with real workers and real ONNX Runtime
 * sessions on rings of small slots: an input bigger than a slot, an output bigger than a slot, both, BYTES, a name the
 * model does not have, an error text longer than a slot, and all of it mixed with inline executions in flight at once
 * (side messages are taken in slot order, so each result must still meet its request).
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { buildOnnxModel } from '../../scripts/onnx/builder.ts';
import { addModel } from '../../scripts/onnx/test-models.ts';
import type { RingGeometry } from '../../src/instance/ring-layout.ts';
import { WorkerClient, type WorkerSession } from '../../src/instance/worker-client.ts';
import { packInputs, type PackedInputs } from '../../src/protocol/packed-inputs.ts';
import type { WireTensor } from '../../src/protocol/wire-tensor.ts';
import { tempDir } from '../support/temp-dir.ts';

const REPEATS = 8;
const dir = tempDir();
/** X FP32 [n] → SIZE = Shape(X) INT64 [1] (a few bytes whatever X is), and TILED = X repeated 8 times (8× X). */
const shapeTilePath = path.join(dir, 'shape_tile.onnx');
writeFileSync(
  shapeTilePath,
  buildOnnxModel({
    name: 'shape_tile',
    inputs: [{ name: 'X', type: 'float', shape: ['n'] }],
    outputs: [
      { name: 'SIZE', type: 'int64', shape: [1] },
      { name: 'TILED', type: 'float', shape: ['m'] },
    ],
    nodes: [
      { op: 'Shape', inputs: ['X'], outputs: ['SIZE'] },
      { op: 'Concat', inputs: Array.from({ length: REPEATS }, () => 'X'), outputs: ['TILED'], attributes: { axis: 0 } },
    ],
  }),
);
const bytesPath = path.join(dir, 'identity_bytes.onnx');
writeFileSync(bytesPath, addModel({ inputs: [{ name: 'IN', type: 'string', shape: ['n'] }], outputs: [{ name: 'OUT', type: 'string', shape: ['n'] }] }));

/** Slots of 1 KiB: 48 bytes of result header, so ~970 bytes of data. */
const SMALL: RingGeometry = { slotCount: 2, slotBytes: 1024 };
const oneThread = { session: { intraOpNumThreads: 1, interOpNumThreads: 1 } };

const clients: WorkerClient[] = [];
after(async () => {
  await Promise.all(clients.map((c) => c.terminate()));
});

async function start(modelPath: string, geometry: RingGeometry): Promise<WorkerSession> {
  const { client, session } = await WorkerClient.start('fallback test', modelPath, oneThread, geometry);
  clients.push(client);
  return session;
}

function floatsInput(n: number, seed: number): WireTensor {
  const values = Float32Array.from({ length: n }, (_, i) => seed * 1000 + i);
  return { name: 'X', datatype: 'FP32', shape: [n], data: new Uint8Array(values.buffer) };
}

function pack(tensors: readonly WireTensor[]): PackedInputs {
  return packInputs(tensors.map((t) => ({ ...t, parts: [t.data] })));
}

function floats(tensor: WireTensor): number[] {
  const copy = tensor.data.slice();
  return Array.from(new Float32Array(copy.buffer));
}

function int64s(tensor: WireTensor): bigint[] {
  const copy = tensor.data.slice();
  return Array.from(new BigInt64Array(copy.buffer));
}

function tiled(input: WireTensor): number[] {
  const values = floats(input);
  return Array.from({ length: REPEATS }, () => values).flat();
}

function framed(values: readonly string[]): Uint8Array {
  const out = Buffer.concat(values.flatMap((v) => {
    const body = Buffer.from(v, 'utf8');
    const length = Buffer.alloc(4);
    length.writeUInt32LE(body.length);
    return [length, body];
  }));
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}

describe('instance worker ring: what does not fit a slot', () => {
  it('sends an input bigger than a slot on the side channel (its packed buffer transferred); the small output comes back in the slot', async () => {
    const client = await start(shapeTilePath, SMALL);
    const input = floatsInput(1000, 1); // 4000 bytes
    const packed = pack([input]);
    const result = await client.run(packed, ['SIZE']);
    assert.equal(packed.buffer!.byteLength, 0, 'the oversize request went as a message, its buffer transferred');
    assert.deepEqual(result.outputs.map((o) => [o.name, o.datatype, o.shape]), [['SIZE', 'INT64', [1]]]);
    assert.deepEqual(int64s(result.outputs[0]!), [1000n]);
  });

  it('sends an output bigger than a slot back on the side channel for a request that fitted', async () => {
    const client = await start(shapeTilePath, SMALL);
    const input = floatsInput(64, 2); // 256 bytes in, 2048 bytes out
    const packed = pack([input]);
    const result = await client.run(packed, ['TILED', 'SIZE']);
    assert.equal(packed.buffer!.byteLength > 0, true, 'the request itself fitted its slot');
    assert.deepEqual(result.outputs.map((o) => [o.name, o.datatype, o.shape]), [['TILED', 'FP32', [64 * REPEATS]], ['SIZE', 'INT64', [1]]]);
    assert.deepEqual(floats(result.outputs[0]!), tiled(input));
    assert.deepEqual(int64s(result.outputs[1]!), [64n]);
    assert.ok(result.timings.computeInferNs > 0);
  });

  it('handles both directions at once, and BYTES elements bigger than a slot', async () => {
    const tile = await start(shapeTilePath, SMALL);
    const input = floatsInput(500, 3);
    const result = await tile.run(pack([input]), ['TILED']);
    assert.deepEqual(floats(result.outputs[0]!), tiled(input));

    const bytes = await start(bytesPath, SMALL);
    const values = ['', 'x'.repeat(700), 'ünïcødé '.repeat(90)];
    const data = framed(values);
    const echoed = await bytes.run(pack([{ name: 'IN', datatype: 'BYTES', shape: [3], data }]), ['OUT']);
    assert.deepEqual(echoed.outputs[0]!.shape, [3]);
    assert.deepEqual(Buffer.from(echoed.outputs[0]!.data), Buffer.from(data));
  });

  it('sends a request naming an output the model lacks as a message, and an error text longer than a slot back the same way', async () => {
    const client = await start(shapeTilePath, { slotCount: 1, slotBytes: 256 });
    const name = `NO_SUCH_OUTPUT_${'z'.repeat(300)}`;
    await assert.rejects(client.run(pack([floatsInput(4, 4)]), [name]), (error: Error) => {
      assert.equal(error.message, `'fetches' contains invalid output name: ${name}.`);
      return true;
    });
    const result = await client.run(pack([floatsInput(4, 5)]), ['SIZE']);
    assert.deepEqual(int64s(result.outputs[0]!), [4n]);
  });

  it('keeps inline and oversize executions in flight together matched to their requests', async () => {
    const client = await start(shapeTilePath, SMALL);
    // Sizes in floats: 16 fits both ways; 64 fits in, not out; 400 fits neither way.
    const sizes = [16, 400, 64, 16, 16, 400, 400, 64, 16, 64, 400, 16];
    const inputs = sizes.map((n, i) => floatsInput(n, 10 + i));
    const results = await Promise.all(inputs.map((input) => client.run(pack([input]), ['TILED', 'SIZE'])));
    results.forEach((result, i) => {
      assert.deepEqual(floats(result.outputs[0]!), tiled(inputs[i]!), `execution ${i}`);
      assert.deepEqual(int64s(result.outputs[1]!), [BigInt(sizes[i]!)], `execution ${i}`);
    });
  });
});
