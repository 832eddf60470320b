/**
 * Lazy tokenizer for protobuf text format (the dialect of C++ `TextFormat::Parser`): identifiers, integers, floats,
 * quoted strings and one-character symbols; `#` comments and ASCII whitespace between tokens. A `-` sign is its own
 * symbol token, so the parser decides where it may appear. Tokenization is on demand, so the first error reported is
 * the first one in the text.
 */
import { scanStringLiteral } from './string-literal.ts';
import type { SourceText } from './text-format-error.ts';

export type TokenType = 'identifier' | 'integer' | 'float' | 'string' | 'symbol' | 'end';

export interface Token {
  readonly type: TokenType;
  /** The token's exact source text (with quotes for strings; empty at the end). */
  readonly text: string;
  /** Offset of the token's first character. */
  readonly offset: number;
  /** Offset just past the token. */
  readonly end: number;
  /** For strings: the literal's bytes after unescaping. */
  readonly bytes?: Uint8Array;
}

const isWhitespace = (c: string): boolean =>
  c === ' ' || c === '\n' || c === '\t' || c === '\r' || c === '\v' || c === '\f';
const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';
const isOctal = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '7';
const isHex = (c: string | undefined): boolean => c !== undefined && /^[0-9a-fA-F]$/.test(c);
const isLetter = (c: string | undefined): boolean =>
  c !== undefined && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '_');

export class Tokenizer {
  /** The token the parser is looking at. */
  current: Token;
  private readonly source: SourceText;
  private pos = 0;
  private previous: Token | undefined;

  constructor(source: SourceText) {
    this.source = source;
    this.current = this.scan();
  }

  /** Returns the current token and moves to the next one. */
  advance(): Token {
    const token = this.current;
    this.previous = token;
    this.current = this.scan();
    return token;
  }

  private scan(): Token {
    const text = this.source.text;
    this.skipWhitespaceAndComments();
    const start = this.pos;
    if (start >= text.length) return { type: 'end', text: '', offset: start, end: start };
    const c = text[start]!;
    if (isLetter(c)) {
      let end = start + 1;
      while (end < text.length && (isLetter(text[end]) || isDigit(text[end]))) end++;
      return this.take('identifier', end);
    }
    if (isDigit(c) || (c === '.' && isDigit(text[start + 1]))) return this.scanNumber(start);
    if (c === '"' || c === "'") {
      const { end, bytes } = scanStringLiteral(this.source, start);
      this.pos = end;
      return { type: 'string', text: text.slice(start, end), offset: start, end, bytes };
    }
    const code = c.charCodeAt(0);
    if (code < 0x20 || code === 0x7f) {
      throw this.source.error(start, `invalid control character U+${hex4(code)} in text`);
    }
    if (code === 0xfeff) {
      throw this.source.error(
        start,
        'unexpected byte order mark (U+FEFF); Triton does not accept one, save as UTF-8 without BOM',
      );
    }
    if (code >= 0x80) {
      const ch = String.fromCodePoint(text.codePointAt(start)!);
      throw this.source.error(
        start,
        `unexpected character "${ch}" (U+${hex4(ch.codePointAt(0)!)}) outside a string literal`,
      );
    }
    return this.take('symbol', start + 1);
  }

  private take(type: TokenType, end: number): Token {
    const token = { type, text: this.source.text.slice(this.pos, end), offset: this.pos, end };
    this.pos = end;
    return token;
  }

  private skipWhitespaceAndComments(): void {
    const text = this.source.text;
    while (this.pos < text.length) {
      const c = text[this.pos]!;
      if (isWhitespace(c)) this.pos++;
      else if (c === '#') {
        const newline = text.indexOf('\n', this.pos);
        this.pos = newline === -1 ? text.length : newline + 1;
      } else break;
    }
  }

  /** Number token per protobuf's tokenizer: decimal/hex/octal integers, floats with `.`, exponent and `f` suffix. */
  private scanNumber(start: number): Token {
    const text = this.source.text;
    const fail = (at: number, reason: string): never => {
      throw this.source.error(at, reason);
    };
    let p = start;
    let isFloat = false;
    const startedWithZero = text[p] === '0';
    const startedWithDot = text[p] === '.';
    if (startedWithDot) {
      const prev = this.previous;
      if (prev?.type === 'identifier' && prev.end === start) {
        fail(start, 'need space between identifier and decimal point');
      }
    }
    p++;
    if (startedWithZero && (text[p] === 'x' || text[p] === 'X')) {
      p++;
      if (!isHex(text[p])) fail(p, '"0x" must be followed by hex digits');
      while (isHex(text[p])) p++;
    } else if (startedWithZero && isDigit(text[p])) {
      while (isOctal(text[p])) p++;
      if (isDigit(text[p])) {
        fail(start, 'numbers starting with a leading zero must be in octal (found the digit 8 or 9)');
      }
    } else {
      if (startedWithDot) isFloat = true;
      while (isDigit(text[p])) p++;
      if (!startedWithDot && text[p] === '.') {
        isFloat = true;
        p++;
        while (isDigit(text[p])) p++;
      }
      if (text[p] === 'e' || text[p] === 'E') {
        isFloat = true;
        p++;
        if (text[p] === '-' || text[p] === '+') p++;
        if (!isDigit(text[p])) fail(p, '"e" must be followed by an exponent');
        while (isDigit(text[p])) p++;
      }
      if (text[p] === 'f' || text[p] === 'F') {
        isFloat = true;
        p++;
      }
    }
    if (isLetter(text[p]) || isDigit(text[p])) {
      fail(p, `need space between number "${text.slice(start, p)}" and identifier`);
    } else if (text[p] === '.') {
      const reason = isFloat
        ? "already saw decimal point or exponent; can't have another one"
        : 'hex and octal numbers must be integers';
      fail(p, reason);
    }
    return this.take(isFloat ? 'float' : 'integer', p);
  }
}

function hex4(code: number): string {
  return code.toString(16).toUpperCase().padStart(4, '0');
}
