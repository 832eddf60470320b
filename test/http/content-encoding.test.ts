import assert from 'node:assert/strict';
import zlib from 'node:zlib';
import { describe, it } from 'node:test';
import { chooseResponseEncoding } from '../../src/transport/http/accept-encoding.ts';
import { decodeContentEncoding } from '../../src/transport/http/request-body.ts';
import { HttpError } from '../../src/transport/http/responses.ts';

describe('Accept-Encoding negotiation', () => {
  it('no header, identity, or only unknown encodings → uncompressed', () => {
    for (const header of [undefined, '', 'identity', 'br', 'br, zstd', '*']) assert.equal(chooseResponseEncoding(header), undefined, String(header));
  });

  it('a tie goes to the first listed (gzip, deflate → gzip; curl\'s deflate, gzip → deflate)', () => {
    assert.equal(chooseResponseEncoding('gzip, deflate'), 'gzip');
    assert.equal(chooseResponseEncoding('deflate, gzip'), 'deflate');
    assert.equal(chooseResponseEncoding('br, deflate'), 'deflate');
  });

  it('the highest q weight wins; q=0 excludes', () => {
    assert.equal(chooseResponseEncoding('gzip;q=0.5, deflate;q=0.8'), 'deflate');
    assert.equal(chooseResponseEncoding('gzip;q=0, deflate;q=0.1'), 'deflate');
    assert.equal(chooseResponseEncoding('identity;q=1, gzip;q=0.5'), undefined);
    assert.equal(chooseResponseEncoding('GZIP ; q=0.9 , identity;q=0.2'), 'gzip');
  });
});

describe('request Content-Encoding', () => {
  const body = Buffer.from('{"inputs":[]}'.repeat(50));
  const limit = 1 << 20;

  it('passes identity through and inflates gzip and zlib-wrapped deflate', async () => {
    assert.equal(await decodeContentEncoding(body, undefined, limit), body);
    assert.equal(await decodeContentEncoding(body, 'identity', limit), body);
    assert.deepEqual(await decodeContentEncoding(zlib.gzipSync(body), 'gzip', limit), body);
    assert.deepEqual(await decodeContentEncoding(zlib.deflateSync(body), 'deflate', limit), body);
  });

  it("an unknown encoding (a name in another case too, as in Triton) is UNSUPPORTED (501) with Triton's text, naming the accepted ones in Accept-Encoding", async () => {
    for (const encoding of ['br', 'GZIP', 'Deflate']) {
      await assert.rejects(decodeContentEncoding(body, encoding, limit), (e: HttpError) => {
        assert.ok(e instanceof HttpError);
        assert.equal(e.code, 'UNSUPPORTED');
        assert.equal(e.message, 'Unsupported compression type');
        assert.deepEqual(e.headers, { 'Accept-Encoding': 'gzip, deflate' });
        return true;
      });
    }
  });

  it('truncated or corrupt compressed data is INVALID_ARG (400)', async () => {
    const gz = zlib.gzipSync(body);
    await assert.rejects(decodeContentEncoding(gz.subarray(0, gz.length - 8), 'gzip', limit), (e: Error & { code?: string }) =>
      e.code === 'INVALID_ARG' && /failed to decompress the gzip request body/.test(e.message));
    await assert.rejects(decodeContentEncoding(Buffer.from('not deflate'), 'deflate', limit), (e: Error & { code?: string }) => e.code === 'INVALID_ARG');
  });

  it('a body that inflates beyond --http-max-input-size is refused (no zip bomb)', async () => {
    const bomb = zlib.gzipSync(Buffer.alloc(4 << 20));
    await assert.rejects(decodeContentEncoding(bomb, 'gzip', 1 << 20), (e: Error & { code?: string }) =>
      e.code === 'INVALID_ARG' && /exceeds the maximum allowed input size of 1048576 bytes/.test(e.message));
  });
});
