/**
 * Validates an inference request against a version's plan the way Triton's core does (InferenceRequest::Normalize and
 * friends): same checks, same order, same texts and codes; inputs are visited in Triton's map order
 * (triton-input-order.ts), so an error names the input Triton names. Runs on every request, so it only does plan
 * lookups and allocates nothing beyond the resolved input/output lists it returns.
 */
import { checkBytesFraming, type BytesFramingIssue } from '../protocol/bytes-codec.ts';
import { WILDCARD_DIM, type ModelPlan, type TensorPlan } from './model-plan.ts';
import { byteSizeOf } from '../protocol/datatypes.ts';
import {
  byteSizeOverflow,
  byteSizeOverflows,
  elementCountOverflows,
  elementCountTooLarge,
} from '../protocol/element-count.ts';
import { invalidArg } from '../protocol/errors.ts';
import type { InferRequest, InputTensor } from '../protocol/inference.ts';
import { tritonInputOrder } from './triton-input-order.ts';

export interface ValidatedRequest {
  /** 0 when the model does not batch (max_batch_size 0), else dimension 0 of the inputs. */
  readonly batchSize: number;
  /** Plans of the outputs to return: in requested order, or every config output in config order. */
  readonly outputs: readonly TensorPlan[];
  /** Plan of each request input, index-aligned with `request.inputs`. */
  readonly inputs: readonly TensorPlan[];
}

const BATCH_NOTE =
  'NOTE: Setting a non-zero max_batch_size in the model config requires a batch dimension to be prepended to each ' +
  'input shape. If you want to specify the full shape including the batch dim in your input dims config, try setting ' +
  'max_batch_size to zero. See the model configuration docs for more info on max_batch_size.';

/** Validates `request` against `plan` with Triton's codes and texts; throws ServerError (INVALID_ARG). */
export function validateRequest(plan: ModelPlan, request: InferRequest): ValidatedRequest {
  const inputs = request.inputs;
  const model = plan.name;

  // What the frontends refuse while building the request, before the core looks at it.
  for (const input of inputs) checkShapeEntries(request, input, model);
  const duplicateInput = findDuplicate(inputs);
  if (duplicateInput !== undefined) {
    throw invalidArg(`${logRequest(request)}input '${duplicateInput}' already exists in request`);
  }
  const requested = request.outputs;
  if (requested !== undefined) {
    const duplicateOutput = findDuplicate(requested);
    if (duplicateOutput !== undefined) {
      throw invalidArg(`${logRequest(request)}output '${duplicateOutput}' already exists in request`);
    }
  }

  const outputs = resolveOutputs(plan, request);

  if (inputs.length > plan.inputs.length || inputs.length < plan.requiredInputCount) {
    throw invalidArg(inputCountMessage(plan, request));
  }

  try {
    return checkInputs(plan, request, outputs, undefined);
  } catch (error) {
    if (inputs.length < 2) throw error;
    // Valid in one order is valid in any: only an error needs Triton's order, to name the input Triton names.
    checkInputs(plan, request, outputs, tritonInputOrder(inputs.map((input) => input.name)));
    throw error;
  }
}

/**
 * Triton's per-input checks (InferenceRequest::Normalize), visiting the inputs in `order` (indices into
 * request.inputs; undefined: request order): names and, for a batching model, the batch dimension, then datatype,
 * shape and data size input by input.
 */
