/**
 * Recursive-descent parser for protobuf text format that fills a plain object for protobufjs `Type.fromObject`,
 * driven only by reflection over the message type (see schema-view.ts). It follows C++ `TextFormat::Parser` with
 * singular overwrites forbidden, which is what Triton uses for config.pbtxt, and is stricter in two places: a
 * non-repeated field may not appear twice even when its first value was the proto3 default, and string fields must
 * hold valid UTF-8.
 */
import type protobuf from 'protobufjs';

import {
  floatTokenValue,
  INTEGER_RANGES,
  integerForObject,
  integerTokenValue,
  isHexOrOctal,
  type IntegerRange,
} from './numbers.ts';
import { messageView, type FieldView, type MessageView, type ScalarType, type ValueView } from './schema-view.ts';
import { SourceText, type TextFormatError } from './text-format-error.ts';
import { Tokenizer, type Token } from './tokenizer.ts';

type PlainObject = Record<string, unknown>;

/** Nesting limit for message bodies, the same as protobuf's default recursion limit. */
const RECURSION_LIMIT = 100;
const ENUM_RANGE: IntegerRange = INTEGER_RANGES['int32']!;
const FLOAT_MAX = 3.4028234663852886e38;
const utf8Decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Parses `text` as a `type` message; returns the plain object for `type.fromObject`. Throws TextFormatError. */
export function parseTextFormatObject(type: protobuf.Type, text: string, file: string): PlainObject {
  return new TextFormatParser(new SourceText(text, file)).parseRoot(messageView(type));
}

/** The fields already given in one message body, for the duplicate and oneof checks. */
interface MessageState {
  readonly view: MessageView;
  readonly object: PlainObject;
  readonly seen: Set<string>;
  /** oneof name → the member already given. */
  readonly oneofs: Map<string, string>;
}

class TextFormatParser {
  private readonly source: SourceText;
  private readonly tokens: Tokenizer;

  constructor(source: SourceText) {
    this.source = source;
    this.tokens = new Tokenizer(source);
  }

  parseRoot(view: MessageView): PlainObject {
    const state = newState(view);
    while (this.tokens.current.type !== 'end') this.parseField(state, 0);
    return state.object;
  }

  /** The fields of a message after its opening `{`/`<`, up to and including the matching closer. */
  private parseMessageBody(view: MessageView, opener: Token, depth: number): PlainObject {
    if (depth > RECURSION_LIMIT) {
      throw this.error(
        opener,
        `Message is too deep, the parser exceeded the configured recursion limit of ${RECURSION_LIMIT}.`,
      );
    }
    const closer = opener.text === '{' ? '}' : '>';
    const state = newState(view);
    for (;;) {
      const token = this.tokens.current;
      if (token.type === 'end') {
        throw this.error(
          token,
          `unexpected end of input: expected "${closer}" to close the "${opener.text}" at ${this.at(opener)}`,
        );
      }
      if (isSymbol(token, '}') || isSymbol(token, '>')) {
        if (token.text !== closer) {
          throw this.error(
            token,
            `expected "${closer}" to close the "${opener.text}" at ${this.at(opener)}, found "${token.text}"`,
          );
        }
        this.tokens.advance();
        return state.object;
      }
      this.parseField(state, depth);
    }
  }

