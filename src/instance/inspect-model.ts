/**
 * Reads a model's input/output metadata by opening it in a short-lived session on a worker of the pool (ONNX Runtime
 * never runs on the main thread). Used for auto-complete and the config-versus-model checks before any instance starts.
 */
import type { ModelMetadata } from '../config/model-metadata.ts';
import { internal } from '../protocol/errors.ts';
import type { InstancePool, Resident } from './instance-pool.ts';
import { OrtError } from './worker-client.ts';

const INSPECT_OPTIONS = { session: { graphOptimizationLevel: 'disabled', intraOpNumThreads: 1, interOpNumThreads: 1 } };

export async function inspectModel(pool: InstancePool, modelPath: string, label: string): Promise<ModelMetadata> {
  const visitor: Resident = { modelKey: `inspect ${label}`, workerAvailable: () => undefined, workerReplaced: () => undefined };
  const worker = pool.place(visitor, 'cpu');
  try {
    const { session, metadata } = await worker.client.load(modelPath, INSPECT_OPTIONS);
    await worker.client.unload(session);
    return metadata;
  } catch (error) {
    if (error instanceof OrtError) throw internal(`onnx runtime error: ${error.message}`);
    throw internal(`failed to inspect model ${label}: ${(error as Error).message}`);
  } finally {
    // Not awaited: the worker stays for the instances placed next, in this same turn.
    void pool.release(visitor);
  }
}
