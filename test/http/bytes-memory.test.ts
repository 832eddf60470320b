/**
 * One large BYTES request costs the server a bounded multiple of its body: the issue-11 reproducer, 2,000,000 empty
 * elements (a 7.6 MiB binary HTTP body) echoed by identity_bytes, sent to a fresh server process whose peak RSS is
 * reset right before the request (bench/bytes-memory.ts does the measuring).
 *
 * Measured on the 2-core dev machine (Node 20, onnxruntime-node 1.30): peak growth ~203 MiB, 26.6× the body or ~106
 * bytes per element. About 90 of those bytes are ONNX Runtime's own, inside session.run(): onnxruntime-node copies the
 * JS string[] into a std::vector<std::string> and then into the tensor's std::string array (32 bytes per element
 * each), and the identity's output is another std::string array plus offsets and a new string[]. So 8× the body is
 * out of reach for empty elements whatever nereid does; the bound below is 40× (160 bytes per element). The code before
 * the fix (one Uint8Array view per element decoded through TextDecoder, outputs encoded through one TextEncoder array
 * per element) measured 137.6× here (1,050 MiB); with only the decoding reverted 62.1×, only the encoding 108.1×.
 *
 * Memory is measured, never time, so the test holds on a busy machine.
 */
import assert from 'node:assert/strict';
import { cpSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { measureIdentityRequest } from '../../bench/bytes-memory.ts';
import { tempDir } from '../support/temp-dir.ts';

const SHIPPED = fileURLToPath(new URL('../../model_repository/identity_bytes', import.meta.url));
const ELEMENTS = 2_000_000;
/** Allowed peak RSS growth per byte of request body (see the measurements above). */
const BOUND = 40;

describe('BYTES request memory', { skip: process.platform !== 'linux' && 'reads /proc/<pid>/status' }, () => {
  it('a 2,000,000-element BYTES request grows the server peak RSS by less than 40× its body', async (t) => {
    const repository = tempDir('nereid-bytes-memory-');
    cpSync(SHIPPED, path.join(repository, 'identity_bytes'), { recursive: true });
    const row = await measureIdentityRequest(repository, 'BYTES', ELEMENTS);
    const ratio = row.peakGrowth / row.bodyBytes;
    t.diagnostic(`peak growth ${(row.peakGrowth / 2 ** 20).toFixed(0)} MiB, ${ratio.toFixed(1)}× the body`);
    assert.ok(
      ratio < BOUND,
      `peak RSS grew by ${(row.peakGrowth / 2 ** 20).toFixed(0)} MiB for a ${(row.bodyBytes / 2 ** 20).toFixed(1)} MiB ` +
        `body: ${ratio.toFixed(1)}× (bound ${BOUND}×)`,
    );
  });
});
