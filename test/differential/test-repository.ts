/**
 * The nereid repository the differential corpus runs on (its twin is what tritonserver serves):
 *   - add_sub: Triton's "simple" model (FP32 [-1,16] ×2 → sum, difference), max_batch_size 8;
 *   - identity_<datatype> for every datatype ONNX Runtime loads (all but BF16): OUTPUT0 = INPUT0, dims [-1], batch 8;
 *   - add_sub_batched: add_sub with a dynamic batcher (preferred size 4, 200 ms queue delay) for the burst test;
 *   - add_sub_priority: two priority levels (default 2, timeouts may be overridden); add_sub_sequence: sequence batcher;
 *   - add_sub_queue: a queue of at most QUEUE_MAX_SIZE requests held QUEUE_DELAY_US for a batch that never fills, so
 *     requests beyond it are refused and a request timeout expires in the queue, whatever the timing;
 *   - add_sub_warmup: warmup samples (zero and random data, batch 2, count 3), which statistics and metrics count;
 *   - add_sub_ext: add_sub for the extensions nereid lacks (classification, generate), so they stay out of add_sub's counts;
 *   - ensemble_add_sub: an ensemble of two add_sub_ens steps (see writeEnsemble);
 *   - sequence_controls: the sequence batcher's control inputs, echoed;
 *   - classify_labels: an FP32 identity whose output has a label file (classification with labels);
 *   - add_sub_cached: add_sub with response_cache enabled (both servers run with --cache-config local,size=1 MiB);
 *   - add_sub_gray: two versions with a gray-release policy (routing, shadow, guard, rate limit) in parameters
 *     (tritonserver ignores them).
 */
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

import { addModel, writeModelDir } from '../../scripts/onnx/test-models.ts';
import { addSubModel } from '../../scripts/onnx/shipped-models.ts';
import { buildOnnxModel } from '../../scripts/onnx/builder.ts';
import type { OnnxElemType } from '../../scripts/onnx/builder.ts';

/** The datatypes of the identity models, with their ONNX element type and config type. */
export const IDENTITY_TYPES: readonly { datatype: string; onnx: OnnxElemType; config: string }[] = [
  { datatype: 'BOOL', onnx: 'bool', config: 'TYPE_BOOL' },
  { datatype: 'UINT8', onnx: 'uint8', config: 'TYPE_UINT8' },
  { datatype: 'UINT16', onnx: 'uint16', config: 'TYPE_UINT16' },
  { datatype: 'UINT32', onnx: 'uint32', config: 'TYPE_UINT32' },
  { datatype: 'UINT64', onnx: 'uint64', config: 'TYPE_UINT64' },
  { datatype: 'INT8', onnx: 'int8', config: 'TYPE_INT8' },
  { datatype: 'INT16', onnx: 'int16', config: 'TYPE_INT16' },
  { datatype: 'INT32', onnx: 'int32', config: 'TYPE_INT32' },
  { datatype: 'INT64', onnx: 'int64', config: 'TYPE_INT64' },
  { datatype: 'FP16', onnx: 'float16', config: 'TYPE_FP16' },
  { datatype: 'FP32', onnx: 'float', config: 'TYPE_FP32' },
  { datatype: 'FP64', onnx: 'double', config: 'TYPE_FP64' },
  { datatype: 'BYTES', onnx: 'string', config: 'TYPE_STRING' },
];

export const BATCHED_PREFERRED = 4;
export const QUEUE_MAX_SIZE = 2;
/** Long enough for every request of a burst to arrive on a loaded machine, short enough to wait for twice. */
export const QUEUE_DELAY_US = 2_000_000;

const io = (kind: 'input' | 'output', names: string[], type: string, dims: string): string =>
  `${kind} [\n${names.map((n) => `  { name: "${n}" data_type: ${type} dims: ${dims} }`).join(',\n')}\n]\n`;

function addSubConfig(name: string, extra = ''): string {
  return `name: "${name}"\nplatform: "onnxruntime_onnx"\nmax_batch_size: 8\n` +
    io('input', ['INPUT0', 'INPUT1'], 'TYPE_FP32', '[ 16 ]') + io('output', ['OUTPUT0', 'OUTPUT1'], 'TYPE_FP32', '[ 16 ]') + extra;
}