  /** One `name [:] value` (or `name [:] [list]`) with its optional trailing `,` or `;`. */
  private parseField(state: MessageState, depth: number): void {
    const nameToken = this.tokens.current;
    if (isSymbol(nameToken, '[')) throw this.extensionError(state.view);
    if (nameToken.type !== 'identifier') {
      if (isSymbol(nameToken, '}') || isSymbol(nameToken, '>')) {
        throw this.error(nameToken, `unexpected "${nameToken.text}": there is no open message to close`);
      }
      throw this.error(nameToken, `expected a field name of ${state.view.fullName}, found ${describe(nameToken)}`);
    }
    this.tokens.advance();
    const field = state.view.field(nameToken.text);
    if (field === undefined) throw this.error(nameToken, `unknown field "${nameToken.text}" in ${state.view.fullName}`);
    this.checkNotGivenYet(state, field, nameToken);

    if (field.value.kind === 'message') {
      if (isSymbol(this.tokens.current, ':')) this.tokens.advance();
    } else {
      const colon = this.tokens.current;
      if (!isSymbol(colon, ':')) {
        throw this.error(colon, `expected ':' after scalar field "${field.name}", found ${describe(colon)}`);
      }
      this.tokens.advance();
    }

    if (isSymbol(this.tokens.current, '[')) {
      const open = this.tokens.advance();
      if (!field.repeated) {
        throw this.error(open, `field "${field.name}" is not repeated, so it cannot take a list "[ ... ]"`);
      }
      this.parseList(state.object, field, depth);
    } else {
      this.store(state.object, field, this.parseValue(field, depth));
    }
    if (isSymbol(this.tokens.current, ';') || isSymbol(this.tokens.current, ',')) this.tokens.advance();
  }

  /** C++ TextFormat (singular overwrites forbidden): a singular field once, one member per oneof. */
  private checkNotGivenYet(state: MessageState, field: FieldView, nameToken: Token): void {
    if (!field.repeated) {
      if (state.seen.has(field.name)) {
        throw this.error(nameToken, `Non-repeated field "${field.name}" is specified multiple times.`);
      }
      state.seen.add(field.name);
    }
    if (field.oneof !== undefined) {
      const other = state.oneofs.get(field.oneof);
      if (other !== undefined) {
        throw this.error(
          nameToken,
          `Field "${field.name}" is specified along with field "${other}", another member of oneof "${field.oneof}".`,
        );
      }
      state.oneofs.set(field.oneof, field.name);
    }
  }

  /** The elements of `[a, b, ...]` after the `[`, through the `]`; no trailing comma. */
  private parseList(object: PlainObject, field: FieldView, depth: number): void {
    container(object, field);
    if (isSymbol(this.tokens.current, ']')) {
      this.tokens.advance();
      return;
    }
    for (;;) {
      this.store(object, field, this.parseValue(field, depth));
      const token = this.tokens.current;
      if (isSymbol(token, ']')) {
        this.tokens.advance();
        return;
      }
      if (!isSymbol(token, ',')) {
        throw this.error(token, `expected "," or "]" in the list of field "${field.name}", found ${describe(token)}`);
      }
      this.tokens.advance();
      if (isSymbol(this.tokens.current, ']')) {
        throw this.error(
          this.tokens.current,
          `unexpected "]" after "," in the list of field "${field.name}" (no trailing comma)`,
        );
      }
    }
  }

  private parseValue(field: FieldView, depth: number): unknown {
    const value = field.value;
    switch (value.kind) {
      case 'message': {
        const opener = this.tokens.current;
        if (!isSymbol(opener, '{') && !isSymbol(opener, '<')) {
          throw this.error(
            opener,
            `expected "{" or "<" to start message field "${field.name}", found ${describe(opener)}`,
          );
        }
        this.tokens.advance();
        return this.parseMessageBody(value.message, opener, depth + 1);
      }
      case 'enum':
        return this.parseEnum(field.name, value.enum);
      case 'scalar':
        return this.parseScalar(field.name, value.type);
    }
  }

  private parseScalar(name: string, type: ScalarType): unknown {
    switch (type) {
      case 'string':
      case 'bytes':
        return this.parseString(name, type);
      case 'bool':
        return this.parseBool(name);
      case 'float':
      case 'double':
        return this.parseFloat(name, type);
      default:
        return this.parseInteger(name, type, INTEGER_RANGES[type]!);
    }
  }

