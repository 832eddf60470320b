/**
 * Vectors recorded from libstdc++ 12 (g++ -std=c++17: std::hash<std::string> and an unordered_map's iteration order)
 * and from tritonserver 2.51, whose errors name the first bad input in that order.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { stdStringHash, tritonInputOrder } from '../../src/core/triton-input-order.ts';

const order = (names: string[]): string[] => tritonInputOrder(names).map((i) => names[i]!);

describe('tritonInputOrder', () => {
  it("hashes names as libstdc++'s std::hash<std::string> does (tail bytes, 8-byte blocks, UTF-8)", () => {
    assert.equal(stdStringHash(''), 6142509188972423790n);
    assert.equal(stdStringHash('a'), 4993892634952068459n);
    assert.equal(stdStringHash('INPUT0'), 2526639154658133543n);
    assert.equal(stdStringHash('abcdefghij'), 18042067762304121004n);
    assert.equal(stdStringHash('héllo'), 18187499133745458422n);
  });

  it('iterates few distinct buckets in reverse insertion order', () => {
    assert.deepEqual(order(['INPUT0', 'INPUT1', 'INPUT2']), ['INPUT2', 'INPUT1', 'INPUT0']);
    assert.deepEqual(order(['p', 'q', 'r']), ['r', 'q', 'p']);
    assert.deepEqual(order(['x', 'y']), ['y', 'x']);
    assert.deepEqual(order(['q', 'p']), ['p', 'q']);
  });

  it('orders 12 inputs as tritonserver 2.51 checked them (its wrong-shape error named c, then f)', () => {
    assert.deepEqual(order(['h', 'x1', 'a', 'INPUT0', 'f', 'g', 'd', 'bar', 'e', 'b', 'foo', 'c']),
      ['c', 'e', 'f', 'bar', 'INPUT0', 'foo', 'd', 'a', 'g', 'x1', 'b', 'h']);
    assert.deepEqual(order(['INPUT0', 'x1', 'e', 'b', 'c', 'd', 'f', 'bar', 'foo', 'g', 'a', 'h']),
      ['f', 'a', 'foo', 'd', 'c', 'h', 'b', 'e', 'g', 'x1', 'bar', 'INPUT0']);
  });

  it('rehashes at 14 elements (13 → 29 buckets) as libstdc++ does', () => {
    assert.deepEqual(order(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l', 'm', 'n', 'o', 'p', 'q']),
      ['q', 'o', 'a', 'b', 'p', 'h', 'n', 'd', 'k', 'c', 'i', 'f', 'g', 'e', 'j', 'l', 'm']);
  });
});
