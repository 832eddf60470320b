/**
 * The analysis behind bench/run.ts: percentiles, nereid's ratios against the ONNX Runtime limit, the bare transport
 * and MLServer, the overhead breakdown, the target verdicts, and the SVG chart. Pure functions on made-up figures.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { quantile, summarize } from '../../bench/lib/load-generator.ts';
import {
  limitAt, overheadRows, peerProtocol, ratioRows, type LimitPoint, type ServerPoint,
} from '../../bench/lib/results.ts';
import { targetVerdicts } from '../../bench/lib/targets.ts';
import { escapeXml, throughputChart } from '../../bench/lib/svg-chart.ts';

const point = (p: Partial<ServerPoint> & Pick<ServerPoint, 'server' | 'protocol' | 'model' | 'concurrency' | 'rps'>): ServerPoint =>
  ({ p50Us: 100, p99Us: 200, meanUs: 110, requests: 1000, errors: 0, ...p });
const limitPoint = (model: LimitPoint['model'], batch: number, workers: number, rowsPerS: number): LimitPoint =>
  ({ model, batch, workers, intraOpThreads: 1, runsPerS: rowsPerS / batch, rowsPerS, p50Us: 10, p99Us: 20, meanUs: 11 });

test('quantile takes the nearest rank and summarize reports µs', () => {
  const sorted = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  assert.equal(quantile(sorted, 0.5), 5);
  assert.equal(quantile(sorted, 0.99), 10);
  assert.equal(quantile(sorted, 0), 1);
  assert.ok(Number.isNaN(quantile([], 0.5)));
  const r = summarize([3, 1, 2, 4], 2, 4, 1, 'boom');
  assert.equal(r.requests, 4);
  assert.equal(r.rps, 2);
  assert.equal(r.p50Us, 2000);
  assert.equal(r.p99Us, 4000);
  assert.equal(r.meanUs, 2500);
  assert.equal(r.errors, 1);
  assert.equal(r.firstError, 'boom');
});

test('limitAt picks the nearest measured batch in log scale and the best layout there', () => {
  const limit = [limitPoint('mlp_classifier', 1, 1, 100), limitPoint('mlp_classifier', 8, 1, 700),
    limitPoint('mlp_classifier', 8, 2, 900), limitPoint('mlp_classifier', 64, 2, 4000)];
  assert.equal(limitAt(limit, 'mlp_classifier', 6)?.rowsPerS, 900);
  assert.equal(limitAt(limit, 'mlp_classifier', 2)?.batch, 1);
  assert.equal(limitAt(limit, 'mlp_classifier', 30)?.batch, 64);
  assert.equal(limitAt(limit, 'add_sub', 1), undefined);
});

test('ratios divide nereid by the limit at its batch, the bare server and MLServer of the matching protocol', () => {
  assert.equal(peerProtocol('http-binary'), 'http-json');
  assert.equal(peerProtocol('grpc'), 'grpc');
  const points = [
    point({ server: 'nereid', protocol: 'http-binary', model: 'mlp_classifier', concurrency: 64, rps: 800, meanBatch: 7.6 }),
    point({ server: 'bare', protocol: 'http-binary', model: 'mlp_classifier', concurrency: 64, rps: 1000 }),
    point({ server: 'mlserver', protocol: 'http-json', model: 'mlp_classifier', concurrency: 64, rps: 100 }),
  ];
  const limit = [limitPoint('mlp_classifier', 8, 2, 1600), limitPoint('mlp_classifier', 64, 2, 8000)];
  const [row] = ratioRows(points, limit);
  assert.equal(row?.limitBatch, 8);
  assert.equal(row?.vsLimit, 0.5);
  assert.equal(row?.vsLimitMaxBatch, 0.1);
  assert.equal(row?.vsTransport, 0.8);
  assert.equal(row?.vsPeer, 8);
  assert.equal(row?.peerProtocol, 'http-json');
});

test('a side that was not measured gives NaN ratios and no verdict', () => {
  const points = [point({ server: 'nereid', protocol: 'grpc', model: 'add_sub', concurrency: 16, rps: 500, computeUs: 5 })];
  const [row] = ratioRows(points, []);
  assert.ok(Number.isNaN(row!.vsLimit) && Number.isNaN(row!.vsTransport) && Number.isNaN(row!.vsPeer));
  const peer = targetVerdicts(points, [], [16]).find((t) => t.target.includes('vs MLServer gRPC'));
  assert.equal(peer?.met, undefined);
});

test('the overhead takes the compute and the bare transport out of the p50', () => {
  const points = [
    point({ server: 'nereid', protocol: 'grpc', model: 'add_sub', concurrency: 1, rps: 1, p50Us: 400, computeUs: 20, serverUs: 120 }),
    point({ server: 'nereid', protocol: 'grpc', model: 'add_sub', concurrency: 16, rps: 1, p50Us: 900, computeUs: 20 }),
    point({ server: 'bare', protocol: 'grpc', model: 'add_sub', concurrency: 1, rps: 1, p50Us: 300 }),
  ];
  const rows = overheadRows(points);
  assert.equal(rows.length, 1);
  assert.deepEqual(
    { c: rows[0]!.concurrency, e2e: rows[0]!.latencyMinusComputeUs, added: rows[0]!.addedOverTransportUs, inside: rows[0]!.insideServerUs },
    { c: 1, e2e: 380, added: 80, inside: 100 },
  );
  const verdicts = targetVerdicts(points, [], [1, 16]).filter((t) => t.target.startsWith('add_sub c=1 grpc: latency'));
  assert.deepEqual(verdicts.map((t) => t.met), [false, true]);
});

test('the verdicts apply the issue thresholds', () => {
  const points: ServerPoint[] = [];
  for (const [server, rps] of [['nereid', 7000], ['bare', 10000], ['mlserver', 1000]] as const) {
    for (const protocol of ['http-binary', 'http-json', 'grpc'] as const) {
      for (const c of [1, 16, 64]) {
        if (server === 'mlserver' && protocol === 'http-binary') continue;
        const r = server === 'nereid' && protocol === 'grpc' ? rps - 1 : rps;
        points.push(point({ server, protocol, model: 'add_sub', concurrency: c, rps: r, computeUs: 10, meanBatch: 1 }));
      }
    }
  }
  const verdicts = targetVerdicts(points, [limitPoint('add_sub', 1, 2, 20000)], [1, 16, 64]);
  const find = (text: string) => verdicts.find((t) => t.target === text);
  assert.equal(find('add_sub c=64 http-binary: share of the bare transport ceiling')?.met, true);
  assert.equal(find('add_sub c=64 grpc: share of the bare transport ceiling')?.met, false);
  assert.equal(find('add_sub c=16 http-json vs MLServer REST JSON')?.met, true);
  assert.equal(find('add_sub c=16 grpc vs MLServer gRPC')?.met, true);
  assert.equal(find('add_sub c=16 grpc vs MLServer gRPC')?.value, 6.999);
});

test('the chart draws one polyline per series with data, a shared legend, and escapes text', () => {
  assert.equal(escapeXml(`a<b & "c"`), 'a&lt;b &amp; &quot;c&quot;');
  const svg = throughputChart([
    { title: 'add_sub', series: [
      { name: 'c. nereid <gRPC>', color: 'red', points: [{ x: 1, y: 100 }, { x: 16, y: 1000 }, { x: 64, y: 2000 }] },
      { name: 'limit', color: 'black', dash: '4 2', points: [{ x: 1, y: 5e4 }, { x: 64, y: 5e4 }] },
      { name: 'empty', color: 'blue', points: [{ x: 1, y: NaN }] },
    ] },
    { title: 'mlp', series: [{ name: 'limit', color: 'black', dash: '4 2', points: [{ x: 1, y: 3e6 }, { x: 64, y: 3e6 }] }] },
  ], { title: 'T', xLabel: 'concurrency', yLabel: 'req/s' });
  assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  assert.match(svg, /<\/svg>\n$/);
  assert.equal(svg.match(/<polyline /g)?.length, 3);
  assert.ok(svg.includes('c. nereid &lt;gRPC&gt;'));
  assert.ok(!svg.includes('<gRPC>'));
  assert.ok(svg.includes('stroke-dasharray="4 2"'));
  // Legend entries: one per distinct series name, the empty one included.
  assert.equal(svg.match(/<line x1="[^"]+" y1="[^"]+" x2="[^"]+" y2="[^"]+" stroke="[^"]+" stroke-width="2"/g)?.length, 3);
  // The log-scale y axis spans the decades of the data: 100 … 10M.
  for (const label of ['>100<', '>1k<', '>10k<', '>1M<', '>10M<']) assert.ok(svg.includes(label), label);
  for (const x of ['>1<', '>16<', '>64<']) assert.ok(svg.includes(x), x);
});
