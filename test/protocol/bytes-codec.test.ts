import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  bytesElementsToStrings,
  checkBytesFraming,
  countBytesElements,
  decodeBytesElements,
  encodeBytesElements,
  stringsToBytesElements,
} from '../../src/protocol/bytes-codec.ts';
import { ServerError } from '../../src/protocol/errors.ts';

const u8 = (...bytes: number[]): Uint8Array => Uint8Array.from(bytes);

describe('encodeBytesElements', () => {
  it('frames each element as u32 LE length + bytes', () => {
    const out = encodeBytesElements(['ab', u8(1, 2, 3), '']);
    assert.deepEqual([...out], [2, 0, 0, 0, 97, 98, 3, 0, 0, 0, 1, 2, 3, 0, 0, 0, 0]);
  });

  it('encodes strings as UTF-8 and writes lengths above 255 little-endian', () => {
    assert.deepEqual([...encodeBytesElements(['é'])], [2, 0, 0, 0, 0xc3, 0xa9]);
    const big = encodeBytesElements([new Uint8Array(0x0102)]);
    assert.deepEqual([...big.subarray(0, 4)], [0x02, 0x01, 0, 0]);
    assert.equal(big.byteLength, 4 + 0x0102);
  });

  it('encodes an empty list as an empty buffer', () => {
    assert.equal(encodeBytesElements([]).byteLength, 0);
  });

  it('returns a plain Uint8Array that owns its whole ArrayBuffer (so workers can transfer it)', () => {
    const out = encodeBytesElements(['a', 'bc']);
    assert.equal(Object.getPrototypeOf(out), Uint8Array.prototype);
    assert.equal(out.byteOffset, 0);
    assert.equal(out.buffer.byteLength, out.byteLength);
  });

  it('writes a lone surrogate as the 3 bytes of U+FFFD, with the length to match', () => {
    assert.deepEqual([...encodeBytesElements(['\ud800', 'a'])], [3, 0, 0, 0, 0xef, 0xbf, 0xbd, 1, 0, 0, 0, 97]);
  });
});

describe('decodeBytesElements / countBytesElements', () => {
  it('round-trips and returns views into the input (no copies)', () => {
    const data = encodeBytesElements(['hello', '', 'x']);
    const items = decodeBytesElements(data);
    assert.deepEqual(
      items.map((b) => Buffer.from(b).toString()),
      ['hello', '', 'x'],
    );
    assert.equal(items[0]!.buffer, data.buffer);
    assert.equal(countBytesElements(data), 3);
  });

  it('works on a subarray with a non-zero byteOffset', () => {
    const backing = new Uint8Array(16);
    backing.set(encodeBytesElements(['abc']), 5);
    const view = backing.subarray(5, 12);
    assert.equal(countBytesElements(view), 1);
    assert.equal(Buffer.from(decodeBytesElements(view)[0]!).toString(), 'abc');
  });

  it('reads a length with the top bit set without going negative', () => {
    const data = u8(0, 0, 0, 0x80);
    assert.throws(() => countBytesElements(data), /has length 2147483648 but only 0 bytes remain/);
  });

  it('throws INVALID_ARG on a truncated length prefix', () => {
    const data = u8(1, 0, 0, 0, 65, 9, 9);
    assert.throws(
      () => countBytesElements(data),
      (e: unknown) => e instanceof ServerError && e.code === 'INVALID_ARG' && /length prefix/.test(e.message),
    );
    assert.throws(() => decodeBytesElements(data), ServerError);
  });

  it('throws INVALID_ARG on a truncated element body', () => {
    assert.throws(() => countBytesElements(u8(5, 0, 0, 0, 1, 2)), /has length 5 but only 2 bytes remain/);
  });

  it('counts zero elements in an empty buffer', () => {
    assert.equal(countBytesElements(new Uint8Array(0)), 0);
    assert.deepEqual(decodeBytesElements(new Uint8Array(0)), []);
  });
});

describe('strings', () => {
  it('stringsToBytesElements and bytesElementsToStrings round-trip UTF-8', () => {
    const strings = ['héllo', '', '日本', 'a\u0000b'];
    assert.deepEqual(bytesElementsToStrings(stringsToBytesElements(strings)), strings);
  });

  it('replaces invalid UTF-8 instead of failing', () => {
    assert.deepEqual(bytesElementsToStrings(encodeBytesElements([u8(0xff)])), ['\ufffd']);
  });

  it('decodes from a view at an offset into a larger buffer, and keeps a leading BOM', () => {
    const backing = new Uint8Array(64).fill(0x41);
    const framed = encodeBytesElements(['', '\ufeffa', 'xyz', '']);
    backing.set(framed, 7);
    const view = backing.subarray(7, 7 + framed.byteLength);
    assert.deepEqual(bytesElementsToStrings(view), ['', '\ufeffa', 'xyz', '']);
  });

  it('refuses malformed framing with the INVALID_ARG text', () => {
    assert.throws(() => bytesElementsToStrings(u8(1, 0, 0, 0, 97, 2, 0)), /element 1 needs a 4-byte length prefix but only 2/);
  });
});

describe('checkBytesFraming', () => {
  const three = encodeBytesElements(['a', 'bb', 'ccc']);

  it('accepts exactly the expected number of well-formed elements', () => {
    assert.equal(checkBytesFraming(three, 3), undefined);
    assert.equal(checkBytesFraming(new Uint8Array(0), 0), undefined);
  });

  it('reports too few elements with the count found', () => {
    assert.deepEqual(checkBytesFraming(three, 4), { kind: 'too-few', count: 3 });
    assert.deepEqual(checkBytesFraming(new Uint8Array(0), 1), { kind: 'too-few', count: 0 });
  });

  it('stops at the first surplus element', () => {
    assert.deepEqual(checkBytesFraming(three, 1), { kind: 'too-many', count: 2 });
    assert.deepEqual(checkBytesFraming(three, 0), { kind: 'too-many', count: 1 });
  });

  it('reports a short length prefix with the bytes left', () => {
    const data = new Uint8Array([...three, 7, 7]);
    assert.deepEqual(checkBytesFraming(data, 4), { kind: 'short-prefix', available: 2 });
  });

  it('reports a truncated element with its announced length', () => {
    assert.deepEqual(checkBytesFraming(u8(9, 0, 0, 0, 1, 2, 3), 1), { kind: 'short-data', length: 9, available: 3 });
  });
});