/** Writes the repository into `dir`. */
export function writeDifferentialRepository(dir: string): void {
  writeModelDir(dir, 'add_sub', addSubModel(), { config: addSubConfig('add_sub') });
  writeModelDir(dir, 'add_sub_batched', addSubModel(), {
    config: addSubConfig(
      'add_sub_batched',
      `dynamic_batching { preferred_batch_size: [ ${BATCHED_PREFERRED} ] max_queue_delay_microseconds: 200000 }\n`,
    ),
  });
  writeModelDir(dir, 'add_sub_priority', addSubModel(), {
    config: addSubConfig(
      'add_sub_priority',
      'dynamic_batching { priority_levels: 2 default_priority_level: 2 default_queue_policy { allow_timeout_override: true } }\n' +
        'instance_group [ { count: 1 kind: KIND_CPU } ]\n',
    ),
  });
  writeModelDir(dir, 'add_sub_queue', addSubModel(), {
    config: addSubConfig(
      'add_sub_queue',
      `dynamic_batching { preferred_batch_size: [ 8 ] max_queue_delay_microseconds: ${QUEUE_DELAY_US} ` +
        `default_queue_policy { max_queue_size: ${QUEUE_MAX_SIZE} allow_timeout_override: true } }\n` +
        'instance_group [ { count: 1 kind: KIND_CPU } ]\n',
    ),
  });
  const warmupInput = (name: string, data: string) =>
    `inputs { key: "${name}" value { data_type: TYPE_FP32 dims: [ 16 ] ${data} } }`;
  writeModelDir(dir, 'add_sub_warmup', addSubModel(), {
    config: addSubConfig(
      'add_sub_warmup',
      'instance_group [ { count: 1 kind: KIND_CPU } ]\n' +
        `model_warmup [ { name: "zeros" batch_size: 2 count: 3 ${warmupInput('INPUT0', 'zero_data: true')} ` +
        `${warmupInput('INPUT1', 'random_data: true')} } ]\n`,
    ),
  });
  writeModelDir(dir, 'add_sub_ext', addSubModel(), {
    config: addSubConfig('add_sub_ext', 'instance_group [ { count: 1 kind: KIND_CPU } ]\n'),
  });
  writeModelDir(dir, 'add_sub_sequence', addSubModel(), {
    config: addSubConfig(
      'add_sub_sequence',
      'sequence_batching { max_sequence_idle_microseconds: 60000000 }\ninstance_group [ { count: 1 kind: KIND_CPU } ]\n',
    ),
  });
  writeModelDir(dir, 'add_sub_cached', addSubModel(), {
    config: addSubConfig('add_sub_cached', 'instance_group [ { count: 1 kind: KIND_CPU } ]\nresponse_cache { enable: true }\n'),
  });
  // Gray release lives in parameters tritonserver ignores: the same repository must load there.
  for (const version of [1, 2]) {
    writeModelDir(dir, 'add_sub_gray', addSubModel(), {
      version,
      config: addSubConfig('add_sub_gray', 'instance_group [ { count: 1 kind: KIND_CPU } ]\nversion_policy { all { } }\n' +
        'parameters { key: "nereid.routing.weights" value { string_value: "1:95,2:5" } }\n' +
        'parameters { key: "nereid.routing.rules" value { string_value: "header:x-canary=yes->2" } }\n' +
        'parameters { key: "nereid.routing.sticky" value { string_value: "header:x-user-id" } }\n' +
        'parameters { key: "nereid.routing.primary" value { string_value: "1" } }\n' +
        // Shadow at 0% and a guard that a healthy candidate never trips: present, loadable, and changing no answer.
        'parameters { key: "nereid.shadow.version" value { string_value: "2" } }\n' +
        'parameters { key: "nereid.shadow.percent" value { string_value: "0" } }\n' +
        'parameters { key: "nereid.guard.max_error_ratio_increase" value { string_value: "0.5" } }\n' +
        'parameters { key: "nereid.rate_limit.model" value { string_value: "100000/s" } }\n'),
    });
  }
  writeEnsemble(dir);
  writeSequenceModels(dir);
  writeClassifier(dir);
  for (const t of IDENTITY_TYPES) {
    const name = `identity_${t.datatype.toLowerCase()}`;
    const model = addModel({
      name,
      inputs: [{ name: 'INPUT0', type: t.onnx, shape: ['batch', 'n'] }],
      outputs: [{ name: 'OUTPUT0', type: t.onnx, shape: ['batch', 'n'] }],
      mode: 'identity',
    });
    // One instance each keeps start-up short (15 models, each a worker thread here and a Python stub in Triton).
    const config = `name: "${name}"\nbackend: "onnxruntime"\nmax_batch_size: 8\n` +
      io('input', ['INPUT0'], t.config, '[ -1 ]') + io('output', ['OUTPUT0'], t.config, '[ -1 ]') +
      'instance_group [ { count: 1 kind: KIND_CPU } ]\n';
    writeModelDir(dir, name, model, { config });
  }
}

/**
 * sequence_controls: echoes INPUT0 and the four control inputs Triton's sequence batcher adds (START FP32, END INT32,
 * READY BOOL, CORRID UINT64). Implicit state cannot be compared: a Python-backend twin does not carry it (seen: the
 * state stays at zero in Triton however the twin answers).
 */
