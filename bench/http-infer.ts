/**
 * HTTP infer throughput and latency against the transport ceiling, in one run on one machine:
 *   a. a bare node:http server that answers every request with add_sub's response bytes, binary or JSON as asked
 *      (no parsing: bench/lib/bare-http-server.ts);
 *   b. nereid serving add_sub over HTTP binary and over HTTP JSON.
 * Each server runs in its own process; the load generator (keep-alive, N requests in flight) runs here.
 * Prints requests/s, p50 and p99 latency, and the ratio of b to a. bench/run.ts measures this and more in one go.
 * Usage: node --import tsx bench/http-infer.ts [--seconds 5] [--concurrency 1,16]
 */
import { listFlag, numberFlag } from './lib/cli.ts';
import { httpTarget, type HttpRequestSpec } from './lib/http-client.ts';
import { closedLoop, type LoadResult } from './lib/load-generator.ts';
import { ADD_SUB, httpBinaryRequest, httpJsonRequest } from './lib/payloads.ts';
import { startBareHttp, startNereid } from './lib/servers.ts';

const SECONDS = numberFlag('seconds', 5);
const CONCURRENCY = listFlag('concurrency', [1, 16]);

async function load(port: number, spec: HttpRequestSpec, concurrency: number): Promise<LoadResult> {
  const target = httpTarget(port, spec, concurrency);
  try {
    return await closedLoop(target.send, { concurrency, seconds: SECONDS });
  } finally {
    target.close();
  }
}

function row(label: string, c: number, r: LoadResult, base?: LoadResult): string {
  const ratio = base === undefined ? '' : `  ${(r.rps / base.rps * 100).toFixed(0)}% of bare`;
  return `${label.padEnd(22)} c=${String(c).padEnd(3)} ${r.rps.toFixed(0).padStart(7)} req/s  p50 ${r.p50Us.toFixed(0).padStart(6)} µs  ` +
    `p99 ${r.p99Us.toFixed(0).padStart(6)} µs  errors ${r.errors}${ratio}`;
}

const binary = httpBinaryRequest(ADD_SUB);
const json = httpJsonRequest(ADD_SUB);
const bare = await startBareHttp();
const nereid = await startNereid('model_repository');
try {
  console.log(`HTTP infer on add_sub, ${SECONDS} s per point, node ${process.version}`);
  for (const c of CONCURRENCY) {
    const bareBinary = await load(bare.port, binary, c);
    const bareJson = await load(bare.port, json, c);
    const ourBinary = await load(nereid.httpPort, binary, c);
    const ourJson = await load(nereid.httpPort, json, c);
    console.log(row('bare node:http binary', c, bareBinary));
    console.log(row('bare node:http JSON', c, bareJson));
    console.log(row('nereid HTTP binary', c, ourBinary, bareBinary));
    console.log(row('nereid HTTP JSON', c, ourJson, bareJson));
  }
} finally {
  await bare.process.stop();
  await nereid.process.stop();
}
