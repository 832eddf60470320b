/**
 * Text-format lexical rules (comments, whitespace, strings, numbers, bools) on a test schema with every scalar type.
 */
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import protobuf from 'protobufjs';

import { parseTextFormat, TextFormatError } from '../../src/config/pbtxt/parse-text-format.ts';

const root = new protobuf.Root().loadSync(fileURLToPath(new URL('./fixtures/pbtxt/test_types.proto', import.meta.url)), {
  keepCase: true,
});
root.resolveAll();
const Scalars = root.lookupType('pbtxt_test.Scalars');

const parse = (text: string): Record<string, unknown> => parseTextFormat(Scalars, text, 't.pbtxt');

/** Asserts that parsing throws a TextFormatError at line:column whose reason matches `pattern`. */
function assertParseError(text: string, line: number, column: number, pattern: RegExp): void {
  assert.throws(
    () => parse(text),
    (error: unknown) => {
      assert.ok(error instanceof TextFormatError, `not a TextFormatError: ${String(error)}`);
      assert.match(error.reason, pattern);
      assert.deepEqual([error.line, error.column], [line, column], error.message);
      return true;
    },
  );
}

describe('pbtxt comments and whitespace', () => {
  it('skips # comments anywhere whitespace may go', () => {
    const text = [
      '# leading comment',
      'i32 # between name and colon',
      ': # between colon and value',
      '- # between minus and number',
      '5 # after value',
      'ri: [ # in a list',
      '  1, # after an element',
      '  2 # before the closer',
      '] s: "a # not a comment" # trailing',
      '# last line without newline',
    ].join('\n');
    assert.deepEqual(parse(text), { i32: -5, ri: [1, 2], s: 'a # not a comment' });
  });

  it('accepts space, \\t, \\n, \\r, \\v and \\f as whitespace', () => {
    assert.deepEqual(parse('\t i32:\v5\f\r\nu32\r\n:\t\t7 \v'), { i32: 5, u32: 7 });
  });

  it('treats an empty, whitespace-only or comment-only text as the empty message', () => {
    assert.deepEqual(parse(''), {});
    assert.deepEqual(parse(' \n\t\r\n'), {});
    assert.deepEqual(parse('# nothing here\n   # at all'), {});
  });

  it('rejects control characters, non-ASCII characters outside strings and a byte order mark', () => {
    assertParseError('i32: 1\n\x01', 2, 1, /invalid control character U\+0001/);
    assertParseError('s: "a"\n  é: 1', 2, 3, /unexpected character "é" \(U\+00E9\) outside a string literal/);
    assertParseError('\uFEFFi32: 1', 1, 1, /byte order mark/);
  });
});

describe('pbtxt string literals', () => {
  it('takes double- and single-quoted literals, each quote allowed inside the other', () => {
    assert.deepEqual(parse(`s: "it's" rs: 'say "hi"' rs: ""`), { s: "it's", rs: ['say "hi"', ''] });
  });

  it('concatenates adjacent literals, also across lines and comments and inside lists', () => {
    assert.deepEqual(parse(`s: "a" 'b'\n  # c\n "c"\nrs: ["x" "y", 'z']`), { s: 'abc', rs: ['xy', 'z'] });
  });

  it('decodes the simple escapes \\a \\b \\f \\n \\r \\t \\v \\? \\\\ \\\' \\"', () => {
    assert.deepEqual(parse(String.raw`s: "\a\b\f\n\r\t\v\?\\\'\""`), { s: '\x07\b\f\n\r\t\v?\\\'"' });
  });

  it('decodes octal escapes of one to three digits and hex escapes of one or two digits', () => {
    assert.deepEqual(parse(String.raw`s: "\0|\12|\101|\1011|\x41|\x4|\X414|\7"`), { s: '\0|\n|A|A1|A|\x04|A4|\x07' });
  });

  it('decodes \\u, \\U and surrogate pairs as UTF-8 and keeps raw non-ASCII text', () => {
    assert.deepEqual(parse(String.raw`s: "\u00e9\U0001F600\ud83d\ude00 ñ😀"`), { s: 'é😀😀 ñ😀' });
  });

  it('keeps raw bytes for bytes fields, escapes and UTF-8 text alike', () => {
    const object = parse(String.raw`by: "\377\x00a" '\xfeé' rby: ["\001", ""]`);
    assert.deepEqual(object['by'], Uint8Array.from([0xff, 0x00, 0x61, 0xfe, 0xc3, 0xa9]));
    assert.deepEqual(object['rby'], [Uint8Array.from([1]), Uint8Array.from([])]);
    const message = Scalars.toObject(Scalars.fromObject(object)) as { by: Uint8Array };
    assert.deepEqual([...message.by], [0xff, 0x00, 0x61, 0xfe, 0xc3, 0xa9]);
  });

  it('rejects a raw newline, a missing closing quote and bad escapes, at the offending spot', () => {
    assertParseError('s: "abc\ndef"', 1, 8, /Multiline strings are not allowed/);
    assertParseError("i32: 1\ns: 'abc", 2, 4, /unterminated string literal/);
    assertParseError(String.raw`s: "a\qb"`, 1, 6, /invalid escape sequence "\\q"/);
    assertParseError(String.raw`s: "\xg"`, 1, 5, /expected hex digits after "\\x"/);
    assertParseError(String.raw`s: "\u12"`, 1, 5, /four hex digits after "\\u"/);
    assertParseError(String.raw`s: "\U00110000"`, 1, 5, /beyond the last Unicode code point/);
    assertParseError(String.raw`s: "\777"`, 1, 5, /octal escape "\\777" is above \\377/);
  });

  it('rejects string-field literals that are not UTF-8 (a bytes field takes them)', () => {
    assertParseError(String.raw`s: "ok" "\377"`, 1, 4, /string field "s" is not valid UTF-8/);
    assertParseError(String.raw`s: "\ud800"`, 1, 4, /not valid UTF-8/);
    assert.deepEqual(parse(String.raw`by: "\ud800"`)['by'], Uint8Array.from([0xed, 0xa0, 0x80]));
  });

  it('requires a string literal for string fields', () => {
    assertParseError('s: abc', 1, 4, /expected a string for string field "s", found "abc"/);
    assertParseError('s: 5', 1, 4, /expected a string for string field "s", found "5"/);
  });
});

