/**
 * The lines of bench/run.ts's throughput chart for one model: the ONNX Runtime limit (part a), the bare ceilings
 * (b: node:http binary and JSON, grpc-js, gRPC framed on node:http2), nereid (c), MLServer (d) and tritonserver 2.51
 * (e), req/s against concurrency. Series without a finite point are left out.
 */
import type { BenchModel } from './payloads.ts';
import { findPoint, formedBatch, limitAt, type LimitPoint, type Protocol, type ServerKind, type ServerPoint } from './results.ts';
import type { ChartSeries } from './svg-chart.ts';

const LINES: readonly { server: ServerKind; protocol: Protocol; name: string; color: string; dash?: string }[] = [
  { server: 'bare', protocol: 'http-binary', name: 'b. bare node:http, binary', color: '#7f7f7f', dash: '6 4' },
  { server: 'bare', protocol: 'http-json', name: 'b. bare node:http, JSON', color: '#bcbd22', dash: '6 4' },
  { server: 'bare', protocol: 'grpc', name: 'b. bare grpc-js', color: '#17becf', dash: '6 4' },
  { server: 'bare-http2', protocol: 'grpc', name: 'b. bare gRPC on node:http2', color: '#8c564b', dash: '6 4' },
  { server: 'nereid', protocol: 'http-binary', name: 'c. nereid HTTP binary', color: '#1f77b4' },
  { server: 'nereid', protocol: 'http-json', name: 'c. nereid HTTP JSON', color: '#2ca02c' },
  { server: 'nereid', protocol: 'grpc', name: 'c. nereid gRPC', color: '#d62728' },
  { server: 'mlserver', protocol: 'http-json', name: 'd. MLServer REST JSON', color: '#9467bd' },
  { server: 'mlserver', protocol: 'grpc', name: 'd. MLServer gRPC', color: '#ff7f0e' },
  { server: 'triton', protocol: 'http-binary', name: 'e. Triton HTTP binary', color: '#1f77b4', dash: '2 2' },
  { server: 'triton', protocol: 'http-json', name: 'e. Triton HTTP JSON', color: '#2ca02c', dash: '2 2' },
  { server: 'triton', protocol: 'grpc', name: 'e. Triton gRPC', color: '#d62728', dash: '2 2' },
];

export function chartSeries(model: BenchModel, points: readonly ServerPoint[], limit: readonly LimitPoint[],
  concurrencies: readonly number[]): ChartSeries[] {
  const series: ChartSeries[] = [];
  const best = (batch: number): number => limitAt(limit, model.name, batch)?.rowsPerS ?? NaN;
  series.push({
    name: 'a. ORT limit at the batch nereid formed (rows/s)', color: '#000000', dash: '10 4',
    points: concurrencies.map((c) => {
      const binary = findPoint(points, 'nereid', model.name, 'http-binary', c);
      return { x: c, y: best(binary === undefined ? 1 : formedBatch(binary)) };
    }),
  });
  if (model.name === 'mlp_classifier') {
    series.push({ name: 'a. ORT limit at batch 64 (rows/s)', color: '#000000', dash: '2 3', points: concurrencies.map((c) => ({ x: c, y: best(64) })) });
  }
  for (const line of LINES) {
    series.push({
      name: line.name, color: line.color, ...(line.dash !== undefined ? { dash: line.dash } : {}),
      points: concurrencies.map((c) => ({ x: c, y: findPoint(points, line.server, model.name, line.protocol, c)?.rps ?? NaN })),
    });
  }
  return series.filter((s) => s.points.some((p) => Number.isFinite(p.y)));
}
