/**
 * What the text-format parser needs to know about a protobufjs message type, read by reflection (`Type.fields`,
 * `Field.repeated`/`map`/`partOf`/`resolvedType`/`type`) so that one parser serves any message. A map field is seen
 * the way protobuf's text format sees it: a repeated field of `<Name>Entry` messages with `key` and `value`.
 */
import protobuf from 'protobufjs';

/** Protobuf scalar type names as protobufjs spells them. */
export type ScalarType =
  | 'double' | 'float'
  | 'int32' | 'uint32' | 'sint32' | 'fixed32' | 'sfixed32'
  | 'int64' | 'uint64' | 'sint64' | 'fixed64' | 'sfixed64'
  | 'bool' | 'string' | 'bytes';

export type ValueView =
  | { readonly kind: 'scalar'; readonly type: ScalarType }
  | { readonly kind: 'enum'; readonly enum: protobuf.Enum }
  | { readonly kind: 'message'; readonly message: MessageView };

export interface FieldView {
  /** The name text format uses: the .proto field name. */
  readonly name: string;
  /** The property name protobufjs `fromObject` reads (differs from `name` only without keepCase). */
  readonly key: string;
  /** Repeated, including maps. */
  readonly repeated: boolean;
  /** Set for map fields: values are entry messages to fold into an object. */
  readonly map: boolean;
  /** Name of the oneof the field belongs to, if any. */
  readonly oneof: string | undefined;
  readonly value: ValueView;
}

export class MessageView {
  /** Full name without the leading dot, e.g. `inference.ModelConfig`. */
  readonly fullName: string;
  /** True for a synthesized map entry (`key`, `value`). */
  readonly mapEntry: boolean;
  private readonly buildFields: () => Map<string, FieldView>;
  private fields: Map<string, FieldView> | undefined;

  constructor(fullName: string, mapEntry: boolean, buildFields: () => Map<string, FieldView>) {
    this.fullName = fullName;
    this.mapEntry = mapEntry;
    this.buildFields = buildFields;
  }

  /** The field text format calls `name`, if any (built on first use, so recursive types are fine). */
  field(name: string): FieldView | undefined {
    this.fields ??= this.buildFields();
    return this.fields.get(name);
  }
}

const SCALAR_TYPES: ReadonlySet<string> = new Set<ScalarType>([
  'double', 'float', 'int32', 'uint32', 'sint32', 'fixed32', 'sfixed32',
  'int64', 'uint64', 'sint64', 'fixed64', 'sfixed64', 'bool', 'string', 'bytes',
]);

const views = new WeakMap<protobuf.Type, MessageView>();

/** The (cached) view of a protobufjs message type. */
export function messageView(type: protobuf.Type): MessageView {
  let view = views.get(type);
  if (view === undefined) {
    view = new MessageView(stripDot(type.fullName), false, () => buildFields(type));
    views.set(type, view);
  }
  return view;
}

function buildFields(type: protobuf.Type): Map<string, FieldView> {
  const fields = new Map<string, FieldView>();
  for (const field of type.fieldsArray) {
    const name = field.protoName ?? field.name;
    const value = valueView(field, field.type);
    const oneof = field.partOf?.name;
    if (field.map) {
      const keyType = (field as unknown as protobuf.MapField).keyType;
      const entry = mapEntryView(type, name, scalarView(keyType, field), value);
      const entryValue: ValueView = { kind: 'message', message: entry };
      fields.set(name, { name, key: field.name, repeated: true, map: true, oneof, value: entryValue });
    } else {
      fields.set(name, { name, key: field.name, repeated: field.repeated, map: false, oneof, value });
    }
  }
  return fields;
}

function valueView(field: protobuf.Field, typeName: string): ValueView {
  if (SCALAR_TYPES.has(typeName)) return { kind: 'scalar', type: typeName as ScalarType };
  const resolved = field.resolvedType ?? field.resolve().resolvedType;
  if (resolved instanceof protobuf.Enum) return { kind: 'enum', enum: resolved };
  if (resolved instanceof protobuf.Type) return { kind: 'message', message: messageView(resolved) };
  throw new Error(`cannot resolve type "${typeName}" of field ${field.fullName}`);
}

function scalarView(typeName: string, field: protobuf.Field): ValueView {
  if (!SCALAR_TYPES.has(typeName)) {
    throw new Error(`map key type "${typeName}" of field ${field.fullName} is not a scalar`);
  }
  return { kind: 'scalar', type: typeName as ScalarType };
}

/** protobuf names a map's entry type after the field: `priority_queue_policy` → `PriorityQueuePolicyEntry`. */
function mapEntryView(parent: protobuf.Type, fieldName: string, key: ValueView, value: ValueView): MessageView {
  const camel = fieldName.replace(/(?:^|_)([a-z0-9])/g, (_m, c: string) => c.toUpperCase()).replace(/_/g, '');
  const entryField = (name: string, v: ValueView): FieldView => ({
    name,
    key: name,
    repeated: false,
    map: false,
    oneof: undefined,
    value: v,
  });
  return new MessageView(`${stripDot(parent.fullName)}.${camel}Entry`, true, () =>
    new Map([['key', entryField('key', key)], ['value', entryField('value', value)]]),
  );
}

function stripDot(fullName: string): string {
  return fullName.startsWith('.') ? fullName.slice(1) : fullName;
}
