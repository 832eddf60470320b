/** Builds request tensors and reads response tensors in tests. */
import type { InputTensor, OutputTensor } from '../../src/protocol/inference.ts';

function bytesOf(view: ArrayBufferView): Uint8Array {
  return new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
}

export function fp32Input(name: string, shape: number[], values: ArrayLike<number>): InputTensor {
  return { name, datatype: 'FP32', shape, data: bytesOf(Float32Array.from(values)) };
}

export function int64Input(name: string, shape: number[], values: readonly bigint[]): InputTensor {
  return { name, datatype: 'INT64', shape, data: bytesOf(BigInt64Array.from(values)) };
}

export function bytesInput(name: string, shape: number[], values: readonly string[]): InputTensor {
  const parts = values.map((v) => Buffer.from(v, 'utf8'));
  const data = Buffer.alloc(parts.reduce((n, p) => n + 4 + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    data.writeUInt32LE(part.length, offset);
    part.copy(data, offset + 4);
    offset += 4 + part.length;
  }
  return { name, datatype: 'BYTES', shape, data: new Uint8Array(data) };
}

export function readFp32(tensor: OutputTensor): number[] {
  const copy = tensor.data.slice();
  return Array.from(new Float32Array(copy.buffer, 0, copy.byteLength / 4));
}

export function readInt64(tensor: OutputTensor): bigint[] {
  const copy = tensor.data.slice();
  return Array.from(new BigInt64Array(copy.buffer, 0, copy.byteLength / 8));
}

export function readBytes(tensor: OutputTensor): string[] {
  const buf = Buffer.from(tensor.data.buffer, tensor.data.byteOffset, tensor.data.byteLength);
  const out: string[] = [];
  for (let offset = 0; offset < buf.length; ) {
    const n = buf.readUInt32LE(offset);
    out.push(buf.subarray(offset + 4, offset + 4 + n).toString('utf8'));
    offset += 4 + n;
  }
  return out;
}

export function range(n: number, f: (i: number) => number = (i) => i): number[] {
  return Array.from({ length: n }, (_, i) => f(i));
}
