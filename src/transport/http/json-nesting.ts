/**
 * The nesting limit on request JSON: more than 100 levels of arrays and objects is refused before JSON.parse runs.
 * Triton 2025–26 refuses `data` nested deeper than 100 levels with this text (server PR #8172; L0_http
 * test_json_recursion_depth_limit) and parses the rest of a document iteratively (common PR #156). V8's JSON.parse
 * does not overflow the stack either, but spends seconds on a 10 MB `[[[[...` body, so nereid checks the whole
 * document, for infer and repository bodies alike, before parsing: one memchr-speed count of the opening brackets
 * and, only when there are more than the limit, one pass over the bytes that stops at the first level too deep. Brackets inside strings do not count, and a NUL byte ends the document as it does for rapidjson.
 */
import { invalidArg, type ServerError } from '../../protocol/errors.ts';

export const MAX_JSON_DEPTH = 100;

/**
 * An infer body's tensor `data` sits at level 4 (root object, `inputs`, the input object), and Triton lets `data`
 * itself nest 100 levels, so infer bodies may go 3 levels deeper than other bodies.
 */
export const MAX_INFER_JSON_DEPTH = MAX_JSON_DEPTH + 3;

export function nestingTooDeep(): ServerError {
  return invalidArg(`JSON nesting depth exceeds maximum allowed limit (${MAX_JSON_DEPTH})`);
}

/** True when `json` opens more than `limit` arrays/objects without closing them. */
export function exceedsNestingDepth(json: Buffer, limit = MAX_JSON_DEPTH): boolean {
  // Fast path (memchr speed): with at most `limit` opening brackets anywhere, nothing can nest deeper.
  if (countUpTo(json, 0x5b, limit + 1) + countUpTo(json, 0x7b, limit + 1) <= limit) return false;
  let depth = 0;
  const n = json.length;
  for (let i = 0; i < n; i++) {
    const c = json[i]!;
    if (c === 0x22) {
      // Skip the string: up to the next quote that no backslash escapes.
      for (i++; i < n; i++) {
        const s = json[i]!;
        if (s === 0x5c) i++;
        else if (s === 0x22 || s === 0) break;
      }
      if (i < n && json[i] === 0) return false;
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > limit) return true;
    } else if (c === 0x5d || c === 0x7d) {
      depth--;
    } else if (c === 0) {
      return false;
    }
  }
  return false;
}

/** Occurrences of `byte` in `json`, counting no further than `max`. */
function countUpTo(json: Buffer, byte: number, max: number): number {
  let count = 0;
  for (let i = json.indexOf(byte); i >= 0 && count < max; i = json.indexOf(byte, i + 1)) count++;
  return count;
}
