/**
 * The error every text-format (config.pbtxt) failure throws, and the source bookkeeping that turns an offset into the
 * 1-based line and column it names.
 */

/** A text-format parse failure; `message` is `<file>:<line>:<column>: <reason>` (line and column 1-based). */
export class TextFormatError extends Error {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  /** The message without the `file:line:column: ` prefix. */
  readonly reason: string;

  constructor(file: string, line: number, column: number, reason: string) {
    super(`${file}:${line}:${column}: ${reason}`);
    this.name = 'TextFormatError';
    this.file = file;
    this.line = line;
    this.column = column;
    this.reason = reason;
  }
}

/** The text being parsed plus its file name; makes errors located by character offset. */
export class SourceText {
  readonly text: string;
  readonly file: string;
  private lineStarts: number[] | undefined;

  constructor(text: string, file: string) {
    this.text = text;
    this.file = file;
  }

  /** 1-based line and column of `offset`; lines end at `\n` only (like protobuf's tokenizer), one column per char. */
  position(offset: number): { line: number; column: number } {
    const starts = (this.lineStarts ??= computeLineStarts(this.text));
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - starts[lo]! + 1 };
  }

  /** A TextFormatError located at `offset`. */
  error(offset: number, reason: string): TextFormatError {
    const { line, column } = this.position(offset);
    return new TextFormatError(this.file, line, column, reason);
  }
}

function computeLineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}
