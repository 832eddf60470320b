/**
 * What this host offers for model instances: the GPUs the process can see and which GPU execution providers the
 * installed onnxruntime-node carries. Read once at start-up.
 */
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

export type GpuProvider = 'cuda' | 'tensorrt';

const PROVIDER_LIBRARY: Readonly<Record<GpuProvider, string>> = {
  cuda: 'libonnxruntime_providers_cuda.so',
  tensorrt: 'libonnxruntime_providers_tensorrt.so',
};

/** Directory holding onnxruntime-node's native binding and, when installed, its provider libraries. */
function ortBinaryDir(): string {
  const require = createRequire(import.meta.url);
  const root = path.dirname(require.resolve('onnxruntime-node/package.json'));
  return path.join(root, 'bin', 'napi-v6', process.platform, process.arch);
}

/**
 * GPU ordinals as the process sees them (after CUDA_VISIBLE_DEVICES), from the NVIDIA driver's /proc entries.
 * Empty where there is no NVIDIA driver.
 */
export function detectGpus(): number[] {
  let count: number;
  try {
    count = readdirSync('/proc/driver/nvidia/gpus').length;
  } catch {
    return [];
  }
  const visible = process.env.CUDA_VISIBLE_DEVICES;
  if (visible !== undefined) count = Math.min(count, visible.trim() === '' ? 0 : visible.split(',').length);
  return Array.from({ length: count }, (_, i) => i);
}

export function providerInstalled(provider: GpuProvider): boolean {
  return existsSync(path.join(ortBinaryDir(), PROVIDER_LIBRARY[provider]));
}

/** Why a GPU provider cannot be used, with the way to install it; undefined when it is installed. */
export function missingProviderReason(provider: GpuProvider): string | undefined {
  if (providerInstalled(provider)) return undefined;
  const name = provider === 'cuda' ? 'CUDA' : 'TensorRT';
  return (
    `the ${name} execution provider is not installed: ${PROVIDER_LIBRARY[provider]} is missing from ${ortBinaryDir()}; ` +
    `install it on a host with CUDA 12 and cuDNN 9 with ` +
    `'node node_modules/onnxruntime-node/script/install.js --onnxruntime-node-install=cuda12'` +
    (provider === 'tensorrt' ? ' and make the TensorRT libraries visible to the loader' : '')
  );
}

/** The host's facts for config normalization and instance placement. */
export interface HostDevices {
  readonly gpus: readonly number[];
  /** False when the CUDA provider is missing: KIND_AUTO then means CPU. */
  readonly gpuProviderAvailable: boolean;
}

export function detectHostDevices(): HostDevices {
  return { gpus: detectGpus(), gpuProviderAvailable: providerInstalled('cuda') };
}

/**
 * What start-up logs about execution providers: the CPU provider (always there), each GPU provider with the reason it
 * cannot be used, and the GPUs the process sees. KIND_GPU instances need CUDA (and TensorRT when configured).
 */
export function describeExecutionProviders(): string {
  const gpus = detectGpus();
  const provider = (name: GpuProvider, label: string): string =>
    providerInstalled(name) ? `${label}: installed` : `${label}: not installed (${PROVIDER_LIBRARY[name]} missing)`;
  return [
    'CPU: bundled',
    provider('cuda', 'CUDA'),
    provider('tensorrt', 'TensorRT'),
    `GPUs visible: ${gpus.length === 0 ? 'none' : gpus.join(', ')}`,
  ].join('; ');
}