function checkInputs(
  plan: ModelPlan,
  request: InferRequest,
  outputs: readonly TensorPlan[],
  order: readonly number[] | undefined,
): ValidatedRequest {
  const inputs = request.inputs;
  const model = plan.name;
  // Resolve every input and, for a batching model, the batch size (dimension 0, equal across inputs).
  const resolved = new Array<TensorPlan>(inputs.length);
  const batching = plan.maxBatchSize > 0;
  let batchSize = 0;
  let batchSeen = false;
  for (let k = 0; k < inputs.length; k++) {
    const i = order === undefined ? k : order[k]!;
    const input = inputs[i]!;
    const tensor = plan.inputByName.get(input.name);
    if (tensor === undefined) throw invalidArg(`unexpected inference input '${input.name}' for model '${model}'`);
    resolved[i] = tensor;
    if (!batching) continue;
    if (input.shape.length === 0) {
      throw invalidArg(
        `${logRequest(request)}input '${input.name}' has no shape but model requires batch dimension for '${model}'`,
      );
    }
    const dim0 = input.shape[0]!;
    if (!batchSeen) {
      batchSize = dim0;
      batchSeen = true;
    } else if (dim0 !== batchSize) {
      throw invalidArg(
        `${logRequest(request)}input '${input.name}' batch size does not match other inputs for '${model}'`,
      );
    }
  }
  // A negative batch dimension reads as a huge unsigned value in Triton, so it fails here too.
  if (batchSize < 0 || batchSize > plan.maxBatchSize) {
    throw invalidArg(
      `${logRequest(request)}inference request batch-size must be <= ${plan.maxBatchSize} for '${model}'`,
    );
  }

  for (let k = 0; k < inputs.length; k++) {
    const i = order === undefined ? k : order[k]!;
    const input = inputs[i]!;
    const tensor = resolved[i]!;
    if (input.datatype !== tensor.datatype) {
      throw invalidArg(
        `${logRequest(request)}inference input '${input.name}' data-type is '${input.datatype}', but model ` +
          `'${model}' expects '${tensor.datatype}'`,
      );
    }
    const elements = checkShape(plan, request, input, tensor);
    if (tensor.elementByteSize === 0) {
      const issue = checkBytesFraming(input.data, elements);
      if (issue !== undefined) throw invalidArg(bytesIssueMessage(request, input.name, model, elements, issue));
    } else {
      const expected = elements * tensor.elementByteSize;
      if (input.data.byteLength !== expected) {
        throw invalidArg(
          `${logRequest(request)}input byte size mismatch for input '${input.name}' for model '${model}'. ` +
            `Expected ${expected}, got ${input.data.byteLength}`,
        );
      }
    }
  }

  return { batchSize, outputs, inputs: resolved };
}

/** Triton's request prefix for error texts; `<id_unknown>` when the request has no id. */
function logRequest(request: InferRequest): string {
  return `[request id: ${request.id ? request.id : '<id_unknown>'}] `;
}

/**
 * A shape whose element count or byte size overflows int64 is refused with Triton's texts (HTTP JSON inputs meet the
 * same check in the decoder; this catches binary and gRPC inputs). Otherwise shape entries must be exact integers;
 * Triton's int64 shapes cannot be anything else, so that text is nereid's own.
 */
function checkShapeEntries(request: InferRequest, input: InputTensor, model: string): void {
  if (elementCountOverflows(input.shape)) throw elementCountTooLarge(input.name);
  if (byteSizeOverflows(input.shape, byteSizeOf(input.datatype))) throw byteSizeOverflow(input.name);
  for (const d of input.shape) {
    if (!Number.isSafeInteger(d)) {
      throw invalidArg(
        `${logRequest(request)}input '${input.name}' for model '${model}' has an invalid shape ` +
          `${dimsToString(input.shape)}: dimensions must be integers`,
      );
    }
  }
}

/** The first name that occurs twice, if any. Quadratic for the usual handful of tensors, a Set beyond that. */
function findDuplicate(items: readonly { readonly name: string }[]): string | undefined {
  const n = items.length;
  if (n <= 16) {
    for (let i = 1; i < n; i++) {
      const name = items[i]!.name;
      for (let j = 0; j < i; j++) if (items[j]!.name === name) return name;
    }
    return undefined;
  }
  const seen = new Set<string>();
  for (const { name } of items) {
    if (seen.has(name)) return name;
    seen.add(name);
  }
  return undefined;
}

/** Requested outputs mapped to plans; an empty or absent list means every output in config order. */
function resolveOutputs(plan: ModelPlan, request: InferRequest): readonly TensorPlan[] {
  const requested = request.outputs;
  if (requested === undefined || requested.length === 0) return plan.outputs;
  const resolved = new Array<TensorPlan>(requested.length);
  // Triton checks the names from a sorted set, so the smallest unknown name is the one reported.
  let unknown: string | undefined;
  for (let i = 0; i < requested.length; i++) {
    const name = requested[i]!.name;
    const tensor = plan.outputByName.get(name);
    if (tensor !== undefined) resolved[i] = tensor;
    else if (unknown === undefined || name < unknown) unknown = name;
  }
  if (unknown !== undefined) throw invalidArg(`unexpected inference output '${unknown}' for model '${plan.name}'`);
  return resolved;
}

