import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { addModel, writeModelDir } from '../../scripts/onnx/test-models.ts';
import { sessionPlanFor } from '../../src/config/ort-options.ts';
import { InferenceService } from '../../src/core/inference-service.ts';
import { ortOptionsFor } from '../../src/instance/session-options.ts';
import { configFrom } from '../config/support.ts';
import { loadRepository, statusesOf } from '../support/repository.ts';
import { tempDir } from '../support/temp-dir.ts';
import { fp32Input, range, readFp32 } from '../support/tensors.ts';

const CPU = { kind: 'KIND_CPU', deviceId: 0 } as const;

function optionsFor(partial: Record<string, unknown>, threads = 3) {
  return ortOptionsFor(sessionPlanFor(configFrom({ name: 'm', backend: 'onnxruntime', ...partial }), CPU), threads, 'm');
}

describe('config → onnxruntime-node session options', () => {
  it('defaults: all graph optimizations, sequential, the instance thread split, one inter-op thread, arena and pattern on', () => {
    const { session, run } = optionsFor({});
    assert.deepEqual(session, {
      graphOptimizationLevel: 'all', executionMode: 'sequential', intraOpNumThreads: 3, interOpNumThreads: 1,
      enableCpuMemArena: true, enableMemPattern: true, executionProviders: [{ name: 'cpu' }],
    });
    assert.equal(run, undefined);
  });

  it('config parameters and the graph level override the defaults', () => {
    const { session } = optionsFor({
      optimization: { graph: { level: 2 } },
      parameters: {
        execution_mode: { string_value: '1' }, intra_op_thread_count: { string_value: '5' }, inter_op_thread_count: { string_value: '2' },
        enable_mem_arena: { string_value: '0' }, enable_mem_pattern: { string_value: 'false' },
      },
    });
    assert.equal(session.graphOptimizationLevel, 'disabled');
    assert.equal(session.executionMode, 'parallel');
    assert.equal(session.intraOpNumThreads, 5);
    assert.equal(session.interOpNumThreads, 2);
    assert.equal(session.enableCpuMemArena, false);
    assert.equal(session.enableMemPattern, false);
  });

  it('session and run config entries become onnxruntime-node `extra` objects joined by dots', () => {
    const { session, run } = optionsFor({
      parameters: {
        'session.use_device_allocator_for_initializers': { string_value: '1' },
        'memory.enable_memory_arena_shrinkage': { string_value: 'cpu:0' },
      },
    });
    assert.deepEqual(session.extra, { session: { use_device_allocator_for_initializers: '1' } });
    assert.deepEqual(run, { extra: { memory: { enable_memory_arena_shrinkage: 'cpu:0' } } });
  });

  it('refuses what onnxruntime-node cannot do instead of ignoring it', () => {
    assert.throws(() => optionsFor({ model_operations: { op_library_filename: ['libcustom.so'] } }),
      (e: Error & { code?: string }) => e.code === 'UNSUPPORTED' && /op_library_filename is not supported/.test(e.message));
    assert.throws(() => optionsFor({ optimization: { execution_accelerators: { cpu_execution_accelerator: [{ name: 'openvino' }] } } }),
      /unknown Execution Accelerator 'openvino' is requested/);
  });
});

describe('session options reach a real session', () => {
  const IO = `backend: "onnxruntime"
max_batch_size: 8
input [ { name: "INPUT0" data_type: TYPE_FP32 dims: [ 4 ] }, { name: "INPUT1" data_type: TYPE_FP32 dims: [ 4 ] } ]
output [ { name: "OUTPUT0" data_type: TYPE_FP32 dims: [ 4 ] } ]
instance_group [ { count: 1 kind: KIND_CPU } ]
`;

  it('a model with every option set loads and runs', async () => {
    const repo = tempDir();
    writeModelDir(repo, 'tuned', addModel(), {
      config: IO + `optimization { graph { level: -1 } }
parameters [
  { key: "execution_mode" value { string_value: "1" } },
  { key: "intra_op_thread_count" value { string_value: "1" } },
  { key: "inter_op_thread_count" value { string_value: "1" } },
  { key: "enable_mem_arena" value { string_value: "0" } },
  { key: "enable_mem_pattern" value { string_value: "0" } },
  { key: "session.use_device_allocator_for_initializers" value { string_value: "1" } },
  { key: "memory.enable_memory_arena_shrinkage" value { string_value: "cpu:0" } }
]`,
    });
    const repository = await loadRepository([repo]);
    assert.equal(statusesOf(repository, 'tuned')[0]!.state, 'READY', statusesOf(repository, 'tuned')[0]!.reason);
    const response = await new InferenceService(repository).infer('tuned', undefined, {
      inputs: [fp32Input('INPUT0', [1, 4], range(4)), fp32Input('INPUT1', [1, 4], range(4))],
    });
    assert.deepEqual(readFp32(response.outputs[0]!), [0, 2, 4, 6]);
  });

  it('an invalid execution_mode fails the load with Triton\'s text', async () => {
    const repo = tempDir();
    writeModelDir(repo, 'bad_mode', addModel(), { config: IO + 'parameters { key: "execution_mode" value { string_value: "2" } }' });
    const [row] = statusesOf(await loadRepository([repo]), 'bad_mode');
    assert.equal(row!.state, 'UNAVAILABLE');
    assert.equal(row!.reason, 'Invalid argument: Invalid configuration value provided. Expected values for  execution_mode are 0 or 1 but got 2 .');
  });
});
