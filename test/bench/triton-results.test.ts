/**
 * The analysis behind bench/run.ts's parts b (the node:http2 gRPC ceiling), e (tritonserver 2.51) and f
 * (perf_analyzer): the Triton and gRPC-ceiling tables, the server overhead over the bare transport, issue 14's target
 * verdicts, perf_analyzer's output parsing, CPU per request, the hand-written gRPC framing and the report's new
 * sections. Pure functions on made-up figures.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inferenceServiceDefinition } from '../../src/transport/grpc/grpc-protos.ts';
import { grpcCeilingRows } from '../../bench/lib/grpc-ceiling.ts';
import { grpcFrame, grpcUnframe, percentEncode, protobufStringField } from '../../bench/lib/grpc-framing.ts';
import { grpcRequest, MLP } from '../../bench/lib/payloads.ts';
import { parsePerfAnalyzer, type PerfAnalyzerRow } from '../../bench/lib/perf-analyzer.ts';
import { reportText } from '../../bench/lib/report-text.ts';
import { overheadRows, ratioRows, type BenchResults, type ServerPoint } from '../../bench/lib/results.ts';
import { cpuPerRequestUs } from '../../bench/lib/server-cpu.ts';
import { targetVerdicts } from '../../bench/lib/targets.ts';
import { tritonRows } from '../../bench/lib/triton-comparison.ts';

const point = (p: Partial<ServerPoint> & Pick<ServerPoint, 'server' | 'protocol' | 'model' | 'concurrency' | 'rps'>): ServerPoint =>
  ({ p50Us: 100, p99Us: 200, meanUs: 110, requests: 1000, errors: 0, ...p });

/** add_sub and the MLP at c=1/16/64: bare 10k, nereid 6k, Triton 3k req/s (gRPC: nereid 4k, Triton 3k, h2 12k). */
function fixture(): ServerPoint[] {
  const points: ServerPoint[] = [];
  for (const model of ['add_sub', 'mlp_classifier'] as const) {
    for (const c of [1, 16, 64]) {
      for (const protocol of ['http-binary', 'grpc'] as const) {
        const grpc = protocol === 'grpc';
        points.push(
          point({ server: 'bare', protocol, model, concurrency: c, rps: 10_000, p50Us: grpc ? 200 : 150, serverCpuUs: grpc ? 100 : 40 }),
          point({ server: 'nereid', protocol, model, concurrency: c, rps: grpc ? 4000 : 8000, p50Us: grpc ? 280 : 180,
            computeUs: 10, serverUs: 50, serverCpuUs: 150 }),
          point({ server: 'triton', protocol, model, concurrency: c, rps: 3000, p50Us: 400, computeUs: 200, serverUs: 300, serverCpuUs: 600 }),
        );
      }
      points.push(point({ server: 'bare-http2', protocol: 'grpc', model, concurrency: c, rps: 12_000, p50Us: 160, serverCpuUs: 60 }));
    }
  }
  return points;
}

test('the Triton table divides nereid by Triton (req/s and p50) and sets both against the bare ceiling', () => {
  const rows = tritonRows(fixture());
  assert.equal(rows.length, 12);
  const row = rows.find((r) => r.model === 'add_sub' && r.protocol === 'http-binary' && r.concurrency === 16)!;
  assert.deepEqual(
    { rps: row.rpsRatio, p50: row.p50Ratio, n: row.nereidShareOfBare, t: row.tritonShareOfBare, cpu: [row.nereidCpuUs, row.tritonCpuUs] },
    { rps: 8000 / 3000, p50: 180 / 400, n: 0.8, t: 0.3, cpu: [150, 600] },
  );
  const alone = tritonRows([point({ server: 'triton', protocol: 'grpc', model: 'add_sub', concurrency: 1, rps: 3000 })]);
  assert.ok(Number.isNaN(alone[0]!.rpsRatio) && Number.isNaN(alone[0]!.nereidShareOfBare));
  const [ratio] = ratioRows(fixture().filter((p) => p.concurrency === 1 && p.model === 'add_sub' && p.protocol === 'grpc'), []);
  assert.equal(ratio?.vsTriton, 4000 / 3000);
});

