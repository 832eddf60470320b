/**
 * Parsing of ModelConfig JSON (the load API's `config` parameter), with the options Triton uses for protobuf's
 * JsonStringToMessage: enum names case-insensitive, unknown fields rejected. Field names may be the proto names or
 * their lowerCamel JSON names; 64-bit integers may be numbers or strings; `null` means "not set".
 */
import protobuf from 'protobufjs';
import { invalidArg, type ServerError } from '../protocol/errors.ts';
import { configObjectFromMessage, ModelConfigType } from './model-config-schema.ts';
import type { ModelConfig } from './model-config.ts';

const INT_RANGES: Readonly<Record<string, readonly [number, number]>> = {
  int32: [-2147483648, 2147483647],
  sint32: [-2147483648, 2147483647],
  sfixed32: [-2147483648, 2147483647],
  uint32: [0, 4294967295],
  fixed32: [0, 4294967295],
  int64: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
  sint64: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
  sfixed64: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
  uint64: [0, Number.MAX_SAFE_INTEGER],
  fixed64: [0, Number.MAX_SAFE_INTEGER],
};

/**
 * Parses ModelConfig JSON text into the plain config form. Every error is INVALID_ARG
 * `Invalid config override: <detail>`.
 */
export function modelConfigFromJson(json: string): ModelConfig {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (e) {
    throw overrideError((e as Error).message);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw overrideError('expected a JSON object for message inference.ModelConfig');
  }
  const object = parseMessage(ModelConfigType, parsed as Record<string, unknown>, '');
  return configObjectFromMessage(ModelConfigType.fromObject(object)) as unknown as ModelConfig;
}

function parseMessage(type: protobuf.Type, json: Record<string, unknown>, path: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const oneofSeen = new Map<string, string>();
  for (const [key, value] of Object.entries(json)) {
    const field = fieldByJsonName(type, key);
    const fieldPath = path === '' ? key : `${path}.${key}`;
    if (field === undefined) throw overrideError(`${fieldPath}: Cannot find field.`);
    if (value === null) continue;
    if (field.partOf !== null) {
      const other = oneofSeen.get(field.partOf.name);
      if (other !== undefined) {
        throw overrideError(`${fieldPath}: oneof field '${field.partOf.name}' is already set (by '${other}').`);
      }
      oneofSeen.set(field.partOf.name, field.name);
    }
    out[field.name] = parseField(field, value, fieldPath);
  }
  return out;
}

function parseField(field: protobuf.Field, value: unknown, path: string): unknown {
  if (field.map) {
    if (typeof value !== 'object' || Array.isArray(value)) {
      throw overrideError(`${path}: expected an object for a map.`);
    }
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
      const keyType = (field as unknown as protobuf.MapField).keyType;
      if (keyType !== 'string' && keyType !== 'bool') parseInteger(keyType, key, `${path}[${key}]`);
      if (keyType === 'bool' && key !== 'true' && key !== 'false') {
        throw overrideError(`${path}: invalid map key '${key}'.`);
      }
      out[key] = parseSingle(field, v, `${path}[${key}]`);
    }
    return out;
  }
  if (field.repeated) {
    if (!Array.isArray(value)) throw overrideError(`${path}: expected an array for a repeated field.`);
    return value.map((v, i) => parseSingle(field, v, `${path}[${i}]`));
  }
  return parseSingle(field, value, path);
}

function parseSingle(field: protobuf.Field, value: unknown, path: string): unknown {
  const resolved = field.resolvedType;
  if (resolved instanceof protobuf.Type) {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      throw overrideError(`${path}: expected an object for message ${resolved.fullName.slice(1)}.`);
    }
    return parseMessage(resolved, value as Record<string, unknown>, path);
  }
  if (resolved instanceof protobuf.Enum) return parseEnum(resolved, value, path);
  const type = field.type;
  if (type in INT_RANGES) return parseInteger(type, value, path);
  if (type === 'float' || type === 'double') return parseFloat(value, path);
  if (type === 'bool') {
    if (typeof value !== 'boolean') {
      throw overrideError(`${path}: invalid value ${JSON.stringify(value)} for type TYPE_BOOL.`);
    }
    return value;
  }
  if (type === 'string') {
    if (typeof value !== 'string') {
      throw overrideError(`${path}: invalid value ${JSON.stringify(value)} for type TYPE_STRING.`);
    }
    return value;
  }
  throw overrideError(`${path}: unsupported field type ${type}.`);
}

function parseEnum(type: protobuf.Enum, value: unknown, path: string): string {
  if (typeof value === 'string') {
    const upper = value.toUpperCase();
    const name = Object.keys(type.values).find((n) => n === value || n.toUpperCase() === upper);
    if (name !== undefined) return name;
  } else if (typeof value === 'number' && Number.isInteger(value)) {
    const name = type.valuesById[value];
    if (name !== undefined) return name;
  }
  throw overrideError(`${path}: invalid value ${JSON.stringify(value)} for type TYPE_ENUM.`);
}

function parseInteger(type: string, value: unknown, path: string): number {
  let n = NaN;
  if (typeof value === 'number') n = value;
  else if (typeof value === 'string' && /^\s*-?\d+(\.0*)?\s*$/.test(value)) n = Number(value);
  const [min, max] = INT_RANGES[type] ?? [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER];
  if (!Number.isInteger(n) || n < min || n > max) {
    throw overrideError(`${path}: invalid value ${JSON.stringify(value)} for type TYPE_${type.toUpperCase()}.`);
  }
  return n;
}

function parseFloat(value: unknown, path: string): number {
  if (typeof value === 'number') return value;
  if (value === 'NaN') return NaN;
  if (value === 'Infinity') return Infinity;
  if (value === '-Infinity') return -Infinity;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  throw overrideError(`${path}: invalid value ${JSON.stringify(value)} for type TYPE_FLOAT.`);
}

const jsonNameCache = new WeakMap<protobuf.Type, Map<string, protobuf.Field>>();

/** A field by proto name or lowerCamel JSON name. */
function fieldByJsonName(type: protobuf.Type, key: string): protobuf.Field | undefined {
  let names = jsonNameCache.get(type);
  if (names === undefined) {
    names = new Map();
    for (const field of type.fieldsArray) {
      names.set(field.name, field);
      names.set(protobuf.util.camelCase(field.name), field);
    }
    jsonNameCache.set(type, names);
  }
  return names.get(key);
}

function overrideError(detail: string): ServerError {
  return invalidArg(`Invalid config override: ${detail}`);
}
