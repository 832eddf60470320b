/**
 * Parsing an HTTP request's JSON the way Triton's rapidjson does: JSON.parse for the common case, rapidjson's own
 * message and byte offset when it fails, and a NUL byte read as the end of the document. Parse failures carry
 * TritonJson's code, INTERNAL (500). A document nested more than 100 levels deep is refused first, before any parsing
 * (400, json-nesting.ts).
 */
import { isUtf8 } from 'node:buffer';
import { internal, type ServerError } from '../../protocol/errors.ts';
import { exceedsNestingDepth, MAX_JSON_DEPTH, nestingTooDeep } from './json-nesting.ts';
import { findJsonSyntaxError } from './json-syntax-error.ts';

/**
 * The parsed document and the text it was parsed from. Throws `failed to parse the request JSON buffer: ...`, or the
 * nesting error when the document goes deeper than `maxDepth` levels.
 */
export function parseRequestJson(json: Buffer, maxDepth = MAX_JSON_DEPTH): { root: unknown; text: string } {
  if (exceedsNestingDepth(json, maxDepth)) throw nestingTooDeep();
  if (isUtf8(json)) {
    const text = json.toString('utf8');
    try {
      return { root: JSON.parse(text), text };
    } catch {
      // fall through: rapidjson decides
    }
  }
  const found = findJsonSyntaxError(json);
  const nul = json.indexOf(0);
  if (found !== undefined || nul < 0) throw requestJsonParseError(json, found);
  // rapidjson read a NUL byte as the end of the document and accepted what came before it.
  const text = json.toString('utf8', 0, nul);
  try {
    return { root: JSON.parse(text), text };
  } catch {
    throw requestJsonParseError(json, undefined);
  }
}

/** `failed to parse the request JSON buffer: <rapidjson message> at <offset>`. */
export function requestJsonParseError(json: Uint8Array, found = findJsonSyntaxError(json)): ServerError {
  // JSON.parse and rapidjson disagree only on edge cases (e.g. lone surrogate escapes); say something sensible then.
  found ??= { message: 'Invalid value.', offset: 0 };
  return internal(`failed to parse the request JSON buffer: ${found.message} at ${found.offset}`);
}
