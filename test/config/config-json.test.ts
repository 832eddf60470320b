import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { modelConfigFromJson, modelConfigToJson } from '../../src/config/config-json.ts';
import { normalizeConfig } from '../../src/config/normalize.ts';
import { configFrom, NO_GPUS, onnxConfig } from './support.ts';

function normalized(partial: Record<string, unknown> = {}) {
  return normalizeConfig(onnxConfig('m', partial), NO_GPUS);
}

describe('config JSON output', () => {
  test('proto field names in declaration order, defaults printed', () => {
    const json = modelConfigToJson(normalized());
    assert.deepEqual(Object.keys(json).slice(0, 6), [
      'name',
      'platform',
      'backend',
      'runtime',
      'version_policy',
      'max_batch_size',
    ]);
    assert.equal(json.runtime, '');
    assert.equal(json.max_batch_size, 0);
    assert.deepEqual(json.input, []);
    assert.deepEqual(json.batch_output, []);
    assert.deepEqual(json.cc_model_filenames, {});
    assert.deepEqual(json.parameters, {});
    assert.deepEqual(json.model_warmup, []);
  });

  test('nested primitives are printed with defaults and enums as names', () => {
    const json = modelConfigToJson(normalized({ input: [{ name: 'IN', data_type: 'TYPE_STRING', dims: [1] }] }));
    assert.deepEqual((json.input as unknown[])[0], {
      name: 'IN',
      data_type: 'TYPE_STRING',
      format: 'FORMAT_NONE',
      dims: [1],
      is_shape_tensor: false,
      allow_ragged_batch: false,
      optional: false,
      is_non_linear_format_io: false,
    });
    const group = (json.instance_group as Record<string, unknown>[])[0];
    assert.equal(group?.kind, 'KIND_CPU');
    assert.deepEqual(group?.gpus, []);
  });

  test('int64 fields Triton fixes are numbers', () => {
    const json = modelConfigToJson(
      normalized({
        max_batch_size: 4,
        input: [{ name: 'IN', data_type: 'TYPE_FP32', dims: [-1, 16], reshape: { shape: [16, -1] } }],
        version_policy: { specific: { versions: [1, 3] } },
        dynamic_batching: {
          max_queue_delay_microseconds: 100,
          priority_levels: 2,
          default_priority_level: 1,
          default_queue_policy: { default_timeout_microseconds: 5 },
          priority_queue_policy: { '2': { default_timeout_microseconds: 7 } },
        },
        model_warmup: [{ name: 'w', batch_size: 1, inputs: { IN: { data_type: 'TYPE_FP32', dims: [16], zero_data: true } } }],
      }),
    );
    const input = (json.input as Record<string, unknown>[])[0];
    assert.deepEqual(input?.dims, [-1, 16]);
    assert.deepEqual(input?.reshape, { shape: [16, -1] });
    assert.deepEqual(json.version_policy, { specific: { versions: [1, 3] } });
    const db = json.dynamic_batching as Record<string, unknown>;
    assert.equal(db.max_queue_delay_microseconds, 100);
    assert.equal(db.priority_levels, 2);
    assert.equal(db.default_priority_level, 1);
    assert.equal((db.default_queue_policy as Record<string, unknown>).default_timeout_microseconds, 5);
    // uint64 map keys stay strings; the values' timeouts become numbers.
    const pqp = db.priority_queue_policy as Record<string, Record<string, unknown>>;
    assert.deepEqual(Object.keys(pqp), ['2']);
    assert.equal(pqp['2']?.default_timeout_microseconds, 7);
    assert.equal(pqp['2']?.timeout_action, 'REJECT');
    const warmup = (json.model_warmup as Record<string, unknown>[])[0];
    assert.deepEqual((warmup?.inputs as Record<string, Record<string, unknown>>).IN?.dims, [16]);
  });

  test('64-bit fields Triton leaves alone stay strings', () => {
    const json = modelConfigToJson(
      normalized({
        instance_group: [{ kind: 'KIND_CPU', secondary_devices: [{ kind: 'KIND_NVDLA', device_id: 3 }] }],
        sequence_batching: {
          state: [{ input_name: 'a', output_name: 'b', data_type: 'TYPE_FP32', dims: [4], initial_state: [{ data_type: 'TYPE_FP32', dims: [4], zero_data: true, name: 'i' }] }],
        },
      }),
    );
    const group = (json.instance_group as Record<string, unknown>[])[0];
    assert.deepEqual(group?.secondary_devices, [{ kind: 'KIND_NVDLA', device_id: '3' }]);
    const state = ((json.sequence_batching as Record<string, unknown>).state as Record<string, unknown>[])[0];
    assert.deepEqual(state?.dims, [4]);
    assert.deepEqual((state?.initial_state as Record<string, unknown>[])[0]?.dims, ['4']);
    assert.equal((json.sequence_batching as Record<string, unknown>).max_sequence_idle_microseconds, 1000000);
  });

  test('oneof members appear only when set', () => {
    const json = modelConfigToJson(normalized());
    assert.ok(!('dynamic_batching' in json));
    assert.ok(!('sequence_batching' in json));
    assert.ok(!('ensemble_scheduling' in json));
    assert.deepEqual(json.version_policy, { latest: { num_versions: 1 } });
    const warm = modelConfigToJson(
      normalized({ model_warmup: [{ name: 'w', inputs: { X: { data_type: 'TYPE_FP32', dims: [1], random_data: true } } }] }),
    );
    const input = ((warm.model_warmup as Record<string, unknown>[])[0]?.inputs as Record<string, Record<string, unknown>>).X;
    assert.equal(input?.random_data, true);
    assert.ok(!('zero_data' in (input ?? {})));
    assert.ok(!('input_data_file' in (input ?? {})));
  });

  test('sub-messages are omitted when unset', () => {
    const json = modelConfigToJson(normalized({ input: [{ name: 'IN', data_type: 'TYPE_FP32', dims: [1] }] }));
    assert.ok(!('reshape' in (json.input as Record<string, unknown>[])[0]!));
    for (const key of ['model_operations', 'model_transaction_policy', 'response_cache', 'model_metrics']) {
      assert.ok(!(key in json), key);
    }
    assert.ok(!('graph' in (json.optimization as Record<string, unknown>)));
  });

  test('float fields print as float32 shortest text', () => {
    const json = modelConfigToJson(
      normalized({
        max_batch_size: 2,
        sequence_batching: {
          direct: { minimum_slot_utilization: 0.1 },
          control_input: [{ name: 'S', control: [{ kind: 'CONTROL_SEQUENCE_START', fp32_false_true: [0, 1.5] }] }],
        },
      }),
    );
    const seq = json.sequence_batching as Record<string, Record<string, unknown> | unknown[]>;
    assert.equal((seq.direct as Record<string, unknown>).minimum_slot_utilization, 0.1);
    const control = ((seq.control_input as Record<string, unknown>[])[0]?.control as Record<string, unknown>[])[0];
    assert.deepEqual(control?.fp32_false_true, [0, 1.5]);
    assert.equal(control?.kind, 'CONTROL_SEQUENCE_START');
  });

  test('JSON output parses back to the same config', () => {
    const config = normalized({
      max_batch_size: 8,
      input: [{ name: 'IN', data_type: 'TYPE_FP32', dims: [-1], reshape: { shape: [] } }],
      dynamic_batching: { priority_levels: 2, default_priority_level: 2, priority_queue_policy: { '1': { max_queue_size: 3 } } },
      parameters: { execution_mode: { string_value: '1' } },
      optimization: { execution_accelerators: { cpu_execution_accelerator: [{ name: 'openvino' }] } },
    });
    const text = JSON.stringify(modelConfigToJson(config));
    assert.deepEqual(modelConfigFromJson(text), config);
  });
});

