/**
 * Implicit sequence state kept inside the instance worker (sequence-state-store.ts), driven through a real worker and
 * real ONNX Runtime sessions with the state rows the sequence batcher sends: the initial state at START, the kept state
 * for a continuing row, not-ready padding rows, batches of several sequences (numeric and BYTES state, split per row),
 * END and an explicit drop letting go, a continuing row whose state is gone failing with a clear error, a failed END
 * still letting go, a model without batching, and a request that does not fit its ring slot carrying its state rows on
 * the side channel.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { buildOnnxModel } from '../../scripts/onnx/builder.ts';
import type { SessionStates } from '../../src/instance/messages.ts';
import type { RingGeometry } from '../../src/instance/ring-layout.ts';
import { lostStateMessage } from '../../src/instance/sequence-state-store.ts';
import { WorkerClient } from '../../src/instance/worker-client.ts';
import { STATE_END, STATE_NOT_READY, STATE_START, type StateRow } from '../../src/protocol/execution.ts';
import { inputsInPlace } from '../../src/protocol/packed-inputs.ts';
import type { WireTensor } from '../../src/protocol/wire-tensor.ts';
import { tempDir } from '../support/temp-dir.ts';

const dir = tempDir();
const oneThread = { session: { intraOpNumThreads: 1, interOpNumThreads: 1 } };

/** OUTPUT = STATE_OUT = STATE_IN + INPUT, shaped [batch, 1] (or [1] without batching). */
function accumulatorPath(batched: boolean): string {
  const shape = batched ? ['batch', 1] : [1];
  const file = path.join(dir, batched ? 'accumulator.onnx' : 'accumulator_nobatch.onnx');
  writeFileSync(file, buildOnnxModel({
    name: 'accumulator',
    inputs: [{ name: 'INPUT', type: 'float', shape }, { name: 'STATE_IN', type: 'float', shape }],
    outputs: [{ name: 'OUTPUT', type: 'float', shape }, { name: 'STATE_OUT', type: 'float', shape }],
    nodes: [
      { op: 'Add', inputs: ['STATE_IN', 'INPUT'], outputs: ['OUTPUT'] },
      { op: 'Add', inputs: ['STATE_IN', 'INPUT'], outputs: ['STATE_OUT'] },
    ],
  }));
  return file;
}

/** BYTES: OUTPUT = STATE_IN (the previous request's INPUT), STATE_OUT = INPUT; shaped [batch, 2]. */
function previousTextPath(): string {
  const file = path.join(dir, 'previous_text.onnx');
  const shape = ['batch', 2];
  writeFileSync(file, buildOnnxModel({
    name: 'previous_text',
    inputs: [{ name: 'INPUT', type: 'string', shape }, { name: 'STATE_IN', type: 'string', shape }],
    outputs: [{ name: 'OUTPUT', type: 'string', shape }, { name: 'STATE_OUT', type: 'string', shape }],
    nodes: [
      { op: 'Identity', inputs: ['STATE_IN'], outputs: ['OUTPUT'] },
      { op: 'Identity', inputs: ['INPUT'], outputs: ['STATE_OUT'] },
    ],
  }));
  return file;
}

const fp32 = (values: number[]): Uint8Array => new Uint8Array(Float32Array.from(values).buffer);
const readFp32 = (tensor: WireTensor): number[] => Array.from(new Float32Array(tensor.data.slice().buffer));

function framed(values: readonly string[]): Uint8Array {
  return new Uint8Array(Buffer.concat(values.flatMap((v) => {
    const length = Buffer.alloc(4);
    length.writeUInt32LE(Buffer.byteLength(v));
    return [length, Buffer.from(v)];
  })));
}

function unframed(data: Uint8Array): string[] {
  const out: string[] = [];
  const buffer = Buffer.from(data);
  for (let at = 0; at < buffer.length;) {
    const length = buffer.readUInt32LE(at);
    out.push(buffer.subarray(at + 4, at + 4 + length).toString());
    at += 4 + length;
  }
  return out;
}

const ACCUMULATOR_STATES = (batched: boolean, start: number): SessionStates => ({
  batched,
  specs: [{ inputName: 'STATE_IN', outputName: 'STATE_OUT', datatype: 'FP32', shape: [1], initial: fp32([start]) }],
});

const clients: WorkerClient[] = [];
after(async () => {
  await Promise.all(clients.map((c) => c.terminate()));
});

async function open(modelPath: string, states: SessionStates, geometry?: RingGeometry) {
  const client = WorkerClient.launch('state test', geometry);
  clients.push(client);
  const { session } = await client.load(modelPath, oneThread, states);
  return { client, session };
}

const row = (key: number, flags = 0): StateRow => ({ key, flags });

