import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ServerError } from '../../src/protocol/errors.ts';
import { decodeInferRequest } from '../../src/transport/http/infer-request-decoder.ts';
import { findJsonSyntaxError } from '../../src/transport/http/json-syntax-error.ts';

function parseFailure(body: Buffer): ServerError {
  try {
    decodeInferRequest(body, undefined, 'm', () => assert.fail('not a raw request'));
  } catch (error) {
    assert.ok(error instanceof ServerError);
    return error;
  }
  return assert.fail('expected a parse error');
}

function located(text: string | Buffer): string | undefined {
  const found = findJsonSyntaxError(typeof text === 'string' ? Buffer.from(text, 'utf8') : text);
  return found && `${found.message} at ${found.offset}`;
}

describe('HTTP infer request decoder: JSON parse errors', () => {
  it("reports rapidjson's message and byte offset, with code INTERNAL", () => {
    const cases: [string, string][] = [
      ['   ', 'The document is empty. at 3'],
      ['{', 'Missing a name for object member. at 1'],
      ['{"a"', 'Missing a colon after a name of object member. at 4'],
      ['{"a":}', 'Invalid value. at 5'],
      ['{"a":1 "b":2}', "Missing a comma or '}' after an object member. at 7"],
      ['{"a":1,}', 'Missing a name for object member. at 7'],
      ['[1 2]', "Missing a comma or ']' after an array element. at 3"],
      ['[1,]', 'Invalid value. at 3'],
      ['{"a":tru}', 'Invalid value. at 8'],
      ['{"a":"\\q"}', 'Invalid escape character in string. at 6'],
      ['{"a":"\\u12G4"}', 'Incorrect hex digit after \\u escape in string. at 6'],
      ['{"a":"abc', 'Missing a closing quotation mark in string. at 9'],
      ['{"a":"a\tb"}', 'Invalid escape character in string. at 7'],
      ['{"a":1.}', 'Miss fraction part in number. at 7'],
      ['{"a":1e}', 'Miss exponent in number. at 7'],
      ['{"a":-}', 'Invalid value. at 6'],
      ['{"a":01}', "Missing a comma or '}' after an object member. at 6"],
      ['{}  x', 'The document root must not be followed by other values. at 4'],
      ['nul', 'Invalid value. at 3'],
      ['AAAA', 'Invalid value. at 0'],
      ['\ufeff{}', 'Invalid value. at 0'],
    ];
    for (const [text, expected] of cases) {
      const error = parseFailure(Buffer.from(text, 'utf8'));
      assert.equal(error.message, `failed to parse the request JSON buffer: ${expected}`, JSON.stringify(text));
      assert.equal(error.code, 'INTERNAL');
    }
  });

  it('counts offsets in bytes, not characters', () => {
    const error = parseFailure(Buffer.from('{"é€":1 x}', 'utf8'));
    assert.equal(error.message, "failed to parse the request JSON buffer: Missing a comma or '}' after an object member. at 11"); // 8 in characters
  });

  it('refuses invalid UTF-8 in strings as an invalid encoding', () => {
    const bad = (bytes: number[]): Buffer => Buffer.concat([Buffer.from('{"a":"x'), Buffer.from(bytes), Buffer.from('"}')]);
    for (const bytes of [[0xff], [0xc3], [0xc0, 0x80], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xe2, 0x82]]) {
      const error = parseFailure(bad(bytes));
      assert.equal(error.message, 'failed to parse the request JSON buffer: Invalid encoding in string. at 7', bytes.join(','));
    }
    assert.equal(located(bad([0xf0, 0x9f, 0x98, 0x80])), undefined, 'a valid 4-byte sequence');
  });

  it('reports numbers too big for a double at their start', () => {
    assert.equal(located('{"a":1e309}'), 'Number too big to be stored in double. at 5');
    assert.equal(located(`[1,-1${'0'.repeat(400)}]`), 'Number too big to be stored in double. at 3');
    assert.equal(located('[1.5e308]'), undefined);
    assert.equal(located('[1e-400]'), undefined);
  });

  it('rejects what rapidjson rejects even where JSON.parse is lenient (lone high surrogates)', () => {
    assert.equal(located('["\\ud800x"]'), 'The surrogate pair in string is invalid. at 2');
    assert.equal(located('["\\ud800\\u0041"]'), 'The surrogate pair in string is invalid. at 2');
    assert.equal(located('["\\ud83d\\ude00"]'), undefined);
  });

  it('survives deep nesting without exhausting the stack', () => {
    assert.equal(located('['.repeat(200000)), 'Invalid value. at 200000');
    assert.equal(located(`${'['.repeat(50000)}${']'.repeat(50000)}`), undefined);
  });

  it('accepts what rapidjson accepts', () => {
    for (const text of ['{}', ' [ 1 , -0.5e-3 , true , false , null , "a\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9" ] ', '0', '"é"']) {
      assert.equal(located(text), undefined, text);
    }
  });
});