test('the gRPC ceiling table divides node:http2 by grpc-js: req/s, p50 and CPU per request', () => {
  const rows = grpcCeilingRows(fixture());
  assert.equal(rows.length, 6);
  assert.deepEqual(
    { rps: rows[0]!.rpsRatio, p50: rows[0]!.p50Ratio, cpu: rows[0]!.cpuRatio },
    { rps: 1.2, p50: 0.8, cpu: 0.6 },
  );
});

test('the server overhead is the p50 over the bare transport\'s p50, for nereid and for Triton', () => {
  const rows = overheadRows(fixture());
  assert.deepEqual(rows.map((r) => [r.server, r.protocol, r.concurrency, r.serverOverheadUs, r.addedOverTransportUs]), [
    ['nereid', 'http-binary', 1, 30, 20],
    ['nereid', 'grpc', 1, 80, 70],
    ['triton', 'http-binary', 1, 250, 50],
    ['triton', 'grpc', 1, 200, 0],
  ]);
});

test('issue 14\'s verdicts: overhead ≤ 40/60 µs, ≥ 1.5× Triton at c=1 and c=16, ≥ 75% of the ceiling at c=16', () => {
  const verdicts = targetVerdicts(fixture(), [], [1, 16, 64]);
  const met = (target: string): boolean | undefined => {
    const found = verdicts.find((t) => t.target === target);
    assert.ok(found, `no verdict '${target}' in ${verdicts.map((t) => t.target).join('; ')}`);
    return found.met;
  };
  assert.equal(met('add_sub c=1 http-binary: server overhead (p50 − bare node:http p50)'), true);
  assert.equal(met('add_sub c=1 grpc: server overhead (p50 − bare grpc-js p50)'), false);
  assert.equal(met('add_sub c=1 http-binary vs tritonserver 2.51 (twin)'), true);
  assert.equal(met('mlp_classifier c=16 grpc vs tritonserver 2.51 (twin)'), false);
  assert.equal(verdicts.filter((t) => t.target.includes('vs tritonserver')).length, 8);
  assert.ok(!verdicts.some((t) => t.target.startsWith('add_sub c=64') && t.target.includes('tritonserver')));
  assert.equal(met('add_sub c=16 http-binary: share of the bare node:http ceiling'), true);
  assert.equal(met('add_sub c=16 grpc: share of the bare grpc-js ceiling'), false);
  assert.match(verdicts.find((t) => t.target === 'add_sub c=16 grpc: share of the bare grpc-js ceiling')!.detail, /node:http2 ceiling did 12000/);
  // Without Triton the comparison has no verdict; nothing is asserted against a missing side.
  const noTriton = targetVerdicts(fixture().filter((p) => p.server !== 'triton'), [], [1, 16, 64]);
  assert.deepEqual([...new Set(noTriton.filter((t) => t.target.includes('tritonserver')).map((t) => t.met))], [undefined]);
});

const PERF_OUTPUT = `
Request concurrency: 1
  Client: 
    Request count: 7900
    Throughput: 2170.87 infer/sec
    Avg latency: 456 usec (standard deviation 726 usec)
    p50 latency: 399 usec
    p90 latency: 553 usec
    Avg HTTP time: 449 usec (send/recv 51 usec + response wait 398 usec)
  Server: 
    Inference count: 7900
    Execution count: 7900
    Successful request count: 7900
    Avg request latency: 230 usec (overhead 1 usec + queue 16 usec + compute input 15 usec + compute infer 166 usec + compute output 31 usec)

Inferences/Second vs. Client Average Batch Latency
Concurrency: 1, throughput: 2170.87 infer/sec, latency 456 usec
`;

