import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { addModel, writeModelDir } from '../../scripts/onnx/test-models.ts';
import { InferenceService } from '../../src/core/inference-service.ts';
import { detectGpus, missingProviderReason, providerInstalled } from '../../src/instance/devices.ts';
import { ModelRepository } from '../../src/repository/model-repository.ts';
import { tempDir } from '../support/temp-dir.ts';
import { fp32Input, range, readFp32 } from '../support/tensors.ts';

const gpus = detectGpus();
const cuda = providerInstalled('cuda');
const gpuSkip = gpus.length === 0 ? 'no NVIDIA GPU is visible to this process (/proc/driver/nvidia/gpus is absent or CUDA_VISIBLE_DEVICES hides them)'
  : !cuda ? `a GPU is present but ${missingProviderReason('cuda')}` : false;
if (gpuSkip !== false) console.log(`# GPU tests skipped: ${gpuSkip}`);

const GPU_CONFIG = `backend: "onnxruntime"
max_batch_size: 8
input [ { name: "INPUT0" data_type: TYPE_FP32 dims: [ 4 ] }, { name: "INPUT1" data_type: TYPE_FP32 dims: [ 4 ] } ]
output [ { name: "OUTPUT0" data_type: TYPE_FP32 dims: [ 4 ] } ]
instance_group [ { count: 1 kind: KIND_GPU gpus: [ 0 ] } ]
`;

async function load(repo: string, pipelineGpus: readonly number[], gpuProviderAvailable = true): Promise<ModelRepository> {
  const devices = { gpus: pipelineGpus, gpuProviderAvailable };
  const repository = new ModelRepository({ repositories: [repo], pipeline: { autoComplete: true, defaultMaxBatchSize: 4, devices } });
  await repository.loadAll();
  return repository;
}

describe('GPU instances', () => {
  it('a missing provider is reported with the library and the way to install it', { skip: cuda ? 'the CUDA provider is installed here' : false }, () => {
    const reason = missingProviderReason('cuda')!;
    assert.match(reason, /CUDA execution provider is not installed: libonnxruntime_providers_cuda\.so is missing/);
    assert.match(reason, /--onnxruntime-node-install=cuda12/);
    assert.match(missingProviderReason('tensorrt')!, /libonnxruntime_providers_tensorrt\.so/);
  });

  it('a KIND_GPU model on a host that has a GPU but lacks the CUDA provider is UNAVAILABLE naming the provider, not run on the CPU',
    { skip: cuda ? 'the CUDA provider is installed here' : false }, async () => {
      const repo = tempDir();
      writeModelDir(repo, 'gpu_model', addModel(), { config: GPU_CONFIG });
      // The pipeline is told GPU 0 exists so that placement succeeds and the provider check is what refuses it.
      // (The pipeline also knows the provider is missing, which only changes what KIND_AUTO means.)
      const repository = await load(repo, [0], false);
      const [row] = repository.statuses();
      assert.equal(row!.state, 'UNAVAILABLE');
      assert.match(row!.reason, /^Unavailable: instance 'gpu_model_0_0' of model 'gpu_model' \(KIND_GPU, device 0\): the CUDA execution provider is not installed/);
      await repository.unloadAll();
    });

  it('a KIND_GPU model on a host without GPUs is refused with Triton\'s texts', { skip: gpus.length > 0 ? 'this host has GPUs' : false }, async () => {
    const repo = tempDir();
    writeModelDir(repo, 'listed_gpu', addModel(), { config: GPU_CONFIG });
    writeModelDir(repo, 'any_gpu', addModel(), { config: GPU_CONFIG.replace(' gpus: [ 0 ]', '') });
    const repository = await load(repo, []);
    const [anyGpu, listedGpu] = repository.statuses();
    assert.equal(anyGpu!.state, 'UNAVAILABLE');
    assert.match(anyGpu!.reason, /^Invalid argument: instance group any_gpu_0 of model any_gpu has kind KIND_GPU but no GPUs are available$/);
    assert.equal(listedGpu!.state, 'UNAVAILABLE');
    assert.match(listedGpu!.reason, /^Invalid argument: instance group listed_gpu_0 of model listed_gpu specifies invalid or unsupported gpu id 0\./);
    await repository.unloadAll();
  });

  it('runs a model on the CUDA execution provider', { skip: gpuSkip }, async () => {
    const repo = tempDir();
    writeModelDir(repo, 'gpu_model', addModel(), { config: GPU_CONFIG });
    const repository = await load(repo, gpus);
    assert.equal(repository.statuses()[0]!.state, 'READY', repository.statuses()[0]!.reason);
    const response = await new InferenceService(repository).infer('gpu_model', undefined, {
      inputs: [fp32Input('INPUT0', [2, 4], range(8)), fp32Input('INPUT1', [2, 4], range(8))],
    });
    assert.deepEqual(readFp32(response.outputs[0]!), range(8, (i) => 2 * i));
    await repository.unloadAll();
  });
});