function writeSequenceModels(dir: string): void {
  const names = ['INPUT0', 'START', 'END', 'READY', 'CORRID'] as const;
  const types = { INPUT0: 'float', START: 'float', END: 'int32', READY: 'bool', CORRID: 'uint64' } as const;
  const echo = buildOnnxModel({
    name: 'sequence_controls',
    inputs: names.map((name) => ({ name, type: types[name], shape: ['batch', name === 'INPUT0' ? 4 : 1] })),
    outputs: names.map((name) => ({ name: `${name}_OUT`, type: types[name], shape: ['batch', name === 'INPUT0' ? 4 : 1] })),
    nodes: names.map((name) => ({ op: 'Identity', inputs: [name], outputs: [`${name}_OUT`] })),
  });
  writeModelDir(dir, 'sequence_controls', echo, {
    config: 'name: "sequence_controls"\nbackend: "onnxruntime"\nmax_batch_size: 8\n' +
      io('input', ['INPUT0'], 'TYPE_FP32', '[ 4 ]') +
      'output [ { name: "INPUT0_OUT" data_type: TYPE_FP32 dims: [ 4 ] }, { name: "START_OUT" data_type: TYPE_FP32 dims: [ 1 ] },\n' +
      '  { name: "END_OUT" data_type: TYPE_INT32 dims: [ 1 ] }, { name: "READY_OUT" data_type: TYPE_BOOL dims: [ 1 ] },\n' +
      '  { name: "CORRID_OUT" data_type: TYPE_UINT64 dims: [ 1 ] } ]\n' +
      'instance_group [ { count: 1 kind: KIND_CPU } ]\n' +
      'sequence_batching { max_sequence_idle_microseconds: 60000000 control_input [\n' +
      '  { name: "START" control [ { kind: CONTROL_SEQUENCE_START fp32_false_true: [ 0, 1 ] } ] },\n' +
      '  { name: "END" control [ { kind: CONTROL_SEQUENCE_END int32_false_true: [ 0, 7 ] } ] },\n' +
      '  { name: "READY" control [ { kind: CONTROL_SEQUENCE_READY bool_false_true: [ false, true ] } ] },\n' +
      '  { name: "CORRID" control [ { kind: CONTROL_SEQUENCE_CORRID data_type: TYPE_UINT64 } ] } ] }\n',
  });
}

/**
 * ensemble_add_sub: two add_sub_ens steps in a chain, (IN0, IN1) → (SUM, DIFF) → (SUM2 = 2·IN0, DIFF2 = 2·IN1), its
 * composing model a copy of add_sub so that add_sub's own counts stay apart.
 */
function writeEnsemble(dir: string): void {
  writeModelDir(dir, 'add_sub_ens', addSubModel(), {
    config: addSubConfig('add_sub_ens', 'instance_group [ { count: 1 kind: KIND_CPU } ]\n'),
  });
  mkdirSync(join(dir, 'ensemble_add_sub', '1'), { recursive: true });
  const step = (inputs: [string, string], outputs: [string, string]): string =>
    `{ model_name: "add_sub_ens" model_version: -1 input_map { key: "INPUT0" value: "${inputs[0]}" } ` +
    `input_map { key: "INPUT1" value: "${inputs[1]}" } output_map { key: "OUTPUT0" value: "${outputs[0]}" } ` +
    `output_map { key: "OUTPUT1" value: "${outputs[1]}" } }`;
  writeFileSync(
    join(dir, 'ensemble_add_sub', 'config.pbtxt'),
    `name: "ensemble_add_sub"\nplatform: "ensemble"\nmax_batch_size: 8\n` +
      io('input', ['IN0', 'IN1'], 'TYPE_FP32', '[ 16 ]') + io('output', ['SUM2', 'DIFF2'], 'TYPE_FP32', '[ 16 ]') +
      `ensemble_scheduling { step [ ${step(['IN0', 'IN1'], ['SUM', 'DIFF'])}, ${step(['SUM', 'DIFF'], ['SUM2', 'DIFF2'])} ] }\n`,
  );
}

/**
 * classify_labels: FP32 identity [batch, -1] whose output names labels.txt. Its lines cover the label cases: a
 * label, an empty line (no label), a line ending in '\r' (kept), spaces, and indices past the last line (no label).
 */
function writeClassifier(dir: string): void {
  const model = addModel({
    name: 'classify_labels',
    inputs: [{ name: 'INPUT0', type: 'float', shape: ['batch', 'n'] }],
    outputs: [{ name: 'OUTPUT0', type: 'float', shape: ['batch', 'n'] }],
    mode: 'identity',
  });
  const modelDir = writeModelDir(dir, 'classify_labels', model, {
    config: 'name: "classify_labels"\nbackend: "onnxruntime"\nmax_batch_size: 8\n' + io('input', ['INPUT0'], 'TYPE_FP32', '[ -1 ]') +
      'output [ { name: "OUTPUT0" data_type: TYPE_FP32 dims: [ -1 ] label_filename: "labels.txt" } ]\n' +
      'instance_group [ { count: 1 kind: KIND_CPU } ]\n',
  });
  writeFileSync(join(modelDir, 'labels.txt'), 'zero\none\n\nthree\r\nfour with spaces\nfive\n');
}
