import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { sessionPlanFor } from '../../src/config/ort-options.ts';
import { assertServerError, onnxConfig } from './support.ts';

const CPU = { kind: 'KIND_CPU', deviceId: 0 } as const;
const GPU1 = { kind: 'KIND_GPU', deviceId: 1 } as const;
const params = (entries: Record<string, string>) =>
  Object.fromEntries(Object.entries(entries).map(([k, v]) => [k, { string_value: v }]));

function plan(partial: Record<string, unknown>, instance: typeof CPU | typeof GPU1 = CPU) {
  return sessionPlanFor(onnxConfig('m', partial), instance);
}

const gpuAccelerators = (list: unknown[]) => ({ optimization: { execution_accelerators: { gpu_execution_accelerator: list } } });
const cpuAccelerators = (list: unknown[]) => ({ optimization: { execution_accelerators: { cpu_execution_accelerator: list } } });

describe('ORT session options', () => {
  test('graph level mapping: -1 basic, 1 extended, 2 disabled, anything else all', () => {
    const level = (l?: number) =>
      plan(l === undefined ? {} : { optimization: { graph: { level: l } } }).graphOptimizationLevel;
    assert.deepEqual([level(-1), level(1), level(2), level(0), level(3), level()], [
      'basic',
      'extended',
      'disabled',
      'all',
      'all',
      'all',
    ]);
  });

  test('defaults: sequential, arena and pattern on, ORT-chosen thread counts, CPU EP only', () => {
    const p = plan({});
    assert.equal(p.executionMode, 'sequential');
    assert.equal(p.enableCpuMemArena, true);
    assert.equal(p.enableMemPattern, true);
    assert.equal(p.intraOpNumThreads, undefined);
    assert.equal(p.interOpNumThreads, undefined);
    assert.deepEqual(p.executionProviders, [{ name: 'cpu' }]);
  });

  test('execution_mode "1" is parallel', () => {
    assert.equal(plan({ parameters: params({ execution_mode: '1' }) }).executionMode, 'parallel');
  });

  test('execution_mode other than 0/1 gives Triton error text', () => {
    assertServerError(
      () => plan({ parameters: params({ execution_mode: '2' }) }),
      'INVALID_ARG',
      'Invalid configuration value provided. Expected values for  execution_mode are 0 or 1 but got 2 .',
    );
    assertServerError(
      () => plan({ parameters: params({ execution_mode: 'fast' }) }),
      'INVALID_ARG',
      "failed to convert 'fast' to integral number",
    );
  });

  test('thread counts apply only when > 0', () => {
    const p = plan({ parameters: params({ intra_op_thread_count: '3', inter_op_thread_count: '0' }) });
    assert.equal(p.intraOpNumThreads, 3);
    assert.equal(p.interOpNumThreads, undefined);
  });

  test('enable_mem_arena / enable_mem_pattern parse booleans', () => {
    const p = plan({ parameters: params({ enable_mem_arena: 'OFF', enable_mem_pattern: '0' }) });
    assert.equal(p.enableCpuMemArena, false);
    assert.equal(p.enableMemPattern, false);
    assertServerError(
      () => plan({ parameters: params({ enable_mem_arena: 'maybe' }) }),
      'INVALID_ARG',
      "failed to convert 'maybe' to boolean",
    );
  });

  test('session and run config entries are passed through', () => {
    const p = plan({
      parameters: params({
        'session.use_device_allocator_for_initializers': '1',
        'memory.enable_memory_arena_shrinkage': 'cpu:0',
        share_session_between_instances: 'true',
      }),
      model_operations: { op_library_filename: ['/opt/libops.so'] },
    });
    assert.deepEqual(p.sessionConfigEntries, { 'session.use_device_allocator_for_initializers': '1' });
    assert.deepEqual(p.runConfigEntries, { 'memory.enable_memory_arena_shrinkage': 'cpu:0' });
    assert.equal(p.shareSessionBetweenInstances, true);
    assert.deepEqual(p.customOpLibraries, ['/opt/libops.so']);
  });
});

