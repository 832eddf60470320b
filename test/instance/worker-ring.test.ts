/**
 * The shared-memory ring between the main thread and an instance worker, with real workers and real ONNX Runtime
 * sessions: every datatype the protocol and onnxruntime-node share (BYTES included) crosses a slot and comes back
 * bit for bit, empty tensors too, and results never alias the slot that the next execution reuses.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import type { OnnxElemType } from '../../scripts/onnx/builder.ts';
import { addModel } from '../../scripts/onnx/test-models.ts';
import { WorkerClient, type WorkerSession } from '../../src/instance/worker-client.ts';
import type { Datatype } from '../../src/protocol/datatypes.ts';
import { inputsInPlace, packInputs, type PackedInputs } from '../../src/protocol/packed-inputs.ts';
import type { WireTensor } from '../../src/protocol/wire-tensor.ts';
import { tempDir } from '../support/temp-dir.ts';

/** Every datatype onnxruntime-node can carry (BF16 it cannot load at all), with its ONNX element type. */
const TYPES: readonly [Datatype, OnnxElemType, number][] = [
  ['BOOL', 'bool', 1],
  ['UINT8', 'uint8', 1],
  ['INT8', 'int8', 1],
  ['UINT16', 'uint16', 2],
  ['INT16', 'int16', 2],
  ['UINT32', 'uint32', 4],
  ['INT32', 'int32', 4],
  ['UINT64', 'uint64', 8],
  ['INT64', 'int64', 8],
  ['FP16', 'float16', 2],
  ['FP32', 'float', 4],
  ['FP64', 'double', 8],
  ['BYTES', 'string', 0],
];

const dir = tempDir();
const identityPath = path.join(dir, 'identity_all.onnx');
writeFileSync(
  identityPath,
  addModel({
    mode: 'identity',
    inputs: TYPES.map(([d, type]) => ({ name: `IN_${d}`, type, shape: ['n'] })),
    outputs: TYPES.map(([d, type]) => ({ name: `OUT_${d}`, type, shape: ['n'] })),
  }),
);
const OUTPUT_NAMES = TYPES.map(([d]) => `OUT_${d}`);
const oneThread = { session: { intraOpNumThreads: 1, interOpNumThreads: 1 } };

const clients: WorkerClient[] = [];
after(async () => {
  await Promise.all(clients.map((c) => c.terminate()));
});

async function start(): Promise<WorkerSession> {
  const { client, session } = await WorkerClient.start('ring test', identityPath, oneThread);
  clients.push(client);
  return session;
}

