import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { configObjectFromMessage, ModelConfigType } from '../../src/config/model-config-schema.ts';
import type { ModelConfig } from '../../src/config/model-config.ts';
import { encodeBytesElements } from '../../src/protocol/bytes-codec.ts';
import { buildModelPlan, type ModelPlan } from '../../src/core/model-plan.ts';
import { validateRequest } from '../../src/core/validate-request.ts';
import type { Datatype } from '../../src/protocol/datatypes.ts';
import { ServerError } from '../../src/protocol/errors.ts';
import type { InferRequest, InputTensor } from '../../src/protocol/inference.ts';

function plan(object: Record<string, unknown>): ModelPlan {
  const cfg = configObjectFromMessage(ModelConfigType.fromObject(object)) as unknown as ModelConfig;
  return buildModelPlan(cfg, 1);
}

const NOTE =
  'NOTE: Setting a non-zero max_batch_size in the model config requires a batch dimension to be prepended to each ' +
  'input shape. If you want to specify the full shape including the batch dim in your input dims config, try setting ' +
  'max_batch_size to zero. See the model configuration docs for more info on max_batch_size.';

const NO_ID = '[request id: <id_unknown>] ';

/** A tensor whose data has the right size for `shape` (`bytes` overrides the size). */
function tensor(name: string, datatype: Datatype, shape: number[], bytes?: number): InputTensor {
  const sizes: Partial<Record<Datatype, number>> = { FP32: 4, FP64: 8, INT64: 8, INT32: 4, BOOL: 1, UINT8: 1 };
  const count = shape.reduce((a, b) => a * b, 1);
  return { name, datatype, shape, data: new Uint8Array(bytes ?? count * (sizes[datatype] ?? 4)) };
}

function strings(name: string, shape: number[], items: string[]): InputTensor {
  return { name, datatype: 'BYTES', shape, data: encodeBytesElements(items) };
}

function rejects(p: ModelPlan, request: InferRequest, message: string): void {
  assert.throws(
    () => validateRequest(p, request),
    (e: unknown) => {
      assert.ok(e instanceof ServerError, `expected ServerError, got ${String(e)}`);
      assert.equal(e.code, 'INVALID_ARG');
      assert.equal(e.message, message);
      return true;
    },
  );
}

// A batching model: x [16] FP32, y [-1] INT64 optional; outputs a, b.
const batching = plan({
  name: 'm',
  max_batch_size: 8,
  input: [
    { name: 'x', data_type: 'TYPE_FP32', dims: [16] },
    { name: 'y', data_type: 'TYPE_INT64', dims: [-1], optional: true },
  ],
  output: [
    { name: 'a', data_type: 'TYPE_FP32', dims: [16] },
    { name: 'b', data_type: 'TYPE_FP32', dims: [1] },
  ],
});

// A non-batching model with two required inputs.
const flat = plan({
  name: 'f',
  max_batch_size: 0,
  input: [
    { name: 'p', data_type: 'TYPE_FP32', dims: [2, -1] },
    { name: 'q', data_type: 'TYPE_INT32', dims: [3] },
  ],
  output: [{ name: 'o', data_type: 'TYPE_FP32', dims: [2, -1] }],
});

const text = plan({
  name: 's',
  max_batch_size: 4,
  input: [{ name: 't', data_type: 'TYPE_STRING', dims: [-1] }],
  output: [{ name: 'u', data_type: 'TYPE_STRING', dims: [-1] }],
});