function inputCountMessage(plan: ModelPlan, request: InferRequest): string {
  const given = request.inputs;
  const missing: string[] = [];
  for (const tensor of plan.inputs) {
    if (!tensor.optional && !given.some((input) => input.name === tensor.name)) missing.push(`'${tensor.name}'`);
  }
  const got = `[${tritonInputOrder(given.map((input) => input.name)).map((i) => `'${given[i]!.name}'`).join(',')}]`;
  // Triton drops the last character of "[" + "'a'," ... to remove the trailing comma; with nothing missing that eats
  // the bracket itself, so the list prints as a lone "]".
  const missingList = missing.length === 0 ? ']' : `[${missing.join(',')}]`;
  const expected =
    plan.inputs.length === plan.requiredInputCount
      ? `expected ${plan.inputs.length} inputs`
      : `expected number of inputs between ${plan.requiredInputCount} and ${plan.inputs.length}`;
  return (
    `${logRequest(request)}${expected} but got ${given.length} inputs for model '${plan.name}'. Got input(s) ` +
    `${got}, but missing required input(s) ${missingList}. Please provide all required input(s).`
  );
}

/**
 * Checks the request shape of one input against the config dims (after the batch dimension when the model batches)
 * and returns the element count of the whole tensor, batch included.
 */
function checkShape(plan: ModelPlan, request: InferRequest, input: InputTensor, tensor: TensorPlan): number {
  const shape = input.shape;
  const dims = tensor.dims;
  const offset = plan.maxBatchSize > 0 ? 1 : 0;
  let match = shape.length - offset === dims.length;
  let elements = 1;
  if (match) {
    for (let i = 0; i < dims.length; i++) {
      const d = shape[offset + i]!;
      const c = dims[i]!;
      if (d === WILDCARD_DIM || (d < 0 && c === WILDCARD_DIM)) {
        throw invalidArg(
          `${logRequest(request)}All input dimensions should be specified for input '${input.name}' for model ` +
            `'${plan.name}', got ${dimsToString(shape)}`,
        );
      }
      if (c !== WILDCARD_DIM && c !== d) {
        match = false;
        break;
      }
      elements *= d;
    }
  }
  if (!match) {
    const note = plan.maxBatchSize > 0 ? BATCH_NOTE : '';
    throw invalidArg(
      `${logRequest(request)}unexpected shape for input '${input.name}' for model '${plan.name}'. Expected ` +
        `${dimsToString(tensor.fullShape)}, got ${dimsToString(shape)}. ${note}`,
    );
  }
  return offset === 1 ? elements * shape[0]! : elements;
}

function bytesIssueMessage(
  request: InferRequest,
  name: string,
  model: string,
  expected: number,
  issue: BytesFramingIssue,
): string {
  const where = `for inference input '${name}' for model '${model}'`;
  switch (issue.kind) {
    case 'short-prefix':
      return (
        `${logRequest(request)}incomplete string length indicator ${where}, expecting 4 bytes but only ` +
        `${issue.available} bytes available. Please make sure the string length indicator is in one buffer.`
      );
    case 'too-many':
      return (
        `${logRequest(request)}unexpected number of string elements ${issue.count} ${where}, ` +
        `expecting ${expected}`
      );
    case 'short-data':
      return (
        `${logRequest(request)}incomplete string data ${where}, expecting string of length ${issue.length} but ` +
        `only ${issue.available} bytes available`
      );
    case 'too-few':
      return `${logRequest(request)}expected ${expected} string elements ${where}, got ${issue.count}`;
  }
}

/** Triton's DimsListToString: `[2,3]`. */
function dimsToString(dims: readonly number[]): string {
  return `[${dims.join(',')}]`;
}
