/**
 * Default-filled plain objects for any `inference.*` message of model_config.proto, in the same form as
 * `configObjectFromMessage` produces for a whole ModelConfig (enums as names, 64-bit integers as numbers, scalars and
 * repeated fields present, unset sub-messages and oneof members absent). Used where the pipeline adds sub-messages.
 */
import { modelConfigRoot } from './model-config-schema.ts';

const CONVERSION = { enums: String, longs: Number, defaults: true, arrays: true, objects: true } as const;

/**
 * Returns the plain form of message type `typeName` (e.g. `'ModelInstanceGroup'`, `'ModelDynamicBatching'`) built
 * from `partial`, with every missing scalar and repeated field set to its proto3 default.
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
