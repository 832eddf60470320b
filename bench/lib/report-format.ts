/**
 * The number formats and series labels the printed report shares between its tables (report-text.ts,
 * report-comparisons.ts).
 */
import type { Protocol, ServerKind } from './results.ts';

/** Servers in the order the tables list them. */
export const SERVERS: readonly ServerKind[] = ['bare', 'bare-http2', 'nereid', 'mlserver', 'triton'];

const SERVER_LABEL: Record<ServerKind, string> = {
  bare: 'b. bare', 'bare-http2': 'b. bare node:http2', nereid: 'c. nereid', mlserver: 'd. MLServer', triton: 'e. Triton',
};
const PROTOCOL_LABEL: Record<Protocol, string> = { 'http-binary': 'HTTP binary', 'http-json': 'HTTP JSON', grpc: 'gRPC' };

/** `c. nereid HTTP binary`; MLServer's HTTP endpoint is its REST API (JSON only); the bare gRPC server is grpc-js. */
export function seriesLabel(server: ServerKind, protocol: Protocol): string {
  const label = server === 'mlserver' && protocol === 'http-json' ? 'REST JSON'
    : server === 'bare' && protocol === 'grpc' ? 'grpc-js'
    : PROTOCOL_LABEL[protocol];
  return `${SERVER_LABEL[server]} ${label}`;
}

/** `v` with `digits` decimals, right-aligned in `width`; '—' when not a finite number. */
export const num = (v: number, width: number, digits = 0): string => (Number.isFinite(v) ? v.toFixed(digits) : '—').padStart(width);

/** Ratios keep two significant digits when small (0.0014), two decimals up to 10, none above; width 6. */
export const ratio = (v: number): string =>
  (!Number.isFinite(v) ? '—' : v >= 10 ? v.toFixed(0) : v >= 0.1 ? v.toFixed(2) : v.toPrecision(2)).padStart(6);
