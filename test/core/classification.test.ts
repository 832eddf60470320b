/**
 * The classification extension's pieces: top-k strings and shapes (batched and not, k beyond the classes, labels,
 * refused types), printf's "%f" and libstdc++'s std::sort reproduced exactly. The last two are checked against the
 * real thing: a small C++ program built with g++ sorts thousands of arrays full of ties (and NaN) with std::sort and
 * prints doubles with "%f"; where g++ is missing that check is skipped with its reason.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { classify, printfFixed } from '../../src/core/classification.ts';
import { stdSort } from '../../src/core/std-sort.ts';
import { decodeBytesElements } from '../../src/protocol/bytes-codec.ts';
import { ResponseError } from '../../src/protocol/errors.ts';
import type { OutputTensor } from '../../src/protocol/inference.ts';
import { tempDir } from '../support/temp-dir.ts';

const fp32 = (shape: number[], values: number[]): OutputTensor => ({ name: 'OUT', datatype: 'FP32', shape, data: new Uint8Array(Float32Array.from(values).buffer) });
const strings = (output: OutputTensor): string[] => decodeBytesElements(output.data).map((b) => Buffer.from(b).toString());

describe('classification', () => {
  it('returns the top k of each batch row as "<value>:<index>[:<label>]", shaped [batch, k]', () => {
    const out = classify(fp32([2, 4], [0.1, 0.9, 0.5, 0.5, 3, 2, 1, 0]), 2, true, ['zero', 'one', '', 'three']);
    assert.equal(out.datatype, 'BYTES');
    assert.deepEqual(out.shape, [2, 2]);
    // Seen on tritonserver 2.51 (differential case "classification two rows").
    assert.deepEqual(strings(out), ['0.900000:1:one', '0.500000:2', '3.000000:0:zero', '2.000000:1:one']);
  });

  it('classifies a non-batching output whole, and clamps k to the classes there are', () => {
    const out = classify(fp32([2, 3], [1, 6, 2, 5, 3, 4]), 10, false, undefined);
    assert.deepEqual(out.shape, [6]);
    assert.deepEqual(strings(out), ['6.000000:1', '5.000000:3', '4.000000:5', '3.000000:4', '2.000000:2', '1.000000:0']);
    assert.deepEqual(classify(fp32([0, 3], []), 2, true, undefined).shape, [0], 'an empty batch');
  });

  it('prints integers in decimal, 64-bit ones exactly', () => {
    const u64: OutputTensor = { name: 'OUT', datatype: 'UINT64', shape: [1, 2], data: new Uint8Array(BigUint64Array.of(18446744073709551615n, 3n).buffer) };
    assert.deepEqual(strings(classify(u64, 2, true, undefined)), ['18446744073709551615:0', '3:1']);
    const i8: OutputTensor = { name: 'OUT', datatype: 'INT8', shape: [1, 4], data: new Uint8Array(Int8Array.of(-128, 127, 0, -1).buffer) };
    assert.deepEqual(strings(classify(i8, 3, true, undefined)), ['127:1', '0:2', '-1:3']);
  });

  it("refuses FP16, BF16, BOOL and BYTES outputs with Triton's text, as an error of the response", () => {
    for (const datatype of ['FP16', 'BF16', 'BOOL', 'BYTES'] as const) {
      const output: OutputTensor = { name: 'OUT', datatype, shape: [1, 2], data: datatype === 'BYTES' ? new Uint8Array(8) : new Uint8Array(4) };
      assert.throws(() => classify(output, 1, true, undefined), (error: Error) => {
        assert.ok(error instanceof ResponseError);
        assert.equal(error.code, 'INVALID_ARG');
        assert.equal(error.message, `class result not available for output due to unsupported type '${datatype}'`);
        return true;
      });
    }
  });

  it('prints floats as printf "%f" does (values seen on tritonserver 2.51)', () => {
    const f = (x: number): string => printfFixed(Math.fround(x));
    assert.equal(f(1e30), '1000000015047466219876688855040.000000');
    assert.equal(f(123456.789), '123456.789062');
    assert.equal(f(0.0078125), '0.007812', 'an exact tie rounds to even');
    assert.equal(f(0.0234375), '0.023438');
    assert.equal(printfFixed(-0), '-0.000000');
    assert.equal(printfFixed(Infinity), 'inf');
    assert.equal(printfFixed(-Infinity), '-inf');
    assert.equal(printfFixed(Number.NaN), 'nan');
    assert.equal(printfFixed(Number.NaN, true), '-nan');
  });
});

/** A C++ program: per input line "n v0 .. vn-1", the indices std::sort orders by `>` and each value as "%f". */
const REFERENCE = `#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <numeric>
#include <string>
#include <vector>
int main() {
  size_t n;
  while (std::cin >> n) {
    std::vector<double> v(n);
    for (auto& x : v) { std::string s; std::cin >> s; x = std::strtod(s.c_str(), nullptr); }
    std::vector<size_t> idx(n);
    std::iota(idx.begin(), idx.end(), 0);
    std::sort(idx.begin(), idx.end(), [&v](size_t a, size_t b) { return v[a] > v[b]; });
    for (size_t i : idx) std::printf("%zu ", i);
    std::printf("|");
    for (double x : v) std::printf(" %f", x);
    std::printf("\\n");
  }
}
`;

function gppMissing(): string | undefined {
  const probe = spawnSync('g++', ['--version']);
  return probe.status === 0 ? undefined : 'g++ is not installed here, so std::sort and printf cannot be run for comparison';
}

describe('std::sort and printf against the C++ library', () => {
  const missing = gppMissing();
  if (missing !== undefined) console.log(`# skipped: ${missing}`);
  it('orders thousands of tie-heavy arrays as std::sort does and prints every value as printf does', { skip: missing }, () => {
    const dir = tempDir();
    const source = path.join(dir, 'reference.cc');
    const binary = path.join(dir, 'reference');
    writeFileSync(source, REFERENCE);
    execFileSync('g++', ['-O1', '-o', binary, source]);
    let seed = 20261206;
    const random = (): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    const arrays: number[][] = [];
    for (let a = 0; a < 2000; a++) {
      const n = a < 40 ? a : Math.floor(random() * 400);
      const distinct = 1 + Math.floor(random() * (a % 3 === 0 ? 3 : 40));
      arrays.push(Array.from({ length: n }, () => {
        const r = random();
        if (r < 0.01) return Number.NaN;
        if (r < 0.02) return (random() - 0.5) * 1e25;
        if (r < 0.03) return Math.floor(random() * 1e6) / 128 / 1e6; // exact ties at the 7th decimal
        return Math.floor(random() * distinct) / 4 - 2;
      }));
    }
    const input = arrays.map((values) => `${values.length} ${values.map((x) => (Number.isNaN(x) ? 'nan' : x.toPrecision(17))).join(' ')}`).join('\n');
    const lines = execFileSync(binary, { input, maxBuffer: 1 << 28 }).toString().trimEnd().split('\n');
    assert.equal(lines.length, arrays.length);
    arrays.forEach((values, a) => {
      const [order, printed] = lines[a]!.split('|');
      const expected = order!.trim() === '' ? [] : order!.trim().split(' ').map(Number);
      const ours = values.map((_, i) => i);
      stdSort(ours, (x, y) => values[x]! > values[y]!);
      assert.deepEqual(ours, expected, `array #${a} (${values.length} values)`);
      const expectedText = printed!.trim() === '' ? [] : printed!.trim().split(' ');
      assert.deepEqual(values.map((x) => printfFixed(x)), expectedText, `printf of array #${a}`);
    });
  });
});
