/**
 * The source text of the numbers in one input's `data`, for INT64/UINT64 values JSON.parse cannot hold exactly
 * (beyond 2^53). Only called on that rare path, on text JSON.parse has already accepted, so the scanner can skip
 * values by bracket counting and needs no error handling of its own. Duplicate keys resolve to the last one, as in
 * JSON.parse.
 */

/** Number tokens of `inputs[inputIndex].data` in document order (nested arrays flattened). */
export function inputDataNumberTokens(text: string, inputIndex: number): string[] {
  const scanner = new TextScanner(text);
  const inputs = scanner.lastMember(0, 'inputs');
  if (inputs === undefined) return [];
  const input = scanner.arrayElement(inputs, inputIndex);
  if (input === undefined) return [];
  const data = scanner.lastMember(input, 'data');
  return data === undefined ? [] : scanner.numbers(data);
}

class TextScanner {
  constructor(private readonly s: string) {}

  private skipWhitespace(p: number): number {
    const s = this.s;
    while (p < s.length) {
      const c = s.charCodeAt(p);
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
      p++;
    }
    return p;
  }

  /** Index just past the string starting at `p` (an opening quote). */
  private skipString(p: number): number {
    const s = this.s;
    for (p++; p < s.length; p++) {
      const c = s.charCodeAt(p);
      if (c === 0x5c) p++;
      else if (c === 0x22) return p + 1;
    }
    return p;
  }

  /** Index just past the value starting at `p`. */
  private skipValue(p: number): number {
    const s = this.s;
    const c = s.charCodeAt(p);
    if (c === 0x22) return this.skipString(p);
    if (c !== 0x7b && c !== 0x5b) {
      while (p < s.length && !isDelimiter(s.charCodeAt(p))) p++;
      return p;
    }
    let depth = 0;
    for (; p < s.length; p++) {
      const d = s.charCodeAt(p);
      if (d === 0x22) p = this.skipString(p) - 1;
      else if (d === 0x7b || d === 0x5b) depth++;
      else if (d === 0x7d || d === 0x5d) {
        depth--;
        if (depth === 0) return p + 1;
      }
    }
    return p;
  }

  /** Start of the value of the last member `name` of the object at `p`, if it is an object holding one. */
  lastMember(p: number, name: string): number | undefined {
    const s = this.s;
    p = this.skipWhitespace(p);
    if (s.charCodeAt(p) !== 0x7b) return undefined;
    let found: number | undefined;
    p = this.skipWhitespace(p + 1);
    while (s.charCodeAt(p) === 0x22) {
      const keyEnd = this.skipString(p);
      const key = JSON.parse(s.slice(p, keyEnd)) as string;
      p = this.skipWhitespace(this.skipWhitespace(keyEnd) + 1); // past the colon
      if (key === name) found = p;
      p = this.skipWhitespace(this.skipValue(p));
      if (s.charCodeAt(p) !== 0x2c) break;
      p = this.skipWhitespace(p + 1);
    }
    return found;
  }

  /** Start of element `index` of the array at `p`, if any. */
  arrayElement(p: number, index: number): number | undefined {
    const s = this.s;
    if (s.charCodeAt(p) !== 0x5b) return undefined;
    p = this.skipWhitespace(p + 1);
    for (let i = 0; s.charCodeAt(p) !== 0x5d && p < s.length; i++) {
      if (i === index) return p;
      p = this.skipWhitespace(this.skipValue(p));
      if (s.charCodeAt(p) === 0x2c) p = this.skipWhitespace(p + 1);
    }
    return undefined;
  }

  /** Every number token inside the value at `p`, in order. */
  numbers(p: number): string[] {
    const s = this.s;
    const end = this.skipValue(p);
    const out: string[] = [];
    while (p < end) {
      const c = s.charCodeAt(p);
      if (c === 0x22) {
        p = this.skipString(p);
      } else if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
        const start = p;
        while (p < end && !isDelimiter(s.charCodeAt(p))) p++;
        out.push(s.slice(start, p));
      } else {
        p++;
      }
    }
    return out;
  }
}

/** Characters that end a number or literal token. */
function isDelimiter(c: number): boolean {
  return c === 0x2c || c === 0x5d || c === 0x7d || c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}