describe('implicit state kept in the instance worker', () => {
  it('feeds the initial state at START and the kept one after, per sequence, across batches with not-ready rows', async () => {
    const { client, session } = await open(accumulatorPath(true), ACCUMULATOR_STATES(true, 100));
    const run = async (values: number[], rows: StateRow[]): Promise<number[]> => {
      const result = await client.run(session, inputsInPlace([{ name: 'INPUT', datatype: 'FP32', shape: [values.length, 1], data: fp32(values) }]), ['OUTPUT'], rows);
      assert.deepEqual(result.outputs.map((o) => o.name), ['OUTPUT'], 'the state output stays in the worker');
      return readFp32(result.outputs[0]!);
    };
    assert.deepEqual(await run([1, 0, 10], [row(1, STATE_START), row(0, STATE_NOT_READY), row(2, STATE_START)]), [101, 100, 110]);
    assert.equal(await client.dropStates(session, []), 2, 'a not-ready row keeps nothing');
    assert.deepEqual(await run([2], [row(1)]), [103]);
    assert.deepEqual(await run([20, 3], [row(2), row(1)]), [130, 106], 'rows in any order find their own state');
    assert.deepEqual(await run([5], [row(1, STATE_START)]), [105], 'START again begins from the initial state');
    assert.deepEqual(await run([1, 1], [row(1, STATE_END), row(2)]), [106, 131]);
    assert.equal(await client.dropStates(session, []), 1, 'END lets the state go');
    assert.equal(await client.dropStates(session, [2]), 0);
    await assert.rejects(run([1], [row(2)]), (error: Error) => error.message === lostStateMessage());
  });

  it('lets an ending sequence go even when its last execution fails, and keeps the others', async () => {
    const { client, session } = await open(accumulatorPath(true), ACCUMULATOR_STATES(true, 0));
    const input = (n: number): WireTensor => ({ name: 'INPUT', datatype: 'FP32', shape: [n, 1], data: fp32(new Array<number>(n).fill(1)) });
    await client.run(session, inputsInPlace([input(2)]), ['OUTPUT'], [row(7, STATE_START), row(8, STATE_START)]);
    assert.equal(await client.dropStates(session, []), 2);
    // Three rows of input for two state rows: ONNX Runtime refuses the shapes; sequence 7 was ending.
    await assert.rejects(client.run(session, inputsInPlace([input(3)]), ['OUTPUT'], [row(7, STATE_END), row(8)]));
    assert.equal(await client.dropStates(session, []), 1);
    const result = await client.run(session, inputsInPlace([input(1)]), ['OUTPUT'], [row(8)]);
    assert.deepEqual(readFp32(result.outputs[0]!), [2], "sequence 8's state is untouched by the failed execution");
  });

  it('splits a batch of BYTES state per sequence', async () => {
    const states: SessionStates = { batched: true, specs: [{ inputName: 'STATE_IN', outputName: 'STATE_OUT', datatype: 'BYTES', shape: [2], initial: framed(['', '']) }] };
    const { client, session } = await open(previousTextPath(), states);
    const run = async (values: string[], rows: StateRow[]): Promise<string[]> => {
      const result = await client.run(session, inputsInPlace([{ name: 'INPUT', datatype: 'BYTES', shape: [rows.length, 2], data: framed(values) }]), ['OUTPUT'], rows);
      return unframed(result.outputs[0]!.data);
    };
    assert.deepEqual(await run(['a', 'bb', 'ccc', 'd'], [row(1, STATE_START), row(2, STATE_START)]), ['', '', '', '']);
    assert.deepEqual(await run(['x', 'y'], [row(2)]), ['ccc', 'd']);
    assert.deepEqual(await run(['p', 'q', 'r', 's'], [row(2), row(1)]), ['x', 'y', 'a', 'bb']);
  });

  it('serves a model without batching, and a request that does not fit its ring slot (side channel)', async () => {
    const plain = await open(accumulatorPath(false), ACCUMULATOR_STATES(false, 1));
    const one = (value: number): WireTensor => ({ name: 'INPUT', datatype: 'FP32', shape: [1], data: fp32([value]) });
    await plain.client.run(plain.session, inputsInPlace([one(1)]), ['OUTPUT'], [row(3, STATE_START)]);
    const second = await plain.client.run(plain.session, inputsInPlace([one(2)]), ['OUTPUT'], [row(3)]);
    assert.deepEqual(readFp32(second.outputs[0]!), [4]);

    // 256-byte slots: a 40-row request does not fit and crosses as a side-channel message with its state rows.
    const small = await open(accumulatorPath(true), ACCUMULATOR_STATES(true, 0), { slotCount: 2, slotBytes: 256 });
    const rows = Array.from({ length: 40 }, (_, i) => row(i + 1, STATE_START));
    const values = Array.from({ length: 40 }, (_, i) => i);
    await small.client.run(small.session, inputsInPlace([{ name: 'INPUT', datatype: 'FP32', shape: [40, 1], data: fp32(values) }]), ['OUTPUT'], rows);
    const again = await small.client.run(small.session, inputsInPlace([{ name: 'INPUT', datatype: 'FP32', shape: [40, 1], data: fp32(values) }]), ['OUTPUT'], rows.map((r) => row(r.key)));
    assert.deepEqual(readFp32(again.outputs[0]!), values.map((v) => 2 * v));
    assert.equal(await small.client.dropStates(small.session, []), 40);
  });
});
