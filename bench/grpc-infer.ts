/**
 * gRPC ModelInfer throughput and latency against the transport ceiling, in one run on one machine:
 *   a. a bare grpc-js server with the same GRPCInferenceService definition whose ModelInfer answers every request with
 *      add_sub's response (no inference: bench/lib/bare-grpc-server.ts);
 *   b. nereid serving add_sub over gRPC.
 * Each server runs in its own process; the load generator (one channel, N calls in flight) runs here.
 * bench/run.ts measures this and more in one go.
 * Usage: node --import tsx bench/grpc-infer.ts [--seconds 5] [--concurrency 1,16]
 */
import { listFlag, numberFlag } from './lib/cli.ts';
import { grpcTarget } from './lib/grpc-client.ts';
import { closedLoop, type LoadResult } from './lib/load-generator.ts';
import { ADD_SUB, grpcRequest } from './lib/payloads.ts';
import { startBareGrpc, startNereid } from './lib/servers.ts';

const SECONDS = numberFlag('seconds', 5);
const CONCURRENCY = listFlag('concurrency', [1, 16]);
const request = grpcRequest(ADD_SUB);

async function load(port: number, concurrency: number): Promise<LoadResult> {
  const target = grpcTarget(port, request);
  try {
    return await closedLoop(target.send, { concurrency, seconds: SECONDS });
  } finally {
    target.close();
  }
}

function row(label: string, c: number, r: LoadResult, base?: LoadResult): string {
  const ratio = base === undefined ? '' : `  ${(r.rps / base.rps * 100).toFixed(0)}% of bare`;
  return `${label.padEnd(16)} c=${String(c).padEnd(3)} ${r.rps.toFixed(0).padStart(7)} req/s  p50 ${r.p50Us.toFixed(0).padStart(6)} µs  ` +
    `p99 ${r.p99Us.toFixed(0).padStart(6)} µs  errors ${r.errors}${ratio}`;
}

const bare = await startBareGrpc();
const nereid = await startNereid('model_repository');
try {
  console.log(`gRPC ModelInfer on add_sub, ${SECONDS} s per point, node ${process.version}`);
  for (const c of CONCURRENCY) {
    const base = await load(bare.port, c);
    const ours = await load(nereid.grpcPort, c);
    console.log(row('bare grpc-js', c, base));
    console.log(row('nereid gRPC', c, ours, base));
  }
} finally {
  await bare.process.stop();
  await nereid.process.stop();
}
