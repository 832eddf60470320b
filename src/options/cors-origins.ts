/**
 * `--http-cors-origin` (nereid's own; Triton has none): the browser origins allowed to call the HTTP API, as
 * `<scheme>://<host>[:<port>]` (http or https) or `*` for any, comma-separated. Origins are kept as browsers
 * serialize the Origin header (lowercase scheme and host, no default port), so matching is a string comparison.
 */
import { BadValue } from './flag-values.ts';

/** The one wildcard: any origin. */
export const ANY_ORIGIN = '*';

// The shape alone (no path, query, fragment or user info); new URL() then checks the host and port themselves.
const ORIGIN = /^https?:\/\/(?:\[[0-9a-f:.]+\]|[^\s/?#@:[\]]+)(?::[0-9]{1,5})?$/i;

/** Adds one flag value's origins to `into`, each once. Throws BadValue for a piece that is not an origin nor `*`. */
export function addCorsOrigins(into: string[], arg: string): void {
  for (const piece of arg.split(',').map((p) => p.trim())) {
    const origin = normalizeOrigin(piece);
    if (!into.includes(origin)) into.push(origin);
  }
}

function normalizeOrigin(piece: string): string {
  if (piece === ANY_ORIGIN) return piece;
  const expected = `invalid origin '${piece}': expected <scheme>://<host>[:<port>] (http or https) or ${ANY_ORIGIN}`;
  if (!ORIGIN.test(piece)) throw new BadValue(expected);
  try {
    return new URL(piece).origin;
  } catch {
    throw new BadValue(expected);
  }
}