describe('pbtxt integers', () => {
  it('reads decimal, hex and octal integers', () => {
    assert.deepEqual(parse('i32: 0x7fffffff u32: 0X1F s32: 017 sf32: 0 f32: 00 ri: [10, 0xa, 012]'), {
      i32: 2147483647, u32: 31, s32: 15, sf32: 0, f32: 0, ri: [10, 10, 10],
    });
  });

  it('takes "-" as a token of its own, whitespace and comments allowed after it', () => {
    assert.deepEqual(parse('i32: - 5 s32: -\n # c\n 0x10 ri: [-1, - 2]'), { i32: -5, s32: -16, ri: [-1, -2] });
  });

  it('checks the 32-bit ranges; unsigned types reject negatives', () => {
    assert.deepEqual(parse('i32: -2147483648 u32: 4294967295 sf32: -0x80000000 f32: 0xffffffff'), {
      i32: -2147483648, u32: 4294967295, sf32: -2147483648, f32: 4294967295,
    });
    assertParseError('i32: 2147483648', 1, 6, /integer 2147483648 is out of range for int32 field "i32" \(-2147483648 to 2147483647\)/);
    assertParseError('s32: -2147483649', 1, 6, /out of range for sint32 field "s32"/);
    assertParseError('u32: 4294967296', 1, 6, /out of range for uint32 field "u32"/);
    assertParseError('u32: -1', 1, 6, /expected a non-negative integer for uint32 field "u32", found "-"/);
    assertParseError('f32: -0', 1, 6, /non-negative integer for fixed32/);
  });

  it('keeps 64-bit integers exact beyond 2^53 (decimal strings protobufjs understands)', () => {
    const object = parse(
      'i64: 9223372036854775807 s64: -9223372036854775808 u64: 18446744073709551615 f64: 0xffffffffffffffff ' +
        'sf64: 9007199254740993 ri: [1]',
    );
    assert.deepEqual(object, {
      i64: '9223372036854775807', s64: '-9223372036854775808', u64: '18446744073709551615',
      f64: '18446744073709551615', sf64: '9007199254740993', ri: [1],
    });
    const message = Scalars.toObject(Scalars.fromObject(object), { longs: String });
    assert.equal(message['i64'], '9223372036854775807');
    assert.equal(message['s64'], '-9223372036854775808');
    assert.equal(message['u64'], '18446744073709551615');
    assert.equal(message['sf64'], '9007199254740993');
    assert.deepEqual(parse('i64: -42 u64: 0x10'), { i64: -42, u64: 16 });
  });

  it('checks the 64-bit ranges', () => {
    assertParseError('i64: 9223372036854775808', 1, 6, /out of range for int64 field "i64"/);
    assertParseError('sf64: -9223372036854775809', 1, 7, /out of range for sfixed64 field "sf64"/);
    assertParseError('u64: 18446744073709551616', 1, 6, /out of range for uint64 field "u64"/);
    assertParseError('u64: -1', 1, 6, /non-negative integer for uint64 field "u64"/);
  });

  it('rejects floats, identifiers and strings for integer fields', () => {
    assertParseError('i32: 1.5', 1, 6, /expected an integer for int32 field "i32", found "1.5"/);
    assertParseError('i32: 1e3', 1, 6, /expected an integer/);
    assertParseError('i64: x', 1, 6, /expected an integer for int64 field "i64", found "x"/);
    assertParseError('u64: "1"', 1, 6, /expected an integer for uint64 field "u64", found "1"/);
  });

  it('rejects a number directly followed by an identifier, and malformed numbers', () => {
    assertParseError('i32: 10bar', 1, 8, /need space between number "10" and identifier/);
    assertParseError('fl: 1.5fx', 1, 9, /need space between number/);
    assertParseError('i32: 0x', 1, 8, /"0x" must be followed by hex digits/);
    assertParseError('i32: 08', 1, 6, /leading zero must be in octal/);
    assertParseError('fl: 1e', 1, 7, /"e" must be followed by an exponent/);
    assertParseError('fl: 1.2.3', 1, 8, /already saw decimal point or exponent/);
    assertParseError('fl: 0x1.5', 1, 8, /hex and octal numbers must be integers/);
    assertParseError('fl: inf.5', 1, 8, /need space between identifier and decimal point/);
  });
});