function framed(values: readonly string[]): Uint8Array {
  const parts = values.map((v) => Buffer.from(v, 'utf8'));
  const out = Buffer.alloc(parts.reduce((n, p) => n + 4 + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.writeUInt32LE(part.length, offset);
    part.copy(out, offset + 4);
    offset += 4 + part.length;
  }
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}

/** n elements of every type; `seed` varies the bytes so that two requests differ everywhere. */
function inputsOf(n: number, seed: number): WireTensor[] {
  return TYPES.map(([datatype, , size]) => {
    let data: Uint8Array;
    if (datatype === 'BYTES') {
      data = framed(Array.from({ length: n }, (_, i) => (i % 3 === 0 ? '' : `élément ${seed}·${i} ✓`.repeat(i % 4))));
    } else {
      data = new Uint8Array(n * size);
      for (let i = 0; i < data.length; i++) data[i] = datatype === 'BOOL' ? (i + seed) % 2 : (i * 31 + seed * 7 + size) & 0xff;
    }
    return { name: `IN_${datatype}`, datatype, shape: [n], data };
  });
}

function pack(tensors: readonly WireTensor[]): PackedInputs {
  return packInputs(tensors.map((t) => ({ ...t, parts: [t.data] })));
}

function assertEcho(outputs: readonly WireTensor[], inputs: readonly WireTensor[]): void {
  assert.deepEqual(outputs.map((o) => o.name), OUTPUT_NAMES);
  outputs.forEach((output, i) => {
    const input = inputs[i]!;
    assert.equal(output.datatype, input.datatype, output.name);
    assert.deepEqual(output.shape, input.shape, output.name);
    assert.deepEqual(Buffer.from(output.data), Buffer.from(input.data), `${output.name}: bytes`);
    assert.ok(!(output.data.buffer instanceof SharedArrayBuffer), `${output.name} must not view the ring's shared memory`);
  });
}

describe('instance worker ring', () => {
  it('carries every datatype, BYTES included, through a slot and back bit for bit', async () => {
    const client = await start();
    const inputs = inputsOf(7, 1);
    const packed = pack(inputs);
    const result = await client.run(packed, OUTPUT_NAMES);
    assertEcho(result.outputs, inputs);
    assert.equal(packed.buffer!.byteLength > 0, true, 'a request that fits a slot is copied, its buffer never detached');
    assert.ok(result.timings.computeInferNs > 0 && result.timings.endedAtMs >= result.timings.startedAtMs);
  });

  it('carries empty tensors (a zero dimension) of every datatype', async () => {
    const client = await start();
    const inputs = inputsOf(0, 2);
    const result = await client.run(pack(inputs), OUTPUT_NAMES);
    assertEcho(result.outputs, inputs);
    assert.ok(result.outputs.every((o) => o.data.byteLength === 0));
  });

  it('takes the callers’ tensors in place (no packed buffer) and leaves their bytes untouched', async () => {
    const client = await start();
    const inputs = inputsOf(5, 3);
    const before = inputs.map((t) => Buffer.from(t.data));
    const result = await client.run(inputsInPlace(inputs), OUTPUT_NAMES);
    assertEcho(result.outputs, inputs);
    assert.deepEqual(inputs.map((t) => Buffer.from(t.data)), before);
  });

  it('returns only the outputs asked for, in the order asked for', async () => {
    const client = await start();
    const inputs = inputsOf(3, 4);
    const result = await client.run(pack(inputs), ['OUT_BYTES', 'OUT_FP16', 'OUT_BOOL']);
    assert.deepEqual(result.outputs.map((o) => [o.name, o.datatype]), [['OUT_BYTES', 'BYTES'], ['OUT_FP16', 'FP16'], ['OUT_BOOL', 'BOOL']]);
    assert.deepEqual(Buffer.from(result.outputs[0]!.data), Buffer.from(inputs[12]!.data));
    assert.deepEqual(Buffer.from(result.outputs[1]!.data), Buffer.from(inputs[9]!.data));
  });

  it('hands out results that later executions in the same slots do not change', async () => {
    const client = await start();
    const first = inputsOf(9, 5);
    const kept = await client.run(pack(first), OUTPUT_NAMES);
    // More executions than the ring has slots, so every slot is written again while `kept` is held.
    for (let seed = 6; seed < 16; seed++) await client.run(pack(inputsOf(9, seed)), OUTPUT_NAMES);
    assertEcho(kept.outputs, first);
  });

  it('keeps many executions in flight on one worker and matches each result to its request', async () => {
    const client = await start();
    const requests = Array.from({ length: 40 }, (_, i) => inputsOf(1 + (i % 6), 100 + i));
    const results = await Promise.all(requests.map((inputs) => client.run(pack(inputs), OUTPUT_NAMES)));
    results.forEach((result, i) => assertEcho(result.outputs, requests[i]!));
    for (let i = 1; i < results.length; i++) {
      assert.ok(results[i]!.timings.startedAtMs >= results[i - 1]!.timings.endedAtMs, 'the worker runs its executions one after another, in order');
    }
  });

  it('keeps ONNX Runtime’s error text for a failed execution and serves the next one', async () => {
    const client = await start();
    const inputs = inputsOf(4, 7);
    const bad = inputs.map((t, i) => (i === 0 ? { ...t, shape: [2, 2] } : t));
    await assert.rejects(client.run(pack(bad), OUTPUT_NAMES), (error: Error) => {
      assert.equal(error.message, 'Invalid rank for input: IN_BOOL Got: 2 Expected: 1 Please fix either the inputs/outputs or the model.');
      return true;
    });
    assertEcho((await client.run(pack(inputs), OUTPUT_NAMES)).outputs, inputs);
  });
});