describe('validateRequest: accepted requests', () => {
  it('returns the batch size and all outputs in config order when none are asked for', () => {
    const v = validateRequest(batching, { inputs: [tensor('x', 'FP32', [3, 16])] });
    assert.equal(v.batchSize, 3);
    assert.equal(v.outputs, batching.outputs);
    assert.deepEqual(v.inputs, [batching.inputByName.get('x')]);
  });

  it('returns requested outputs in requested order', () => {
    const request = { inputs: [tensor('x', 'FP32', [1, 16])], outputs: [{ name: 'b' }, { name: 'a' }] };
    const v = validateRequest(batching, request);
    assert.deepEqual(
      v.outputs.map((t) => t.name),
      ['b', 'a'],
    );
  });

  it('treats an empty outputs list like an absent one', () => {
    const v = validateRequest(batching, { inputs: [tensor('x', 'FP32', [1, 16])], outputs: [] });
    assert.equal(v.outputs, batching.outputs);
  });

  it('gives batch size 0 for a non-batching model and accepts any size at -1 dims', () => {
    const v = validateRequest(flat, { inputs: [tensor('q', 'INT32', [3]), tensor('p', 'FP32', [2, 7])] });
    assert.equal(v.batchSize, 0);
    assert.deepEqual(
      v.inputs.map((t) => t.name),
      ['q', 'p'],
    );
  });

  it('accepts an optional input given or left out', () => {
    validateRequest(batching, { inputs: [tensor('x', 'FP32', [2, 16]), tensor('y', 'INT64', [2, 5])] });
    validateRequest(batching, { inputs: [tensor('x', 'FP32', [2, 16])] });
  });

  it('accepts zero-size tensors', () => {
    validateRequest(flat, { inputs: [tensor('p', 'FP32', [2, 0]), tensor('q', 'INT32', [3])] });
    validateRequest(batching, { inputs: [tensor('x', 'FP32', [0, 16])] });
    validateRequest(text, { inputs: [strings('t', [2, 0], [])] });
  });

  it('accepts batch size equal to max_batch_size', () => {
    assert.equal(validateRequest(batching, { inputs: [tensor('x', 'FP32', [8, 16])] }).batchSize, 8);
  });

  it('accepts well-formed BYTES inputs, empty strings included', () => {
    validateRequest(text, { inputs: [strings('t', [2, 2], ['ab', '', 'c', 'ddd'])] });
  });
});

describe('validateRequest: request construction errors', () => {
  it('rejects duplicate input names', () => {
    rejects(
      batching,
      { inputs: [tensor('x', 'FP32', [1, 16]), tensor('x', 'FP32', [1, 16])] },
      `${NO_ID}input 'x' already exists in request`,
    );
  });

  it('rejects duplicate input names among many inputs', () => {
    const inputs = Array.from({ length: 20 }, (_, i) => tensor(`i${i}`, 'FP32', [1]));
    inputs.push(tensor('i7', 'FP32', [1]));
    rejects(batching, { inputs }, `${NO_ID}input 'i7' already exists in request`);
  });

  it('rejects duplicate requested outputs', () => {
    rejects(
      batching,
      { id: 'r1', inputs: [tensor('x', 'FP32', [1, 16])], outputs: [{ name: 'a' }, { name: 'a' }] },
      "[request id: r1] output 'a' already exists in request",
    );
  });

  it('rejects non-integer shape entries', () => {
    rejects(
      flat,
      { inputs: [tensor('p', 'FP32', [2, 1.5], 12), tensor('q', 'INT32', [3])] },
      `${NO_ID}input 'p' for model 'f' has an invalid shape [2,1.5]: dimensions must be integers`,
    );
    rejects(
      flat,
      { inputs: [tensor('p', 'FP32', [2, Number.NaN], 0), tensor('q', 'INT32', [3])] },
      `${NO_ID}input 'p' for model 'f' has an invalid shape [2,NaN]: dimensions must be integers`,
    );
  });
});

describe('validateRequest: outputs', () => {
  it('rejects an unknown requested output (no request prefix, as in Triton)', () => {
    rejects(
      batching,
      { id: '7', inputs: [tensor('x', 'FP32', [1, 16])], outputs: [{ name: 'zz' }] },
      "unexpected inference output 'zz' for model 'm'",
    );
  });

  it('reports the smallest unknown name, as Triton walks a sorted set', () => {
    rejects(
      batching,
      { inputs: [tensor('x', 'FP32', [1, 16])], outputs: [{ name: 'zz' }, { name: 'a' }, { name: 'c' }] },
      "unexpected inference output 'c' for model 'm'",
    );
  });
});

