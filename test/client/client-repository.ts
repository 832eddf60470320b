/**
 * The small repository the client suites run on, against nereid and (as Python-backend twins) tritonserver 2.51:
 *   - add_sub: Triton's "simple" model (FP32 [-1,16] ×2 → OUTPUT0 sum, OUTPUT1 difference), max_batch_size 8;
 *   - identity_<datatype>: OUTPUT0 = INPUT0, dims [-1], max_batch_size 8, for the datatypes the suites round-trip;
 *   - classify: an FP32 identity whose output has labels (classification);
 *   - spare: add_sub again, for loading and unloading without disturbing the others;
 *   - sequence: add_sub behind the sequence batcher (requests carry a correlation ID and START / END flags).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { OnnxElemType } from '../../scripts/onnx/builder.ts';
import { addSubModel } from '../../scripts/onnx/shipped-models.ts';
import { addModel, writeModelDir } from '../../scripts/onnx/test-models.ts';

export const IDENTITY_TYPES: readonly { datatype: string; onnx: OnnxElemType; config: string }[] = [
  { datatype: 'BOOL', onnx: 'bool', config: 'TYPE_BOOL' },
  { datatype: 'UINT8', onnx: 'uint8', config: 'TYPE_UINT8' },
  { datatype: 'INT32', onnx: 'int32', config: 'TYPE_INT32' },
  { datatype: 'INT64', onnx: 'int64', config: 'TYPE_INT64' },
  { datatype: 'UINT64', onnx: 'uint64', config: 'TYPE_UINT64' },
  { datatype: 'FP16', onnx: 'float16', config: 'TYPE_FP16' },
  { datatype: 'FP64', onnx: 'double', config: 'TYPE_FP64' },
  { datatype: 'BYTES', onnx: 'string', config: 'TYPE_STRING' },
];

const io = (kind: 'input' | 'output', names: string[], type: string, dims: string): string =>
  `${kind} [ ${names.map((n) => `{ name: "${n}" data_type: ${type} dims: ${dims} }`).join(', ')} ]\n`;

function addSubConfig(name: string, extra = ''): string {
  return `name: "${name}"\nplatform: "onnxruntime_onnx"\nmax_batch_size: 8\n` +
    io('input', ['INPUT0', 'INPUT1'], 'TYPE_FP32', '[ 16 ]') + io('output', ['OUTPUT0', 'OUTPUT1'], 'TYPE_FP32', '[ 16 ]') +
    'instance_group [ { count: 1 kind: KIND_CPU } ]\n' + extra;
}

export function writeClientRepository(dir: string): void {
  writeModelDir(dir, 'add_sub', addSubModel(), { config: addSubConfig('add_sub') });
  writeModelDir(dir, 'spare', addSubModel(), { config: addSubConfig('spare') });
  writeModelDir(dir, 'sequence', addSubModel(), { config: addSubConfig('sequence', 'sequence_batching { max_sequence_idle_microseconds: 60000000 }\n') });
  for (const { datatype, onnx, config } of IDENTITY_TYPES) {
    const name = `identity_${datatype.toLowerCase()}`;
    const model = addModel({
      name,
      inputs: [{ name: 'INPUT0', type: onnx, shape: ['batch', 'n'] }],
      outputs: [{ name: 'OUTPUT0', type: onnx, shape: ['batch', 'n'] }],
      mode: 'identity',
    });
    writeModelDir(dir, name, model, {
      config: `name: "${name}"\nbackend: "onnxruntime"\nmax_batch_size: 8\n` + io('input', ['INPUT0'], config, '[ -1 ]') +
        io('output', ['OUTPUT0'], config, '[ -1 ]') + 'instance_group [ { count: 1 kind: KIND_CPU } ]\n',
    });
  }
  const classifier = addModel({
    name: 'classify',
    inputs: [{ name: 'INPUT0', type: 'float', shape: ['batch', 'n'] }],
    outputs: [{ name: 'OUTPUT0', type: 'float', shape: ['batch', 'n'] }],
    mode: 'identity',
  });
  const dir2 = writeModelDir(dir, 'classify', classifier, {
    config: 'name: "classify"\nbackend: "onnxruntime"\nmax_batch_size: 8\n' + io('input', ['INPUT0'], 'TYPE_FP32', '[ -1 ]') +
      'output [ { name: "OUTPUT0" data_type: TYPE_FP32 dims: [ -1 ] label_filename: "labels.txt" } ]\n' +
      'instance_group [ { count: 1 kind: KIND_CPU } ]\n',
  });
  writeFileSync(join(dir2, 'labels.txt'), 'zero\none\ntwo\nthree\n');
}