  /** One or more adjacent string literals, concatenated; bytes fields keep the raw bytes. */
  private parseString(name: string, type: 'string' | 'bytes'): string | Uint8Array {
    const first = this.tokens.current;
    if (first.type !== 'string') {
      throw this.error(
        first,
        `expected a string for ${type} field "${name}", found ${describe(first)}`,
      );
    }
    const parts: Uint8Array[] = [];
    while (this.tokens.current.type === 'string') parts.push(this.tokens.advance().bytes!);
    const bytes = parts.length === 1 ? parts[0]! : concat(parts);
    if (type === 'bytes') return bytes;
    try {
      return utf8Decoder.decode(bytes);
    } catch {
      throw this.error(
        first,
        `string field "${name}" is not valid UTF-8 (escapes must spell UTF-8; binary data needs a bytes field)`,
      );
    }
  }

  /** `true`/`True`/`t`, `false`/`False`/`f`, or an integer 0/1 in any spelling. */
  private parseBool(name: string): boolean {
    const token = this.tokens.current;
    if (token.type === 'integer') {
      const value = integerTokenValue(token.text);
      if (value > 1n) {
        const reason = `Invalid value for boolean field "${name}". Value: "${token.text}" (an integer must be 0 or 1).`;
        throw this.error(token, reason);
      }
      this.tokens.advance();
      return value === 1n;
    }
    if (token.type !== 'identifier') {
      throw this.error(
        token,
        `expected true or false for boolean field "${name}", found ${describe(token)}`,
      );
    }
    this.tokens.advance();
    if (token.text === 'true' || token.text === 'True' || token.text === 't') return true;
    if (token.text === 'false' || token.text === 'False' || token.text === 'f') return false;
    throw this.error(token, `Invalid value for boolean field "${name}". Value: "${token.text}".`);
  }

  /** Optional `-`, then a float, a decimal integer, or inf/infinity/nan (any case). */
  private parseFloat(name: string, type: 'float' | 'double'): number {
    const negative = isSymbol(this.tokens.current, '-');
    if (negative) this.tokens.advance();
    const token = this.tokens.current;
    let value: number;
    if (token.type === 'float') value = floatTokenValue(token.text);
    else if (token.type === 'integer') {
      if (isHexOrOctal(token.text)) {
        throw this.error(
          token,
          `expected a decimal number for ${type} field "${name}", found ${token.text} ` +
            '(hex and octal are for integer fields)',
        );
      }
      value = Number(token.text);
    } else {
      const lower = token.type === 'identifier' ? token.text.toLowerCase() : '';
      if (lower === 'inf' || lower === 'infinity') value = Infinity;
      else if (lower === 'nan') value = NaN;
      else throw this.error(token, `expected a number for ${type} field "${name}", found ${describe(token)}`);
    }
    this.tokens.advance();
    if (type === 'float' && Math.abs(value) > FLOAT_MAX && Number.isFinite(value)) value = Infinity;
    return negative ? -value : value;
  }

  /** Optional `-` (a token of its own), then an integer token, range-checked; 64-bit values beyond 2^53 as strings. */
  private parseInteger(name: string, type: string, range: IntegerRange): number | string {
    const minus = isSymbol(this.tokens.current, '-') ? this.tokens.advance() : undefined;
    if (minus !== undefined && range.min === 0n) {
      throw this.error(minus, `expected a non-negative integer for ${type} field "${name}", found "-"`);
    }
    const token = this.tokens.current;
    if (token.type !== 'integer') {
      throw this.error(
        token,
        `expected an integer for ${type} field "${name}", found ${describe(token)}`,
      );
    }
    this.tokens.advance();
    const magnitude = integerTokenValue(token.text);
    const value = minus === undefined ? magnitude : -magnitude;
    if (value < range.min || value > range.max) {
      throw this.error(
        minus ?? token,
        `integer ${minus === undefined ? '' : '-'}${token.text} is out of range for ${type} field "${name}" ` +
          `(${range.min} to ${range.max})`,
      );
    }
    return range.wide ? integerForObject(value) : Number(value);
  }