describe('validateRequest: input count', () => {
  it('uses the exact-count text when no input is optional', () => {
    rejects(
      flat,
      { id: 'abc', inputs: [tensor('q', 'INT32', [3])] },
      "[request id: abc] expected 2 inputs but got 1 inputs for model 'f'. Got input(s) ['q'], but missing " +
        "required input(s) ['p']. Please provide all required input(s).",
    );
  });

  it('prints [] for no inputs', () => {
    rejects(
      flat,
      { inputs: [] },
      `${NO_ID}expected 2 inputs but got 0 inputs for model 'f'. Got input(s) [], but missing required ` +
        "input(s) ['p','q']. Please provide all required input(s).",
    );
  });

  it('uses the range text when some input is optional', () => {
    rejects(
      batching,
      { inputs: [] },
      `${NO_ID}expected number of inputs between 1 and 2 but got 0 inputs for model 'm'. Got input(s) [], but ` +
        "missing required input(s) ['x']. Please provide all required input(s).",
    );
  });

  it("reproduces Triton's lone ']' when too many inputs leave nothing missing", () => {
    rejects(
      flat,
      { inputs: [tensor('p', 'FP32', [2, 1]), tensor('q', 'INT32', [3]), tensor('r', 'FP32', [1])] },
      `${NO_ID}expected 2 inputs but got 3 inputs for model 'f'. Got input(s) ['r','q','p'], but missing ` +
        'required input(s) ]. Please provide all required input(s).',
    );
  });
});

describe('validateRequest: unknown inputs and batch', () => {
  it('rejects an unknown input (no request prefix)', () => {
    rejects(
      flat,
      { id: '1', inputs: [tensor('p', 'FP32', [2, 1]), tensor('zz', 'INT32', [3])] },
      "unexpected inference input 'zz' for model 'f'",
    );
    rejects(batching, { inputs: [tensor('zz', 'FP32', [1, 16])] }, "unexpected inference input 'zz' for model 'm'");
  });

  it('rejects a rank-0 input of a batching model', () => {
    rejects(
      batching,
      { inputs: [tensor('x', 'FP32', [])] },
      `${NO_ID}input 'x' has no shape but model requires batch dimension for 'm'`,
    );
  });

  it('rejects inputs whose batch dimensions differ', () => {
    rejects(
      batching,
      { inputs: [tensor('x', 'FP32', [2, 16]), tensor('y', 'INT64', [3, 1])] },
      `${NO_ID}input 'x' batch size does not match other inputs for 'm'`,
    );
    rejects(
      batching,
      { inputs: [tensor('x', 'FP32', [0, 16]), tensor('y', 'INT64', [3, 1])] },
      `${NO_ID}input 'x' batch size does not match other inputs for 'm'`,
    );
  });

  it('rejects a batch over max_batch_size, and a negative batch', () => {
    rejects(
      batching,
      { id: 'big', inputs: [tensor('x', 'FP32', [9, 16])] },
      "[request id: big] inference request batch-size must be <= 8 for 'm'",
    );
    rejects(
      batching,
      { inputs: [tensor('x', 'FP32', [-1, 16], 0)] },
      `${NO_ID}inference request batch-size must be <= 8 for 'm'`,
    );
  });
});

