/**
 * BYTES tensors through the HTTP JSON codec without a JS value per element: input strings are measured and written
 * into one framed buffer, and output elements of plain ASCII are copied into the JSON text straight from the framed
 * bytes. Either way the text is exactly what JSON.stringify writes for the decoded strings.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encodeBytesElements } from '../../src/protocol/bytes-codec.ts';
import { jsonStringsToTensorBytes, tensorBytesToJson } from '../../src/transport/http/json-tensor-data.ts';

const asJson = (items: readonly (string | Uint8Array)[]): string =>
  tensorBytesToJson('o', 'BYTES', encodeBytesElements(items), items.length);

describe('BYTES output data as JSON', () => {
  it('copies plain ASCII elements, empty and long ones included, as JSON.stringify would write them', () => {
    const items = ['', 'a', 'hello world', 'x'.repeat(40), '~!#$%&()*+,-./:;<=>?@[]^_`{|}', ' '];
    assert.equal(asJson(items), JSON.stringify(items));
    assert.equal(asJson([]), '[]');
  });

  it('escapes quotes, backslashes and control characters, keeps non-ASCII text and replaces invalid UTF-8', () => {
    for (const odd of ['say "hi"', 'a\\b', 'tab\there', '\u0000\u001f\u007f', 'héllo 日本', '\ud83d\ude00']) {
      const items = ['plain', odd, ''];
      assert.equal(asJson(items), JSON.stringify(items), JSON.stringify(odd));
    }
    assert.equal(asJson(['ok', Uint8Array.of(0x61, 0xff)]), '["ok","a\ufffd"]');
  });

  it('reads a view at an offset into a larger buffer', () => {
    const framed = encodeBytesElements(['ab', 'cd']);
    const backing = new Uint8Array(framed.byteLength + 5);
    backing.set(framed, 5);
    assert.equal(tensorBytesToJson('o', 'BYTES', backing.subarray(5), 2), '["ab","cd"]');
  });

  it("answers Triton's INTERNAL error when the framing holds fewer elements than the shape", () => {
    assert.throws(() => tensorBytesToJson('o', 'BYTES', encodeBytesElements(['a']), 2), {
      name: 'ServerError',
      message: "output tensor shape does not match size of output for 'o'",
    });
  });
});

describe('BYTES input data from JSON', () => {
  it('frames flat and nested strings as UTF-8 in one buffer that owns its ArrayBuffer', () => {
    const out = jsonStringsToTensorBytes([['a', ''], ['é'], [[], ['xyz']]]);
    assert.deepEqual(Buffer.from(out), Buffer.from(encodeBytesElements(['a', '', 'é', 'xyz'])));
    assert.equal(out.byteOffset, 0);
    assert.equal(out.buffer.byteLength, out.byteLength);
  });

  it("refuses a non-string element with Triton's text", () => {
    assert.throws(() => jsonStringsToTensorBytes(['a', 1]), /Unable to parse JSON bytes array/);
  });
});