test('perf_analyzer\'s output parses into the client figures and the server-side breakdown; its verdict is on nereid', () => {
  const parsed = parsePerfAnalyzer(PERF_OUTPUT);
  assert.deepEqual(parsed, {
    throughput: 2170.87, clientAvgUs: 456, clientP50Us: 399, serverRequestUs: 230,
    overheadUs: 1, queueUs: 16, computeInputUs: 15, computeInferUs: 166, computeOutputUs: 31,
  });
  assert.ok(Object.values(parsePerfAnalyzer('error: failed to connect')).every(Number.isNaN));
  const rows: PerfAnalyzerRow[] = [
    { server: 'nereid', protocol: 'http', model: 'add_sub', concurrency: 1, ...parsed, overheadUs: 55 },
    { server: 'triton', protocol: 'http', model: 'add_sub', concurrency: 1, ...parsed },
  ];
  const verdicts = targetVerdicts([], [], [1], rows).filter((t) => t.target.startsWith('perf_analyzer'));
  assert.deepEqual(verdicts.map((t) => [t.target, t.value, t.met]), [['perf_analyzer add_sub c=1 http: nereid\'s server-side overhead', 55, false]]);
  assert.match(verdicts[0]!.detail, /tritonserver's overhead 1 µs/);
});

test('CPU per request is the CPU time between two readings over the requests, NaN when unknown', () => {
  assert.equal(cpuPerRequestUs(1.5, 2, 1000), 500);
  assert.ok(Number.isNaN(cpuPerRequestUs(NaN, 2, 1000)));
  assert.ok(Number.isNaN(cpuPerRequestUs(1, 2, 0)));
});

test('gRPC framing: a 5-byte prefix, model_name read without decoding, grpc-message percent-encoded', () => {
  const message = inferenceServiceDefinition.ModelInfer!.requestSerialize(grpcRequest(MLP));
  const frame = grpcFrame(message);
  assert.deepEqual([...frame.subarray(0, 5)], [0, 0, 0, 0, message.length]);
  assert.deepEqual(grpcUnframe(frame), message);
  assert.match(grpcUnframe(frame.subarray(0, 4)) as string, /less than a gRPC message prefix/);
  assert.match(grpcUnframe(Buffer.concat([frame, Buffer.from([1])])) as string, /says \d+ bytes but \d+ follow/);
  assert.match(grpcUnframe(Buffer.from([1, 0, 0, 0, 0])) as string, /compressed/);
  assert.equal(protobufStringField(message as Buffer, 1), 'mlp_classifier');
  // Fields before the wanted one are skipped by wire type: a varint (field 2), then field 1.
  assert.equal(protobufStringField(Buffer.from([0x10, 0x96, 0x01, 0x0a, 0x02, 0x68, 0x69]), 1), 'hi');
  assert.equal(protobufStringField(Buffer.from([0x0a, 0x05, 0x68]), 1), undefined);
  assert.equal(percentEncode('unknown model é 100%'), 'unknown model %C3%A9 100%25');
});

test('the report prints the Triton, CPU, gRPC ceiling and perf_analyzer tables and the overhead row with its target', () => {
  const points = fixture();
  const results: BenchResults = {
    meta: {}, limit: [], points, ratios: ratioRows(points, []), overhead: overheadRows(points),
    triton: tritonRows(points), grpcCeiling: grpcCeilingRows(points),
    perfAnalyzer: [{ server: 'nereid', protocol: 'grpc', model: 'add_sub', concurrency: 1, ...parsePerfAnalyzer(PERF_OUTPUT) }],
    targets: targetVerdicts(points, [], [1, 16, 64]), missing: { 'd. MLServer': 'not in --parts' },
  };
  const text = reportText(results, [1, 16, 64]).join('\n');
  for (const expected of [
    /b\. bare node:http2 gRPC/, /b\. bare grpc-js/, /e\. Triton HTTP binary/, /server CPU per request/,
    /nereid vs e\. tritonserver 2\.51/, /the two gRPC ceilings/, /f\. perf_analyzer at c=1/,
    /^ {3}nereid {2}http-binary +180 +10\.0 +170 +150 +30 +≤ 40/m, /^ {3}add_sub +http-binary +16 +8000 +3000 +2\.67/m,
    /d\. MLServer was not measured: not in --parts/,
  ]) assert.match(text, expected);
});