describe('validateRequest: datatype and shape', () => {
  it('rejects a datatype mismatch', () => {
    rejects(
      batching,
      { inputs: [tensor('x', 'FP64', [1, 16])] },
      `${NO_ID}inference input 'x' data-type is 'FP64', but model 'm' expects 'FP32'`,
    );
    rejects(
      text,
      { inputs: [tensor('t', 'UINT8', [1, 1])] },
      `${NO_ID}inference input 't' data-type is 'UINT8', but model 's' expects 'BYTES'`,
    );
  });

  it('rejects a wrong shape with the batch note when the model batches', () => {
    rejects(
      batching,
      { inputs: [tensor('x', 'FP32', [2, 3])] },
      `${NO_ID}unexpected shape for input 'x' for model 'm'. Expected [-1,16], got [2,3]. ${NOTE}`,
    );
  });

  it('rejects a wrong rank (batch dimension missing)', () => {
    rejects(
      batching,
      { inputs: [tensor('x', 'FP32', [4])] },
      `${NO_ID}unexpected shape for input 'x' for model 'm'. Expected [-1,16], got [4]. ${NOTE}`,
    );
    // Without the batch dimension the first dim is read as the batch: [16] is batch 16, over the limit.
    rejects(
      batching,
      { inputs: [tensor('x', 'FP32', [16])] },
      `${NO_ID}inference request batch-size must be <= 8 for 'm'`,
    );
  });

  it('rejects a wrong shape without the note for a non-batching model', () => {
    rejects(
      flat,
      { inputs: [tensor('p', 'FP32', [3, 1]), tensor('q', 'INT32', [3])] },
      `${NO_ID}unexpected shape for input 'p' for model 'f'. Expected [2,-1], got [3,1]. `,
    );
  });

  it('rejects -1 (and other negatives at wildcard dims) in a request shape', () => {
    rejects(
      flat,
      { inputs: [tensor('p', 'FP32', [2, -1], 0), tensor('q', 'INT32', [3])] },
      `${NO_ID}All input dimensions should be specified for input 'p' for model 'f', got [2,-1]`,
    );
    rejects(
      flat,
      { inputs: [tensor('p', 'FP32', [2, -3], 0), tensor('q', 'INT32', [3])] },
      `${NO_ID}All input dimensions should be specified for input 'p' for model 'f', got [2,-3]`,
    );
    rejects(
      flat,
      { inputs: [tensor('p', 'FP32', [-2, 1], 0), tensor('q', 'INT32', [3])] },
      `${NO_ID}unexpected shape for input 'p' for model 'f'. Expected [2,-1], got [-2,1]. `,
    );
  });

  it("checks inputs in Triton's map order (here the reverse of the request's): its first bad input is reported", () => {
    rejects(
      flat,
      { inputs: [tensor('q', 'INT32', [4]), tensor('p', 'FP64', [2, 1])] },
      `${NO_ID}inference input 'p' data-type is 'FP64', but model 'f' expects 'FP32'`,
    );
    rejects(
      flat,
      { inputs: [tensor('p', 'FP64', [2, 1]), tensor('q', 'INT32', [4])] },
      `${NO_ID}unexpected shape for input 'q' for model 'f'. Expected [3], got [4]. `,
    );
  });

  it('reports the first bad input of a later input before an earlier input of the wrong size (one loop, map order)', () => {
    rejects(
      flat,
      { inputs: [tensor('p', 'FP64', [2, 1]), tensor('q', 'INT32', [3], 0)] },
      `${NO_ID}input byte size mismatch for input 'q' for model 'f'. Expected 12, got 0`,
    );
  });
});

describe('validateRequest: byte size', () => {
  it('rejects a fixed-size input whose data is too long or too short', () => {
    rejects(
      batching,
      { inputs: [tensor('x', 'FP32', [2, 16], 132)] },
      `${NO_ID}input byte size mismatch for input 'x' for model 'm'. Expected 128, got 132`,
    );
    rejects(
      flat,
      { inputs: [tensor('p', 'FP32', [2, 2]), tensor('q', 'INT32', [3], 0)] },
      `${NO_ID}input byte size mismatch for input 'q' for model 'f'. Expected 12, got 0`,
    );
  });

  it('rejects data on a zero-size tensor', () => {
    rejects(
      batching,
      { inputs: [tensor('x', 'FP32', [0, 16], 4)] },
      `${NO_ID}input byte size mismatch for input 'x' for model 'm'. Expected 0, got 4`,
    );
  });
});

describe('validateRequest: BYTES framing', () => {
  it('rejects fewer elements than the shape holds', () => {
    rejects(
      text,
      { inputs: [strings('t', [1, 3], ['a', 'b'])] },
      `${NO_ID}expected 3 string elements for inference input 't' for model 's', got 2`,
    );
  });

  it('rejects more elements than the shape holds', () => {
    rejects(
      text,
      { inputs: [strings('t', [1, 1], ['a', 'b'])] },
      `${NO_ID}unexpected number of string elements 2 for inference input 't' for model 's', expecting 1`,
    );
  });

  it('rejects a truncated length prefix', () => {
    const data = new Uint8Array([...encodeBytesElements(['a']), 0, 0]);
    rejects(
      text,
      { inputs: [{ name: 't', datatype: 'BYTES', shape: [1, 2], data }] },
      `${NO_ID}incomplete string length indicator for inference input 't' for model 's', expecting 4 bytes but ` +
        'only 2 bytes available. Please make sure the string length indicator is in one buffer.',
    );
  });

  it('rejects a truncated element', () => {
    const data = new Uint8Array([5, 0, 0, 0, 104, 105]);
    rejects(
      text,
      { inputs: [{ name: 't', datatype: 'BYTES', shape: [1, 1], data }] },
      `${NO_ID}incomplete string data for inference input 't' for model 's', expecting string of length 5 but ` +
        'only 2 bytes available',
    );
  });
});
