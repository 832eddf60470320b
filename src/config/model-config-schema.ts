/**
 * protos/model_config.proto loaded with protobufjs (proto field names kept), the schema that the config.pbtxt parser,
 * the JSON override parser and the JSON printer walk by reflection.
 */
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';

const PROTO_PATH = fileURLToPath(new URL('../../protos/model_config.proto', import.meta.url));

export const modelConfigRoot: protobuf.Root = new protobuf.Root().loadSync(PROTO_PATH, { keepCase: true });
modelConfigRoot.resolveAll();

/** The `inference.ModelConfig` message type. */
export const ModelConfigType: protobuf.Type = modelConfigRoot.lookupType('inference.ModelConfig');

const CONVERSION = { enums: String, longs: Number, defaults: true, arrays: true, objects: true } as const;

/**
 * Turns a ModelConfig message into the plain object form used throughout the server (see model-config.ts): enums as
 * names, 64-bit integers as numbers, every scalar and repeated field present, maps as objects, unset sub-messages and
 * oneof members absent.
 */
export function configObjectFromMessage(message: protobuf.Message): Record<string, unknown> {
  return dropNulls(ModelConfigType.toObject(message, CONVERSION)) as Record<string, unknown>;
}

/**
 * The plain form of any `inference.*` message type (e.g. `'ModelInstanceGroup'`) built from `partial`, every missing
 * scalar and repeated field set to its proto3 default. Used where the pipeline adds sub-messages.
 */
export function plainMessage<T>(typeName: string, partial: Record<string, unknown> = {}): T {
  const type = modelConfigRoot.lookupType(`inference.${typeName}`);
  return dropNulls(type.toObject(type.fromObject(partial), CONVERSION)) as T;
}

/** protobufjs prints unset sub-messages as null when defaults are requested; the plain form leaves them out. */
function dropNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(dropNulls);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== null && v !== undefined) out[k] = dropNulls(v);
    return out;
  }
  return value;
}
