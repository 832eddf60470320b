/**
 * Reads a model's input/output metadata by opening it in a short-lived worker (ONNX Runtime never runs on the main
 * thread). Used for auto-complete and the config-versus-model checks before any instance starts.
 */
import type { ModelMetadata } from '../config/model-metadata.ts';
import { internal } from '../protocol/errors.ts';
import { OrtError, WorkerClient } from './worker-client.ts';

export async function inspectModel(modelPath: string, label: string): Promise<ModelMetadata> {
  try {
    const { client, metadata } = await WorkerClient.start(`inspect ${label}`, modelPath, {
      session: { graphOptimizationLevel: 'disabled', intraOpNumThreads: 1, interOpNumThreads: 1 },
    });
    await client.terminate();
    return metadata;
  } catch (error) {
    if (error instanceof OrtError) throw internal(`onnx runtime error: ${error.message}`);
    throw internal(`failed to inspect model ${label}: ${(error as Error).message}`);
  }
}
