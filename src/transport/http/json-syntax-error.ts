/**
 * Locates the first syntax error of a JSON document the way rapidjson 1.1.0's reader (default flags, as Triton parses
 * request bodies) reports it: the same checks in the same order, its English message and its byte offset. Only run once
 * JSON.parse has already failed (or a number overflowed a double), so it favours clarity over speed; it is iterative so
 * deep nesting cannot exhaust the stack. Strings are also checked for valid UTF-8 (rapidjson's validating mode), which
 * is where nereid refuses bodies that JSON.parse would silently repair.
 */

export interface JsonSyntaxError {
  /** rapidjson's GetParseError_En text, e.g. `Invalid value.` */
  readonly message: string;
  /** Byte offset rapidjson reports for the error. */
  readonly offset: number;
}

const DOCUMENT_EMPTY = 'The document is empty.';
const ROOT_NOT_SINGULAR = 'The document root must not be followed by other values.';
const VALUE_INVALID = 'Invalid value.';
const OBJECT_MISS_NAME = 'Missing a name for object member.';
const OBJECT_MISS_COLON = 'Missing a colon after a name of object member.';
const OBJECT_MISS_COMMA = "Missing a comma or '}' after an object member.";
const ARRAY_MISS_COMMA = "Missing a comma or ']' after an array element.";
const INVALID_HEX = 'Incorrect hex digit after \\u escape in string.';
const SURROGATE_INVALID = 'The surrogate pair in string is invalid.';
const ESCAPE_INVALID = 'Invalid escape character in string.';
const MISS_QUOTATION = 'Missing a closing quotation mark in string.';
const INVALID_ENCODING = 'Invalid encoding in string.';
const NUMBER_TOO_BIG = 'Number too big to be stored in double.';
const MISS_FRACTION = 'Miss fraction part in number.';
const MISS_EXPONENT = 'Miss exponent in number.';

/** The characters after a backslash that need no hex digits: " \\ / b f n r t. */
const SIMPLE_ESCAPES: readonly number[] = [0x22, 0x5c, 0x2f, 0x62, 0x66, 0x6e, 0x72, 0x74];

const OBJECT = 1;
const ARRAY = 2;

class Found {
  constructor(
    readonly message: string,
    readonly offset: number,
  ) {}
}

/** The first error rapidjson would report for `bytes`, or undefined when it would accept them. */
export function findJsonSyntaxError(bytes: Uint8Array): JsonSyntaxError | undefined {
  try {
    new Scanner(bytes).document();
    return undefined;
  } catch (error) {
    if (error instanceof Found) return { message: error.message, offset: error.offset };
    throw error;
  }
}

class Scanner {
  private p = 0;

  constructor(private readonly b: Uint8Array) {}

  /** rapidjson's MemoryStream reads 0 past the end, so a NUL byte also ends the document. */
  private peek(): number {
    return this.p < this.b.length ? this.b[this.p]! : 0;
  }

  private skipWhitespace(): void {
    for (;;) {
      const c = this.peek();
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return;
      this.p++;
    }
  }

  document(): void {
    this.skipWhitespace();
    if (this.peek() === 0) throw new Found(DOCUMENT_EMPTY, this.p);
    const stack: number[] = [];
    let expectKey = false;
    for (;;) {
      if (expectKey) {
        if (this.peek() !== 0x22) throw new Found(OBJECT_MISS_NAME, this.p);
        this.string();
        this.skipWhitespace();
        if (this.peek() !== 0x3a) throw new Found(OBJECT_MISS_COLON, this.p);
        this.p++;
        this.skipWhitespace();
      }
      // A value.
      const c = this.peek();
      if (c === 0x7b || c === 0x5b) {
        this.p++;
        this.skipWhitespace();
        if (this.peek() === (c === 0x7b ? 0x7d : 0x5d)) {
          this.p++;
        } else {
          stack.push(c === 0x7b ? OBJECT : ARRAY);
          expectKey = c === 0x7b;
          continue;
        }
      } else {
        this.scalar(c);
      }
      // After a value: close containers or move to the next member/element.
      for (;;) {
        this.skipWhitespace();
        const top = stack[stack.length - 1];
        if (top === undefined) {
          if (this.peek() !== 0) throw new Found(ROOT_NOT_SINGULAR, this.p);
          return;
        }
        const next = this.peek();
        if (next === 0x2c) {
          this.p++;
          this.skipWhitespace();
          expectKey = top === OBJECT;
          break;
        }
        if (next === (top === OBJECT ? 0x7d : 0x5d)) {
          this.p++;
          stack.pop();
          continue;
        }
        throw new Found(top === OBJECT ? OBJECT_MISS_COMMA : ARRAY_MISS_COMMA, this.p);
      }
    }
  }

  private scalar(c: number): void {
    switch (c) {
      case 0x22:
        this.string();
        return;
      case 0x6e:
        this.literal('ull');
        return;
      case 0x74:
        this.literal('rue');
        return;
      case 0x66:
        this.literal('alse');
        return;
      default:
        this.number();
    }
  }

  private literal(rest: string): void {
    this.p++;
    for (let i = 0; i < rest.length; i++) {
      if (this.peek() !== rest.charCodeAt(i)) throw new Found(VALUE_INVALID, this.p);
      this.p++;
    }
  }

