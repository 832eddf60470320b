/**
 * The shared-memory RPCs (SystemSharedMemory{Status,Register,Unregister} and their Cuda twins) through the data plane,
 * as tritonserver 2.51 answers them: an empty name asks for every region (status) or all of them (unregister); an
 * unknown region is NOT_FOUND; registering an existing name ALREADY_EXISTS; a key that cannot be opened INTERNAL.
 * Without a GPU, a CUDA region can never be registered (INVALID_ARG, as a CPU-only tritonserver answers).
 */
import type { DataPlane } from '../../core/data-plane.ts';
import { invalidArg } from '../../protocol/errors.ts';
import { unary } from './unary.ts';

interface Named {
  name: string;
}

interface SystemRegister extends Named {
  key: string;
  offset: string | number;
  byte_size: string | number;
}

export function sharedMemoryRpcs(plane: DataPlane) {
  return {
    SystemSharedMemoryStatus: unary((request: Named) => {
      const regions: Record<string, { name: string; key: string; offset: number; byte_size: number }> = {};
      for (const r of plane.systemSharedMemoryStatus(request.name)) {
        regions[r.name] = { name: r.name, key: r.key, offset: r.offset, byte_size: r.byteSize };
      }
      return { regions };
    }),
    SystemSharedMemoryRegister: unary((request: SystemRegister) => {
      plane.registerSystemSharedMemory(request.name, request.key, Number(request.offset), Number(request.byte_size));
      return {};
    }),
    SystemSharedMemoryUnregister: unary((request: Named) => {
      plane.unregisterSystemSharedMemory(request.name);
      return {};
    }),
    CudaSharedMemoryStatus: unary((request: Named) => {
      plane.cudaSharedMemoryStatus(request.name);
      return { regions: {} };
    }),
    CudaSharedMemoryRegister: unary(() => {
      throw invalidArg('failed to register shared memory region: invalid args');
    }),
    CudaSharedMemoryUnregister: unary(() => ({})),
  };
}
