/**
 * A small ONNX model builder: describe a graph in plain objects, get the bytes of a .onnx file. Encoded with protobufjs
 * from scripts/onnx/onnx-subset.proto, so regenerating models needs nothing but Node. Output is deterministic: the
 * same spec always gives the same bytes (no timestamps, no random names).
 */
import { ModelProtoType } from './onnx-schema.ts';
import { ONNX_DATA_TYPE, tensorDataFields, type OnnxElemType, type TensorValues } from './tensor-data.ts';

export { seededRandom, uniformFloat32 } from './seeded-random.ts';
export type { OnnxElemType, TensorValues } from './tensor-data.ts';

/** Default ONNX opset: 13 is well inside what onnxruntime-node 1.30 supports. */
export const DEFAULT_OPSET = 13;
/** IR version written into every model (IR 7 is the one that goes with opset 13). */
export const IR_VERSION = 7;
/** `ModelProto.producer_name` of every model built here. */
export const PRODUCER_NAME = 'nereid-onnx-builder';

/**
 * A graph input or output. Shape entries: a number ≥ 0 is a fixed dim, a string a symbolic dim (`dim_param`), a
 * negative number an unknown dim (a Dimension with neither field set). `[]` is rank 0; `null` leaves the shape out
 * (unknown rank).
 */
export interface ValueSpec {
  name: string;
  type: OnnxElemType;
  shape: readonly (number | string)[] | null;
}

/**
 * A node attribute value. An integer `number` or a `bigint` is INT and any other number FLOAT (write `{ float: 1 }`
 * for a float that happens to be whole); a number array is INTS when every entry is an integer, else FLOATS (force
 * with `{ floats: [...] }`); strings are STRING/STRINGS; `{ tensor }` is TENSOR.
 */
export type AttributeValue =
  | number
  | bigint
  | string
  | readonly number[]
  | readonly string[]
  | { float: number }
  | { floats: readonly number[] }
  | { tensor: TensorSpec };

/** One graph node. `name` defaults to `<op>_<index>`; `domain` to the default ONNX domain. */
export interface NodeSpec {
  op: string;
  inputs: readonly string[];
  outputs: readonly string[];
  attributes?: Readonly<Record<string, AttributeValue>>;
  name?: string;
  domain?: string;
}

/** A constant tensor (graph initializer or TENSOR attribute). `values.length` must be the product of `dims`. */
export interface TensorSpec {
  name: string;
  type: OnnxElemType;
  dims: readonly number[];
  values: TensorValues;
}

/** A whole model: one graph, its default-domain opset (default {@link DEFAULT_OPSET}) and an optional doc string. */
export interface GraphSpec {
  name: string;
  inputs: readonly ValueSpec[];
  outputs: readonly ValueSpec[];
  nodes: readonly NodeSpec[];
  initializers?: readonly TensorSpec[];
  opset?: number;
  docString?: string;
}

/**
 * Encodes `spec` as an ONNX ModelProto. Checks that every node input is a graph input, an initializer or an earlier
 * node's output (empty names are ONNX's "optional input absent"), and that every graph output is produced.
 */
export function buildOnnxModel(spec: GraphSpec): Uint8Array {
  checkWiring(spec);
  const model = {
    ir_version: IR_VERSION,
    producer_name: PRODUCER_NAME,
    producer_version: '1',
    ...(spec.docString !== undefined ? { doc_string: spec.docString } : {}),
    opset_import: [{ domain: '', version: spec.opset ?? DEFAULT_OPSET }],
    graph: {
      name: spec.name,
      node: spec.nodes.map((node, index) => ({
        input: [...node.inputs],
        output: [...node.outputs],
        name: node.name ?? `${node.op}_${index}`,
        op_type: node.op,
        ...(node.domain !== undefined ? { domain: node.domain } : {}),
        attribute: Object.entries(node.attributes ?? {}).map(([name, value]) => attributeMessage(name, value)),
      })),
      initializer: (spec.initializers ?? []).map(tensorMessage),
      input: spec.inputs.map(valueInfoMessage),
      output: spec.outputs.map(valueInfoMessage),
    },
  };
  return ModelProtoType.encode(ModelProtoType.fromObject(model)).finish();
}

function valueInfoMessage(value: ValueSpec): object {
  const tensorType: Record<string, unknown> = { elem_type: ONNX_DATA_TYPE[value.type] };
  if (value.shape !== null) {
    tensorType.shape = {
      dim: value.shape.map((d) => {
        if (typeof d === 'string') return { dim_param: d };
        if (!Number.isInteger(d)) throw new RangeError(`value '${value.name}': dim ${d} is not an integer`);
        return d >= 0 ? { dim_value: d } : {};
      }),
    };
  }
  return { name: value.name, type: { tensor_type: tensorType } };
}

function tensorMessage(tensor: TensorSpec): object {
  const count = tensor.dims.reduce((a, b) => a * b, 1);
  if (tensor.values.length !== count) {
    throw new RangeError(`tensor '${tensor.name}': dims [${tensor.dims.join(',')}] need ${count} values, got ${tensor.values.length}`);
  }
  return {
    name: tensor.name,
    dims: [...tensor.dims],
    data_type: ONNX_DATA_TYPE[tensor.type],
    ...tensorDataFields(tensor.type, tensor.values),
  };
}

/** `AttributeProto.AttributeType` numbers (onnx.proto). */
const ATTR = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, FLOATS: 6, INTS: 7, STRINGS: 8 } as const;

function attributeMessage(name: string, value: AttributeValue): object {
  const encoder = new TextEncoder();
  if (typeof value === 'bigint') return { name, type: ATTR.INT, i: value.toString() };
  if (typeof value === 'number') {
    return Number.isInteger(value) ? { name, type: ATTR.INT, i: value } : { name, type: ATTR.FLOAT, f: value };
  }
  if (typeof value === 'string') return { name, type: ATTR.STRING, s: encoder.encode(value) };
  if (isArray(value)) {
    if (value.every((v): v is string => typeof v === 'string')) {
      if (value.length > 0) return { name, type: ATTR.STRINGS, strings: value.map((v) => encoder.encode(v)) };
    }
    const numbers = value as readonly number[];
    return numbers.every(Number.isInteger)
      ? { name, type: ATTR.INTS, ints: [...numbers] }
      : { name, type: ATTR.FLOATS, floats: [...numbers] };
  }
  if ('float' in value) return { name, type: ATTR.FLOAT, f: value.float };
  if ('floats' in value) return { name, type: ATTR.FLOATS, floats: [...value.floats] };
  return { name, type: ATTR.TENSOR, t: tensorMessage(value.tensor) };
}

function isArray(value: unknown): value is readonly unknown[] {
  return Array.isArray(value);
}

function checkWiring(spec: GraphSpec): void {
  const known = new Set<string>([...spec.inputs.map((v) => v.name), ...(spec.initializers ?? []).map((t) => t.name)]);
  spec.nodes.forEach((node, index) => {
    for (const input of node.inputs) {
      if (input !== '' && !known.has(input)) {
        throw new Error(`graph '${spec.name}': node ${index} (${node.op}) reads '${input}' before anything produces it`);
      }
    }
    for (const output of node.outputs) known.add(output);
  });
  for (const output of spec.outputs) {
    if (!known.has(output.name)) throw new Error(`graph '${spec.name}': output '${output.name}' is never produced`);
  }
}
