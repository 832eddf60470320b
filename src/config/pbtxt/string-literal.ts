/**
 * Scanning of one quoted text-format string literal into raw bytes, with protobuf's C-style escapes. The literal's
 * bytes are kept raw so that `bytes` fields get exactly what was written; `string` fields decode them as UTF-8 later.
 */
import type { SourceText } from './text-format-error.ts';

const SIMPLE_ESCAPES: Readonly<Record<string, number>> = {
  a: 0x07,
  b: 0x08,
  f: 0x0c,
  n: 0x0a,
  r: 0x0d,
  t: 0x09,
  v: 0x0b,
  '\\': 0x5c,
  '?': 0x3f,
  "'": 0x27,
  '"': 0x22,
};

const isOctal = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '7';
const isHex = (c: string | undefined): boolean => c !== undefined && /^[0-9a-fA-F]$/.test(c);

/**
 * Scans the literal whose opening quote (`"` or `'`) is at `start`. Returns the offset just past the closing quote
 * and the literal's bytes. Throws TextFormatError on a bad escape, a raw newline or a missing closing quote.
 */
export function scanStringLiteral(source: SourceText, start: number): { end: number; bytes: Uint8Array } {
  const text = source.text;
  const quote = text[start];
  const bytes: number[] = [];
  let pos = start + 1;
  for (;;) {
    if (pos >= text.length) throw source.error(start, `unterminated string literal (missing closing ${quote})`);
    const ch = text[pos]!;
    if (ch === quote) return { end: pos + 1, bytes: Uint8Array.from(bytes) };
    if (ch === '\n') {
      throw source.error(
        pos,
        `Multiline strings are not allowed: missing closing ${quote} before the end of the line?`,
      );
    }
    if (ch === '\0') throw source.error(pos, 'NUL character inside a string literal (write it as \\0)');
    if (ch !== '\\') {
      const codePoint = text.codePointAt(pos)!;
      pushUtf8(bytes, codePoint);
      pos += codePoint > 0xffff ? 2 : 1;
      continue;
    }
    pos = scanEscape(source, pos, bytes);
  }
}

/** Scans the escape whose backslash is at `pos`, appends its bytes, returns the offset after it. */
function scanEscape(source: SourceText, pos: number, bytes: number[]): number {
  const text = source.text;
  const key = text[pos + 1];
  if (key === undefined) throw source.error(pos, 'unterminated string literal (ends in a backslash)');
  const simple = SIMPLE_ESCAPES[key];
  if (simple !== undefined) {
    bytes.push(simple);
    return pos + 2;
  }
  if (isOctal(key)) {
    let end = pos + 2;
    while (end < pos + 4 && isOctal(text[end])) end++;
    const value = parseInt(text.slice(pos + 1, end), 8);
    if (value > 0xff) throw source.error(pos, `octal escape "${text.slice(pos, end)}" is above \\377 (one byte)`);
    bytes.push(value);
    return end;
  }
  if (key === 'x' || key === 'X') {
    let end = pos + 2;
    while (end < pos + 4 && isHex(text[end])) end++;
    if (end === pos + 2) throw source.error(pos, 'expected hex digits after "\\x" in escape sequence');
    bytes.push(parseInt(text.slice(pos + 2, end), 16));
    return end;
  }
  if (key === 'u' || key === 'U') return scanUnicodeEscape(source, pos, bytes);
  throw source.error(pos, `invalid escape sequence "\\${key}" in string literal`);
}

/** `\uHHHH` (a UTF-16 head surrogate may be followed by `\uHHHH` with its trail) or `\UHHHHHHHH`, as UTF-8. */
function scanUnicodeEscape(source: SourceText, pos: number, bytes: number[]): number {
  const text = source.text;
  const long = text[pos + 1] === 'U';
  const digits = long ? 8 : 4;
  const hex = text.slice(pos + 2, pos + 2 + digits);
  if (hex.length !== digits || ![...hex].every(isHex)) {
    throw source.error(
      pos,
      long
        ? 'expected eight hex digits up to 10ffff after "\\U" in escape sequence'
        : 'expected four hex digits after "\\u" in escape sequence',
    );
  }
  let codePoint = parseInt(hex, 16);
  if (codePoint > 0x10ffff) throw source.error(pos, `"\\U${hex}" is beyond the last Unicode code point 10ffff`);
  let end = pos + 2 + digits;
  if (codePoint >= 0xd800 && codePoint < 0xdc00 && text.startsWith('\\u', end)) {
    const trailHex = text.slice(end + 2, end + 6);
    const trail = trailHex.length === 4 && [...trailHex].every(isHex) ? parseInt(trailHex, 16) : -1;
    if (trail >= 0xdc00 && trail < 0xe000) {
      codePoint = 0x10000 + ((codePoint - 0xd800) << 10) + (trail - 0xdc00);
      end += 6;
    }
  }
  // An unpaired surrogate is still written (3 bytes, as protobuf does); a string field then rejects it as bad UTF-8.
  pushUtf8(bytes, codePoint);
  return end;
}

function pushUtf8(bytes: number[], cp: number): void {
  if (cp < 0x80) bytes.push(cp);
  else if (cp < 0x800) bytes.push(0xc0 | (cp >> 6), 0x80 | (cp & 0x3f));
  else if (cp < 0x10000) bytes.push(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
  else bytes.push(0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 0x3f), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
}