describe('pbtxt floats', () => {
  it('reads 1. .5 1e3 1.5f 10f and exponent forms', () => {
    assert.deepEqual(parse('rf: [1., .5, 1e3, 1.5f, 10f, 2.5E-1, 2e+2F, 0f, 1.e1] db: 0.1'), {
      rf: [1, 0.5, 1000, 1.5, 10, 0.25, 200, 0, 10], db: 0.1,
    });
  });

  it('reads inf, infinity and nan in any case, with an optional "-"', () => {
    const object = parse('rf: [inf, INF, Infinity, -inf, - InFiNiTy, nan, NaN, -nan]');
    assert.deepEqual(object['rf'], [Infinity, Infinity, Infinity, -Infinity, -Infinity, NaN, NaN, NaN]);
  });

  it('accepts decimal integers for float and double fields, even beyond uint64', () => {
    assert.deepEqual(parse('fl: 3 db: -7 rf: [0, 1] '), { fl: 3, db: -7, rf: [0, 1] });
    assert.deepEqual(parse('db: 100000000000000000000000'), { db: 1e23 });
  });

  it('turns a float beyond the float range into infinity, but not a double', () => {
    assert.deepEqual(parse('fl: 1e39 db: 1e39'), { fl: Infinity, db: 1e39 });
  });

  it('rejects hex/octal integers, other identifiers and strings for floats', () => {
    assertParseError('fl: 0x10', 1, 5, /expected a decimal number for float field "fl", found 0x10/);
    assertParseError('db: 010', 1, 5, /expected a decimal number for double field "db"/);
    assertParseError('db: infinite', 1, 5, /expected a number for double field "db", found "infinite"/);
    assertParseError('fl: "1"', 1, 5, /expected a number for float field "fl"/);
  });
});

describe('pbtxt bools', () => {
  it('accepts true/false/True/False/t/f and 0/1 in any integer spelling', () => {
    assert.deepEqual(parse('rb: [true, false, True, False, t, f, 1, 0, 0x1, 0x0, 01, 00] b: True'), {
      rb: [true, false, true, false, true, false, true, false, true, false, true, false], b: true,
    });
  });

  it('rejects other values', () => {
    assertParseError('b: 2', 1, 4, /Invalid value for boolean field "b"\. Value: "2"/);
    assertParseError('b: TRUE', 1, 4, /Invalid value for boolean field "b"\. Value: "TRUE"\./);
    assertParseError('b: yes', 1, 4, /Invalid value for boolean field "b"\. Value: "yes"\./);
    assertParseError('b: "true"', 1, 4, /expected true or false for boolean field "b"/);
    assertParseError('b: -1', 1, 4, /expected true or false for boolean field "b", found "-"/);
    assertParseError('b: 1.0', 1, 4, /expected true or false/);
  });
});

describe('pbtxt enums', () => {
  it('takes a value by name or by number; known numbers come back as names', () => {
    assert.deepEqual(parse('color: BLUE rc: [RED, 1, 0x2]'), { color: 'BLUE', rc: ['RED', 'GREEN', 'BLUE'] });
  });

  it('keeps unknown numbers of an open (proto3) enum, as C++ does', () => {
    assert.deepEqual(parse('color: 7 rc: [-3]'), { color: 7, rc: [-3] });
  });

  it('rejects unknown names, listing the known ones', () => {
    assertParseError('color: PURPLE', 1, 8, /Unknown enumeration value of "PURPLE" for field "color"\. Expected one of: RED, GREEN, BLUE\./);
    assertParseError('color: blue', 1, 8, /Unknown enumeration value of "blue"/);
    assertParseError('color: "BLUE"', 1, 8, /expected an enum value name or number for field "color"/);
    assertParseError('color: 2147483648', 1, 8, /out of range for enum field "color"/);
  });

  it('rejects unknown numbers of a closed (proto2) enum', () => {
    const closed = protobuf.parse('syntax = "proto2"; package p2; enum E { ONE = 1; TWO = 2; } message H { optional E e = 1; }', {
      keepCase: true,
    }).root;
    closed.resolveAll();
    const holder = closed.lookupType('p2.H');
    assert.deepEqual(parseTextFormat(holder, 'e: 2', 'x'), { e: 'TWO' });
    assert.throws(() => parseTextFormat(holder, 'e: 3', 'x'), /x:1:4: Unknown enumeration value of "3" for field "e"\./);
  });
});
