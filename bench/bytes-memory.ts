/**
 * What one large BYTES request costs the server: for each size, a fresh nereid process on the shipped repository gets
 * one binary-HTTP request to `identity_bytes` with that many empty elements (4 bytes each on the wire), and the
 * benchmark reports the server's peak RSS growth during the request (VmHWM after resetting it, see
 * lib/process-memory.ts) per body byte, and the time to the whole answer. An `identity_int64` request with the same
 * body size is the reference: numeric tensors pass through as views, so their cost is a few copies of the body. The
 * time is split into ONNX Runtime's session.run() (the model statistics' compute_infer) and the rest.
 *
 * The floor for BYTES is ONNX Runtime's, not nereid's: onnxruntime-node takes string tensors only as a JS string[]
 * (8 bytes per element for the array, empty elements share one string), copies it into a std::vector<std::string>
 * and then into the tensor's own std::string array (32 bytes per element each, before any character), and the
 * identity's output is a third std::string array plus a vector of offsets and a new string[]. That is about 90 bytes
 * of peak memory per element inside session.run(), ~22 times the 4-byte empty element on the wire.
 *
 * Usage: node --import tsx bench/bytes-memory.ts [--elements 2000000,16777152] [--element-length 0] [--no-int64]
 *                                                [--repository model_repository] [--json]
 * Linux only (reads /proc/<pid>/status of the server process it started).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { flagValue, hasFlag, listFlag, numberFlag } from './lib/cli.ts';
import { identityRequest, sendIdentityRequest, type IdentityDatatype } from './lib/bytes-request.ts';
import { statsSnapshot } from './lib/nereid-stats.ts';
import { readRss, resetPeakRss } from './lib/process-memory.ts';
import { startNereid } from './lib/servers.ts';

export interface BytesMemoryRow {
  readonly datatype: IdentityDatatype;
  readonly elements: number;
  /** Bytes of the whole request body (JSON header and tensor data). */
  readonly bodyBytes: number;
  /** Server RSS right before the request, bytes. */
  readonly rssBefore: number;
  /** Peak server RSS during the request minus rssBefore, bytes. */
  readonly peakGrowth: number;
  /** Server RSS once the answer arrived minus rssBefore, bytes. */
  readonly heldGrowth: number;
  /** From sending the request to the end of the answer, ms. */
  readonly ms: number;
  /** Of that, ONNX Runtime's session.run() (the statistics' compute_infer), ms. */
  readonly ortMs: number;
}

/** Starts a fresh server on `repository`, sends it one identity request and measures it; the server is stopped after. */
export async function measureIdentityRequest(
  repository: string,
  datatype: IdentityDatatype,
  elements: number,
  elementLength = 0,
): Promise<BytesMemoryRow> {
  // INT64 rows carry the same number of body bytes as the BYTES row of `elements` elements.
  const count = datatype === 'BYTES' ? elements : Math.floor((elements * (4 + elementLength)) / 8);
  const request = identityRequest(datatype, count, elementLength);
  const server = await startNereid(repository);
  try {
    const pid = server.process.child.pid!;
    resetPeakRss(pid);
    const before = readRss(pid).rss;
    const start = performance.now();
    await sendIdentityRequest(server.httpPort, request);
    const ms = performance.now() - start;
    const after = readRss(pid);
    const stats = await statsSnapshot(server.httpPort, request.model);
    return {
      datatype, elements: count, bodyBytes: request.body.length, rssBefore: before,
      peakGrowth: after.peak - before, heldGrowth: after.rss - before, ms, ortMs: stats.computeInferNs / 1e6,
    };
  } finally {
    await server.process.stop();
  }
}

// ---- command line ----------------------------------------------------------------------------------------------------

const MiB = 1024 * 1024;

function printRows(rows: readonly BytesMemoryRow[]): void {
  console.log('datatype  elements    body MiB  RSS before  peak growth  × body  B/element  held after   time s  in ORT s');
  for (const r of rows) {
    console.log(
      `${r.datatype.padEnd(8)}${String(r.elements).padStart(10)}  ${(r.bodyBytes / MiB).toFixed(1).padStart(8)}  ` +
        `${(r.rssBefore / MiB).toFixed(0).padStart(6)} MiB  ${(r.peakGrowth / MiB).toFixed(0).padStart(7)} MiB  ` +
        `${(r.peakGrowth / r.bodyBytes).toFixed(1).padStart(6)}  ${(r.peakGrowth / r.elements).toFixed(1).padStart(9)}  ` +
        `${(r.heldGrowth / MiB).toFixed(0).padStart(6)} MiB  ${(r.ms / 1000).toFixed(2).padStart(7)}  ` +
        `${(r.ortMs / 1000).toFixed(2).padStart(8)}`,
    );
  }
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const sizes = listFlag('elements', [2_000_000, 16_777_152]);
  const elementLength = numberFlag('element-length', 0);
  const repository = flagValue('repository', 'model_repository');
  const rows: BytesMemoryRow[] = [];
  for (const elements of sizes) {
    rows.push(await measureIdentityRequest(repository, 'BYTES', elements, elementLength));
    if (!hasFlag('no-int64')) rows.push(await measureIdentityRequest(repository, 'INT64', elements, elementLength));
  }
  if (hasFlag('json')) console.log(JSON.stringify(rows));
  else printRows(rows);
}
