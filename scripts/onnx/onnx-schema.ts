/**
 * scripts/onnx/onnx-subset.proto loaded with protobufjs (proto field names kept): the message types the model
 * builder encodes.
 */
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';

const PROTO_PATH = fileURLToPath(new URL('./onnx-subset.proto', import.meta.url));

/** The loaded `onnx` package (subset). */
export const onnxRoot: protobuf.Root = new protobuf.Root().loadSync(PROTO_PATH, { keepCase: true });
onnxRoot.resolveAll();

/** The `onnx.ModelProto` message type, the top level of a .onnx file. */
export const ModelProtoType: protobuf.Type = onnxRoot.lookupType('onnx.ModelProto');