describe('ORT execution providers', () => {
  test('openvino CPU accelerator comes before the default CPU EP', () => {
    assert.deepEqual(plan(cpuAccelerators([{ name: 'openvino' }])).executionProviders, [
      { name: 'openvino', device_type: 'CPU' },
      { name: 'cpu' },
    ]);
  });

  test('unknown CPU accelerator gives Triton error text', () => {
    assertServerError(
      () => plan(cpuAccelerators([{ name: 'dnnl' }])),
      'INVALID_ARG',
      "unknown Execution Accelerator 'dnnl' is requested",
    );
  });

  test('GPU accelerators are ignored for CPU instances', () => {
    assert.deepEqual(plan(gpuAccelerators([{ name: 'tensorrt' }])).executionProviders, [{ name: 'cpu' }]);
  });

  test('GPU instance: TensorRT, then CUDA on the instance device, then CPU', () => {
    const eps = plan(
      gpuAccelerators([
        {
          name: 'tensorrt',
          parameters: { precision_mode: 'FP16', max_workspace_size_bytes: '1073741824', trt_engine_cache_enable: 'true' },
        },
      ]),
      GPU1,
    ).executionProviders;
    assert.deepEqual(eps.map((e) => e.name), ['tensorrt', 'cuda', 'cpu']);
    assert.deepEqual(eps[0], {
      name: 'tensorrt',
      deviceId: 1,
      trt_fp16_enable: '1',
      trt_max_workspace_size: '1073741824',
      trt_engine_cache_enable: 'true',
    });
    assert.equal(eps[1]?.deviceId, 1);
  });

  test('TensorRT precision mapping: FP32 adds nothing, BF16/INT8 enable their flags', () => {
    const trt = (mode: string) =>
      plan(gpuAccelerators([{ name: 'tensorrt', parameters: { precision_mode: mode } }]), GPU1).executionProviders[0];
    assert.deepEqual(trt('FP32'), { name: 'tensorrt', deviceId: 1 });
    assert.equal(trt('BF16')?.trt_bf16_enable, '1');
    assert.equal(trt('INT8')?.trt_int8_enable, '1');
  });

  test('TensorRT unknown precision and unknown key give Triton texts', () => {
    assertServerError(
      () => plan(gpuAccelerators([{ name: 'tensorrt', parameters: { precision_mode: 'FP8' } }]), GPU1),
      'INVALID_ARG',
      "unsupported precision mode 'FP8' is requested",
    );
    assertServerError(
      () => plan(gpuAccelerators([{ name: 'tensorrt', parameters: { fancy: '1' } }]), GPU1),
      'INVALID_ARG',
      "unknown parameter 'fancy' is provided for TensorRT Execution Accelerator",
    );
    assertServerError(
      () => plan(gpuAccelerators([{ name: 'tensorrt', parameters: { trt_dla_enable: 'yes' } }]), GPU1),
      'INVALID_ARG',
      "failed to convert 'yes' to boolean",
    );
  });

  test('cuda accelerator parameters and deprecated CUDA parameters reach the CUDA EP, with defaults', () => {
    const eps = plan(
      {
        ...gpuAccelerators([{ name: 'cuda', parameters: { cudnn_conv_use_max_workspace: '1' } }]),
        parameters: params({ cudnn_conv_algo_search: '1' }),
      },
      GPU1,
    ).executionProviders;
    assert.deepEqual(eps, [
      {
        name: 'cuda',
        deviceId: 1,
        cudnn_conv_use_max_workspace: '1',
        cudnn_conv_algo_search: 'HEURISTIC',
        gpu_mem_limit: '18446744073709551615',
        arena_extend_strategy: 'kNextPowerOfTwo',
        do_copy_in_default_stream: '1',
      },
      { name: 'cpu' },
    ]);
    assertServerError(
      () => plan({ parameters: params({ arena_extend_strategy: '5' }) }, GPU1),
      'INVALID_ARG',
      "unsupported arena_extend_strategy value '5' is requested",
    );
  });

  test('unknown GPU accelerator gives Triton error text', () => {
    assertServerError(
      () => plan(gpuAccelerators([{ name: 'gpu_io' }]), GPU1),
      'INVALID_ARG',
      "unknown Execution Accelerator 'gpu_io' is requested",
    );
  });
});
