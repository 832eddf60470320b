/**
 * The requests every benchmark sends, and the answers the bare servers give back, for the two shipped models under
 * test: one add_sub request ([1,16] + [1,16] FP32) and one mlp_classifier row ([1,16] FP32 → [1,4]). The same tensors
 * go out over every protocol: Triton's HTTP binary extension, v2 JSON, and gRPC ModelInfer with raw_input_contents.
 */
import type { HttpRequestSpec } from './http-client.ts';

/** Bench models (shipped in model_repository/). */
export type BenchModelName = 'add_sub' | 'mlp_classifier';

export interface BenchTensor {
  readonly name: string;
  readonly shape: readonly number[];
  readonly values: Float32Array;
}

/** One request's inputs and the outputs the model gives for it (all FP32). */
export interface BenchModel {
  readonly name: BenchModelName;
  readonly inputs: readonly BenchTensor[];
  readonly outputs: readonly BenchTensor[];
}

const ramp = Float32Array.from({ length: 16 }, (_, i) => i);
const row = Float32Array.from({ length: 16 }, (_, i) => Math.sin(i + 1));

/** add_sub: OUTPUT0 = INPUT0 + INPUT1, OUTPUT1 = INPUT0 − INPUT1 (both inputs the ramp 0..15). */
export const ADD_SUB: BenchModel = {
  name: 'add_sub',
  inputs: [
    { name: 'INPUT0', shape: [1, 16], values: ramp },
    { name: 'INPUT1', shape: [1, 16], values: ramp },
  ],
  outputs: [
    { name: 'OUTPUT0', shape: [1, 16], values: ramp.map((v) => 2 * v) },
    { name: 'OUTPUT1', shape: [1, 16], values: new Float32Array(16) },
  ],
};

/** mlp_classifier: one row of 16 features → 4 probabilities (the bare servers answer a plausible fixed row). */
export const MLP: BenchModel = {
  name: 'mlp_classifier',
  inputs: [{ name: 'input', shape: [1, 16], values: row }],
  outputs: [{ name: 'probabilities', shape: [1, 4], values: Float32Array.from([0.0123, 0.2468, 0.6914, 0.0495]) }],
};

export const BENCH_MODELS: readonly BenchModel[] = [ADD_SUB, MLP];

const bytesOf = (values: Float32Array): Buffer => Buffer.from(values.buffer, values.byteOffset, values.byteLength);
const inferPath = (model: BenchModel): string => `/v2/models/${model.name}/infer`;

/** Triton's binary tensor extension: JSON header, then the raw input bytes; binary outputs asked for. */
export function httpBinaryRequest(model: BenchModel): HttpRequestSpec {
  const header = Buffer.from(JSON.stringify({
    inputs: model.inputs.map((t) => ({
      name: t.name, datatype: 'FP32', shape: t.shape, parameters: { binary_data_size: t.values.byteLength },
    })),
    outputs: model.outputs.map((t) => ({ name: t.name, parameters: { binary_data: true } })),
  }));
  return {
    path: inferPath(model),
    body: Buffer.concat([header, ...model.inputs.map((t) => bytesOf(t.values))]),
    headers: { 'Content-Type': 'application/octet-stream', 'Inference-Header-Content-Length': String(header.length) },
  };
}

/** The v2 JSON protocol (Triton's and KServe's, which MLServer's REST endpoint speaks): tensors as `data` arrays. */
export function httpJsonRequest(model: BenchModel): HttpRequestSpec {
  const body = Buffer.from(JSON.stringify({
    inputs: model.inputs.map((t) => ({ name: t.name, datatype: 'FP32', shape: t.shape, data: Array.from(t.values) })),
  }));
  return { path: inferPath(model), body, headers: { 'Content-Type': 'application/json' } };
}

/** ModelInferRequest with the tensors in raw_input_contents (both nereid and MLServer take it). */
export function grpcRequest(model: BenchModel): object {
  return {
    model_name: model.name,
    model_version: '',
    inputs: model.inputs.map((t) => ({ name: t.name, datatype: 'FP32', shape: t.shape })),
    raw_input_contents: model.inputs.map((t) => bytesOf(t.values)),
  };
}

/** The HTTP binary answer: body and the Inference-Header-Content-Length value. */
export function httpBinaryResponse(model: BenchModel): { body: Buffer; headerLength: number } {
  const header = Buffer.from(JSON.stringify({
    model_name: model.name,
    model_version: '1',
    outputs: model.outputs.map((t) => ({
      name: t.name, datatype: 'FP32', shape: t.shape, parameters: { binary_data_size: t.values.byteLength },
    })),
  }));
  return { body: Buffer.concat([header, ...model.outputs.map((t) => bytesOf(t.values))]), headerLength: header.length };
}

/** The JSON answer. */
export function httpJsonResponse(model: BenchModel): Buffer {
  return Buffer.from(JSON.stringify({
    model_name: model.name,
    model_version: '1',
    outputs: model.outputs.map((t) => ({ name: t.name, datatype: 'FP32', shape: t.shape, data: Array.from(t.values) })),
  }));
}

/** The ModelInferResponse. */
export function grpcResponse(model: BenchModel): object {
  return {
    model_name: model.name,
    model_version: '1',
    id: '',
    outputs: model.outputs.map((t) => ({ name: t.name, datatype: 'FP32', shape: t.shape.map(String) })),
    raw_output_contents: model.outputs.map((t) => bytesOf(t.values)),
  };
}