describe('config JSON parsing (load API override)', () => {
  test('enum names are case-insensitive; lowerCamel names and string int64 are accepted', () => {
    const c = modelConfigFromJson(
      JSON.stringify({
        name: 'm',
        maxBatchSize: 4,
        input: [{ name: 'IN', dataType: 'type_fp32', dims: ['16', -1] }],
        instance_group: [{ kind: 'kind_cpu', count: 1 }],
      }),
    );
    assert.equal(c.max_batch_size, 4);
    assert.equal(c.input[0]?.data_type, 'TYPE_FP32');
    assert.deepEqual(c.input[0]?.dims, [16, -1]);
    assert.equal(c.instance_group[0]?.kind, 'KIND_CPU');
    assert.deepEqual(c, configFrom({
      name: 'm',
      max_batch_size: 4,
      input: [{ name: 'IN', data_type: 'TYPE_FP32', dims: [16, -1] }],
      instance_group: [{ kind: 'KIND_CPU', count: 1 }],
    }));
  });

  test('null means unset', () => {
    const c = modelConfigFromJson('{"name":"m","dynamic_batching":null,"input":null}');
    assert.equal(c.dynamic_batching, undefined);
    assert.deepEqual(c.input, []);
  });

  test('unknown fields are rejected', () => {
    assert.throws(
      () => modelConfigFromJson('{"name":"m","input":[{"name":"IN","shape":[1]}]}'),
      (e: Error & { code?: string }) =>
        e.code === 'INVALID_ARG' && e.message === 'Invalid config override: input[0].shape: Cannot find field.',
    );
  });

  test('malformed JSON, bad enum names and wrong types are rejected with the override prefix', () => {
    for (const text of [
      '{"name":',
      '[]',
      '{"input":[{"data_type":"TYPE_FLOAT"}]}',
      '{"max_batch_size":"many"}',
      '{"max_batch_size":3000000000}',
      '{"input":{}}',
      '{"name":5}',
    ]) {
      assert.throws(
        () => modelConfigFromJson(text),
        (e: Error & { code?: string }) => e.code === 'INVALID_ARG' && e.message.startsWith('Invalid config override: '),
        text,
      );
    }
  });

  test('two members of one oneof are rejected', () => {
    assert.throws(
      () => modelConfigFromJson('{"dynamic_batching":{},"sequence_batching":{}}'),
      /^ServerError: Invalid config override: sequence_batching: oneof field 'scheduling_choice' is already set/,
    );
  });
});
