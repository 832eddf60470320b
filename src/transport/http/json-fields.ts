/**
 * Field access on a JSON.parse result with the texts of Triton's JSON accessors (TritonJson over rapidjson) and the
 * `<context>: <detail>` wrapping its HTTP frontend puts around them. TritonJson reports every accessor failure as
 * INTERNAL and the wrapping keeps the code, so Triton answers 500 for these; so do we.
 */
import { internal, type ServerError } from '../../protocol/errors.ts';

/** TritonJson's accessor texts, verbatim. */
export const NOT_STRING = 'attempt to access JSON non-string as string';
export const NOT_BOOL = 'attempt to access JSON non-boolean as boolean';
export const NOT_INT = 'attempt to access JSON non-signed-integer as signed-integer';
export const NOT_UINT = 'attempt to access JSON non-unsigned-integer as unsigned-integer';
export const NOT_NUMBER = 'attempt to access JSON non-number as double';
export const NOT_ARRAY = 'attempt to access JSON non-array as array';
export const NOT_OBJECT_MEMBERS = 'attempt to get members for non-object';

/** TritonJson's text for a member that is absent (or asked of a non-object). */
export function missingMember(name: string): string {
  return `attempt to access non-existing object member '${name}'`;
}

/** A TritonJson accessor error wrapped with its context, e.g. `Unable to parse 'shape': <detail>` (INTERNAL). */
export function fieldError(context: string, detail: string): ServerError {
  return internal(`${context}: ${detail}`);
}

/** A JSON object as JSON.parse returns it. */
export type JsonObject = { readonly [key: string]: unknown };

/** True for a JSON object (not null, not an array). */
export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** TritonJson `Find`: true when `value` is an object with own member `name`. */
export function hasMember(value: unknown, name: string): value is JsonObject {
  return isJsonObject(value) && Object.hasOwn(value, name);
}

const TWO_POW_64 = 18446744073709551616;

/**
 * rapidjson's IsUint64 as far as a parsed number can tell: a non-negative integer below 2^64. JSON.parse reads `1.0`
 * as 1, so an integral number written with a fraction or exponent passes where rapidjson would call it a double.
 */
export function isUint(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value < TWO_POW_64;
}

/** TritonJson `MemberAsString` wrapped with `context`. */
export function memberAsString(value: unknown, name: string, context: string): string {
  if (!hasMember(value, name)) throw fieldError(context, missingMember(name));
  const member = value[name];
  if (typeof member !== 'string') throw fieldError(context, NOT_STRING);
  return member;
}

/** TritonJson `MemberAsArray` wrapped with `context`. */
export function memberAsArray(value: unknown, name: string, context: string): readonly unknown[] {
  if (!hasMember(value, name)) throw fieldError(context, missingMember(name));
  const member = value[name];
  if (!Array.isArray(member)) throw fieldError(context, NOT_ARRAY);
  return member;
}
