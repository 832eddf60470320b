/** Reads a session's input and output metadata into the server's ModelMetadata (config data types, -1 for dynamic dims). */
import type * as ort from 'onnxruntime-node';
import type { ModelMetadata, TensorMetadata } from '../config/model-metadata.ts';
import { configTypeOf, datatypeFromOrt } from '../protocol/datatypes.ts';

function tensorMetadata(value: ort.InferenceSession.ValueMetadata): TensorMetadata {
  if (!value.isTensor) return { name: value.name, dataType: 'TYPE_INVALID', shape: [] };
  const datatype = datatypeFromOrt(value.type);
  return {
    name: value.name,
    dataType: datatype === undefined ? 'TYPE_INVALID' : configTypeOf(datatype),
    shape: value.shape.map((d) => (typeof d === 'number' && d >= 0 ? d : -1)),
  };
}

/** `session`: anything with onnxruntime-common's metadata lists (an InferenceSession, or the worker's OrtSession). */
export function sessionMetadata(session: {
  readonly inputMetadata: readonly ort.InferenceSession.ValueMetadata[];
  readonly outputMetadata: readonly ort.InferenceSession.ValueMetadata[];
}): ModelMetadata {
  return {
    inputs: session.inputMetadata.map(tensorMetadata),
    outputs: session.outputMetadata.map(tensorMetadata),
  };
}