  /** A value name, or a number (unknown numbers are kept for open proto3 enums, as C++ does). */
  private parseEnum(name: string, enumType: protobuf.Enum): string | number {
    const token = this.tokens.current;
    if (token.type === 'identifier') {
      this.tokens.advance();
      if (Object.hasOwn(enumType.values, token.text)) return token.text;
      const names = Object.keys(enumType.values).join(', ');
      throw this.error(
        token,
        `Unknown enumeration value of "${token.text}" for field "${name}". Expected one of: ${names}.`,
      );
    }
    if (token.type !== 'integer' && !isSymbol(token, '-')) {
      throw this.error(token, `expected an enum value name or number for field "${name}", found ${describe(token)}`);
    }
    const number = this.parseInteger(name, 'enum', ENUM_RANGE) as number;
    const valueName = enumType.valuesById[number];
    if (valueName !== undefined) return valueName;
    if (isClosedEnum(enumType)) {
      throw this.error(
        token,
        `Unknown enumeration value of "${number}" for field "${name}".`,
      );
    }
    return number;
  }

  private store(object: PlainObject, field: FieldView, value: unknown): void {
    if (field.map) {
      const entry = value as PlainObject;
      const entryView = (field.value as { message: MessageView }).message;
      const key = Object.hasOwn(entry, 'key') ? entry['key'] : defaultValue(entryView.field('key')!.value);
      const mapValue = Object.hasOwn(entry, 'value') ? entry['value'] : defaultValue(entryView.field('value')!.value);
      define(container(object, field) as PlainObject, String(key), mapValue); // last duplicate key wins
    } else if (field.repeated) {
      (container(object, field) as unknown[]).push(value);
    } else {
      define(object, field.key, value);
    }
  }

  /** `[ext.name]` / `[type.url/Name]` field names: ModelConfig-style schemas have no extensions. */
  private extensionError(view: MessageView): TextFormatError {
    const open = this.tokens.advance();
    let name = '';
    for (let i = 0; i < 32 && this.tokens.current.type !== 'end' && !isSymbol(this.tokens.current, ']'); i++) {
      name += this.tokens.advance().text;
    }
    return this.error(
      open,
      `Extension "${name}" is not defined or is not an extension of "${view.fullName}" ` +
        '("[...]" extension and Any syntax is not supported).',
    );
  }

  private error(token: Token, reason: string): TextFormatError {
    return this.source.error(token.offset, reason);
  }

  private at(token: Token): string {
    const { line, column } = this.source.position(token.offset);
    return `${line}:${column}`;
  }
}

function newState(view: MessageView): MessageState {
  return { view, object: {}, seen: new Set(), oneofs: new Map() };
}

function isSymbol(token: Token, text: string): boolean {
  return token.type === 'symbol' && token.text === text;
}

function describe(token: Token): string {
  if (token.type === 'end') return 'end of input';
  const text = token.text.length > 40 ? `${token.text.slice(0, 37)}...` : token.text;
  return token.type === 'string' ? text : `"${text}"`;
}

/** The array (repeated) or object (map) holding a field's values, created on first use. */
function container(object: PlainObject, field: FieldView): unknown {
  if (!Object.hasOwn(object, field.key)) define(object, field.key, field.map ? {} : []);
  return object[field.key];
}

/** Sets an own enumerable property, even one named `__proto__` (map keys are arbitrary strings). */
function define(object: PlainObject, key: string, value: unknown): void {
  Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
}

/** The zero value a map entry gets for an omitted `key` or `value`. */
function defaultValue(value: ValueView): unknown {
  switch (value.kind) {
    case 'message':
      return {};
    case 'enum':
      return value.enum.valuesById[0] ?? Object.keys(value.enum.values)[0];
    case 'scalar':
      if (value.type === 'string') return '';
      if (value.type === 'bytes') return new Uint8Array(0);
      if (value.type === 'bool') return false;
      return 0;
  }
}

function isClosedEnum(enumType: protobuf.Enum): boolean {
  return (enumType as unknown as { _features?: { enum_type?: string } })._features?.enum_type === 'CLOSED';
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
