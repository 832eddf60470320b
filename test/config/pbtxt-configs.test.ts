/**
 * Realistic Triton config.pbtxt files through parseModelConfigText into the plain ModelConfig form, plus the
 * ModelConfig-level errors worded as Triton/protobuf word them.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';

import { parseModelConfigText, TextFormatError } from '../../src/config/pbtxt/parse-text-format.ts';
import type { ModelConfig } from '../../src/config/model-config.ts';

function fixture(name: string): ModelConfig {
  const text = readFileSync(new URL(`./fixtures/pbtxt/${name}`, import.meta.url), 'utf8');
  return parseModelConfigText(text, name);
}

describe('pbtxt real-world configs', () => {
  it('parses an ONNX classifier with GPU instance groups and prioritized dynamic batching', () => {
    const config = fixture('densenet-dynamic-batching.pbtxt');
    assert.equal(config.name, 'densenet_onnx');
    assert.equal(config.platform, 'onnxruntime_onnx');
    assert.equal(config.max_batch_size, 16);
    assert.deepEqual(config.version_policy, { specific: { versions: [1, 3] } });
    assert.deepEqual(config.input, [
      {
        name: 'data_0', data_type: 'TYPE_FP32', format: 'FORMAT_NCHW', dims: [3, 224, 224], reshape: { shape: [1, 3, 224, 224] },
        is_shape_tensor: false, allow_ragged_batch: false, optional: false, is_non_linear_format_io: false,
      },
    ]);
    assert.equal(config.output[0]!.label_filename, 'densenet_labels.txt');
    assert.deepEqual(config.output[0]!.dims, [1000]);
    assert.deepEqual(config.instance_group[0], {
      name: 'gpu_pool', kind: 'KIND_GPU', count: 2, gpus: [0, 1], secondary_devices: [], profile: [], passive: false, host_policy: '',
    });
    assert.equal(config.instance_group[1]!.kind, 'KIND_CPU');
    assert.deepEqual(config.instance_group[1]!.rate_limiter, { resources: [{ name: 'R1', global: true, count: 2 }], priority: 1 });
    const batching = config.dynamic_batching!;
    assert.deepEqual(batching.preferred_batch_size, [4, 8]);
    assert.equal(batching.max_queue_delay_microseconds, 100);
    assert.equal(batching.preserve_ordering, true);
    assert.equal(batching.priority_levels, 2);
    assert.equal(batching.default_priority_level, 2);
    assert.deepEqual(batching.default_queue_policy, {
      timeout_action: 'REJECT', default_timeout_microseconds: 5000000, allow_timeout_override: false, max_queue_size: 64,
    });
    assert.deepEqual(batching.priority_queue_policy, {
      1: { timeout_action: 'DELAY', default_timeout_microseconds: 100000, allow_timeout_override: true, max_queue_size: 8 },
      2: { timeout_action: 'REJECT', default_timeout_microseconds: 0, allow_timeout_override: false, max_queue_size: 0 },
    });
    assert.equal(config.sequence_batching, undefined);
    assert.equal(config.optimization, undefined);
  });

  it('parses optimization with TensorRT/OpenVINO accelerators and parameters in both map shapes', () => {
    const config = fixture('bert-optimization.pbtxt');
    assert.equal(config.backend, 'onnxruntime');
    assert.equal(config.default_model_filename, 'model.onnx');
    assert.deepEqual(config.input.map((i) => [i.name, i.data_type, i.dims, i.optional]), [
      ['input_ids', 'TYPE_INT64', [-1, -1], false],
      ['attention_mask', 'TYPE_INT64', [-1, -1], true],
    ]);
    assert.deepEqual(config.output.map((o) => [o.name, o.dims]), [['logits', [-1, 2]]]);
    const optimization = config.optimization!;
    assert.deepEqual(optimization.graph, { level: 1 });
    assert.equal(optimization.priority, 'PRIORITY_MAX');
    assert.deepEqual(optimization.execution_accelerators, {
      gpu_execution_accelerator: [
        {
          name: 'tensorrt',
          parameters: { precision_mode: 'FP16', max_workspace_size_bytes: '1073741824', trt_engine_cache_enable: 'true' },
        },
      ],
      cpu_execution_accelerator: [{ name: 'openvino', parameters: {} }],
    });
    assert.deepEqual(optimization.input_pinned_memory, { enable: false });
    assert.deepEqual(optimization.output_pinned_memory, { enable: true });
    assert.equal(optimization.cuda, undefined);
    assert.deepEqual(config.parameters, {
      intra_op_thread_count: { string_value: '4' },
      execution_mode: { string_value: '1' },
      cudnn_conv_algo_search: { string_value: '0' },
    });
    assert.deepEqual(config.cc_model_filenames, { '7.5': 'model_t4.plan' });
    assert.deepEqual(config.metric_tags, { team: 'nlp' });
    assert.deepEqual(config.model_transaction_policy, { decoupled: false });
    assert.deepEqual(config.response_cache, { enable: true });
    assert.equal(config.dynamic_batching, undefined);
  });

  it('parses sequence batching in <> with ";" separators and model warmup with an inputs map', () => {
    const config = fixture('stateful-warmup.pbtxt');
    assert.deepEqual(config.version_policy, { latest: { num_versions: 2 } });
    const sequence = config.sequence_batching as Record<string, unknown> & {
      control_input: { name: string; control: Record<string, unknown>[] }[];
      state: Record<string, unknown>[];
    };
    assert.equal(sequence['max_sequence_idle_microseconds'], 5000000);
    assert.deepEqual(sequence['direct'], { max_queue_delay_microseconds: 100, minimum_slot_utilization: 0.5 });
    assert.equal(sequence['oldest'], undefined);
    assert.deepEqual(
      sequence.control_input.map((c) => [c.name, c.control[0]!['kind']]),
      [['START', 'CONTROL_SEQUENCE_START'], ['READY', 'CONTROL_SEQUENCE_READY'], ['CORRID', 'CONTROL_SEQUENCE_CORRID']],
    );
    assert.deepEqual(sequence.control_input[0]!.control[0]!['fp32_false_true'], [0, 1]);
    assert.deepEqual(sequence.control_input[1]!.control[0]!['int32_false_true'], [0, 1]);
    assert.equal(sequence.control_input[2]!.control[0]!['data_type'], 'TYPE_UINT64');
    assert.deepEqual(sequence.state[0]!['initial_state'], [{ name: 'zeros', data_type: 'TYPE_FP32', dims: [1], zero_data: true }]);
    assert.deepEqual(config.model_warmup, [
      {
        name: 'zero_batch', batch_size: 1, count: 0,
        inputs: {
          INPUT: { data_type: 'TYPE_FP32', dims: [1], zero_data: true },
          MASK: { data_type: 'TYPE_BOOL', dims: [1], random_data: true },
        },
      },
      {
        name: 'file_batch', batch_size: 4, count: 3,
        inputs: { INPUT: { data_type: 'TYPE_FP32', dims: [1], input_data_file: 'raw_input' } },
      },
    ]);
  });

  it('parses an ensemble with input/output maps, repository agents and metric buckets', () => {
    const config = fixture('ensemble-pipeline.pbtxt');
    assert.equal(config.platform, 'ensemble');
    assert.deepEqual(config.version_policy, { all: {} });
    assert.deepEqual(config.input[0]!.data_type, 'TYPE_STRING');
    const steps = (config.ensemble_scheduling as { step: Record<string, unknown>[] }).step;
    assert.deepEqual(
      steps.map((s) => [s['model_name'], s['model_version'], s['input_map'], s['output_map']]),
      [
        ['preprocess', -1, { INPUT: 'RAW' }, { OUTPUT: 'preprocessed' }],
        ['classifier', 3, { data_0: 'preprocessed' }, { fc6_1: 'SCORES' }],
      ],
    );
    assert.deepEqual(config.model_repository_agents, {
      agents: [{ name: 'checksum', parameters: { 'MD5:model.onnx': 'd41d8cd98f00b204e9800998ecf8427e' } }],
    });
    assert.deepEqual(config.model_metrics, {
      metric_control: [
        { metric_identifier: { family: 'nv_inference_request_duration' }, histogram_options: { buckets: [0.1, 1, 10.5, 100] } },
      ],
    });
  });

  it('turns an empty file into the all-defaults config', () => {
    const config = parseModelConfigText('# only a comment\n', 'config.pbtxt');
    assert.equal(config.name, '');
    assert.equal(config.max_batch_size, 0);
    assert.deepEqual([config.input, config.output, config.instance_group, config.model_warmup], [[], [], [], []]);
    assert.deepEqual([config.parameters, config.cc_model_filenames, config.metric_tags], [{}, {}, {}]);
    assert.equal(config.version_policy, undefined);
    assert.equal(config.dynamic_batching, undefined);
  });
});

describe('pbtxt ModelConfig errors', () => {
  function assertConfigError(text: string, message: string): void {
    assert.throws(
      () => parseModelConfigText(text, 'config.pbtxt'),
      (error: unknown) => {
        assert.ok(error instanceof TextFormatError);
        assert.equal(error.message, message);
        assert.equal(error.file, 'config.pbtxt');
        return true;
      },
    );
  }

  it('names file, line and column of a missing ":" before a scalar', () => {
    assertConfigError(
      'name: "m"\nplatform: "onnxruntime_onnx"\n\tmax_batch_size 8\n',
      'config.pbtxt:3:17: expected \':\' after scalar field "max_batch_size", found "8"',
    );
  });

  it('rejects a misspelt field', () => {
    assertConfigError('max_batchsize: 8', 'config.pbtxt:1:1: unknown field "max_batchsize" in inference.ModelConfig');
    assertConfigError('input [ { name: "a" dim: [1] } ]', 'config.pbtxt:1:21: unknown field "dim" in inference.ModelInput');
  });

  it('rejects a repeated singular field', () => {
    assertConfigError(
      'max_batch_size: 8\r\nmax_batch_size: 8',
      'config.pbtxt:2:1: Non-repeated field "max_batch_size" is specified multiple times.',
    );
  });

  it('rejects two scheduling choices, two version policies and two warmup data sources', () => {
    assertConfigError(
      'dynamic_batching { }\nsequence_batching { }',
      'config.pbtxt:2:1: Field "sequence_batching" is specified along with field "dynamic_batching", another member of oneof "scheduling_choice".',
    );
    assertConfigError(
      'version_policy { latest { num_versions: 1 } all { } }',
      'config.pbtxt:1:45: Field "all" is specified along with field "latest", another member of oneof "policy_choice".',
    );
    assertConfigError(
      'model_warmup [ { inputs { key: "a" value { zero_data: false random_data: true } } } ]',
      'config.pbtxt:1:61: Field "random_data" is specified along with field "zero_data", another member of oneof "input_data_type".',
    );
  });

  it('rejects unknown enum names and out-of-range values in config fields', () => {
    assertConfigError(
      'instance_group [ { kind: KIND_TPU } ]',
      'config.pbtxt:1:26: Unknown enumeration value of "KIND_TPU" for field "kind". Expected one of: KIND_AUTO, KIND_GPU, KIND_CPU, KIND_MODEL.',
    );
    assertConfigError(
      'max_batch_size: 2147483648',
      'config.pbtxt:1:17: integer 2147483648 is out of range for int32 field "max_batch_size" (-2147483648 to 2147483647)',
    );
    assertConfigError(
      'dynamic_batching { max_queue_delay_microseconds: -1 }',
      'config.pbtxt:1:50: expected a non-negative integer for uint64 field "max_queue_delay_microseconds", found "-"',
    );
  });
});