  private string(): void {
    this.p++; // opening quote
    for (;;) {
      const c = this.peek();
      if (c === 0x5c) {
        const escapeOffset = this.p;
        this.p++;
        const e = this.peek();
        if (SIMPLE_ESCAPES.includes(e)) {
          this.p++;
        } else if (e === 0x75) {
          this.p++;
          const unit = this.hex4(escapeOffset);
          if (unit >= 0xd800 && unit <= 0xdbff) {
            if (this.peek() !== 0x5c) throw new Found(SURROGATE_INVALID, escapeOffset);
            this.p++;
            if (this.peek() !== 0x75) throw new Found(SURROGATE_INVALID, escapeOffset);
            this.p++;
            const low = this.hex4(escapeOffset);
            if (low < 0xdc00 || low > 0xdfff) throw new Found(SURROGATE_INVALID, escapeOffset);
          }
        } else {
          throw new Found(ESCAPE_INVALID, escapeOffset);
        }
      } else if (c === 0x22) {
        this.p++;
        return;
      } else if (c < 0x20) {
        // rapidjson 1.1.0 (the release distributions ship and Triton builds with) calls a raw control character an
        // invalid escape; later sources call it an invalid encoding.
        throw new Found(c === 0 ? MISS_QUOTATION : ESCAPE_INVALID, this.p);
      } else if (c < 0x80) {
        this.p++;
      } else {
        const length = utf8SequenceLength(this.b, this.p);
        if (length === 0) throw new Found(INVALID_ENCODING, this.p);
        this.p += length;
      }
    }
  }

  private hex4(escapeOffset: number): number {
    let value = 0;
    for (let i = 0; i < 4; i++) {
      const c = this.peek();
      let digit: number;
      if (c >= 0x30 && c <= 0x39) digit = c - 0x30;
      else if (c >= 0x41 && c <= 0x46) digit = c - 0x37;
      else if (c >= 0x61 && c <= 0x66) digit = c - 0x57;
      else throw new Found(INVALID_HEX, escapeOffset);
      value = value * 16 + digit;
      this.p++;
    }
    return value;
  }

  /** rapidjson's ParseNumber checks: digits where required, and values or exponents too big for a double. */
  private number(): void {
    const start = this.p;
    if (this.peek() === 0x2d) this.p++;
    let significant = 0;
    const first = this.peek();
    if (first === 0x30) {
      this.p++;
    } else if (first >= 0x31 && first <= 0x39) {
      while (isDigit(this.peek())) {
        significant++;
        this.p++;
      }
    } else {
      throw new Found(VALUE_INVALID, this.p);
    }
    // rapidjson counts fraction digits (up to 17 significant ones) against the largest allowed exponent.
    let fractionDigits = 0;
    if (this.peek() === 0x2e) {
      this.p++;
      if (!isDigit(this.peek())) throw new Found(MISS_FRACTION, this.p);
      while (isDigit(this.peek())) {
        if (significant < 17) {
          fractionDigits++;
          if (significant > 0 || this.peek() !== 0x30) significant++;
        }
        this.p++;
      }
    }
    const e = this.peek();
    if (e === 0x65 || e === 0x45) {
      this.p++;
      let negative = false;
      if (this.peek() === 0x2b) this.p++;
      else if (this.peek() === 0x2d) {
        negative = true;
        this.p++;
      }
      if (!isDigit(this.peek())) throw new Found(MISS_EXPONENT, this.p);
      let exponent = this.peek() - 0x30;
      this.p++;
      const maxExponent = 308 + fractionDigits;
      while (isDigit(this.peek())) {
        exponent = Math.min(exponent * 10 + (this.peek() - 0x30), 1e9);
        this.p++;
        if (!negative && exponent > maxExponent) throw new Found(NUMBER_TOO_BIG, start);
      }
    }
    const value = Number(Buffer.from(this.b.buffer, this.b.byteOffset + start, this.p - start).toString('latin1'));
    if (value === Infinity || value === -Infinity) throw new Found(NUMBER_TOO_BIG, start);
  }
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/** Length of the well-formed UTF-8 sequence at `i` (no overlongs, surrogates or code points past U+10FFFF), else 0. */
function utf8SequenceLength(b: Uint8Array, i: number): number {
  const c = b[i]!;
  const at = (k: number): number => (i + k < b.length ? b[i + k]! : 0);
  const cont = (x: number): boolean => (x & 0xc0) === 0x80;
  if (c >= 0xc2 && c <= 0xdf) return cont(at(1)) ? 2 : 0;
  if (c >= 0xe0 && c <= 0xef) {
    const c1 = at(1);
    const lo = c === 0xe0 ? 0xa0 : 0x80;
    const hi = c === 0xed ? 0x9f : 0xbf;
    return c1 >= lo && c1 <= hi && cont(at(2)) ? 3 : 0;
  }
  if (c >= 0xf0 && c <= 0xf4) {
    const c1 = at(1);
    const lo = c === 0xf0 ? 0x90 : 0x80;
    const hi = c === 0xf4 ? 0x8f : 0xbf;
    return c1 >= lo && c1 <= hi && cont(at(2)) && cont(at(3)) ? 4 : 0;
  }
  return 0;
}
