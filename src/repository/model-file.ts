/** Finds the ONNX file of a model version (default_model_filename; a directory named so holds model.onnx). */
import path from 'node:path';
import type { ModelConfig } from '../config/model-config.ts';
import { unavailable } from '../protocol/errors.ts';
import { isDirectory, isFile } from './fs-checks.ts';

export function resolveModelFile(modelDir: string, version: number, config: Readonly<ModelConfig>, instanceName: string): string {
  let file = path.join(modelDir, String(version), config.default_model_filename || 'model.onnx');
  if (isDirectory(file)) file = path.join(file, 'model.onnx');
  if (!isFile(file)) throw unavailable(`unable to find '${file}' for model instance '${instanceName}'`);
  return file;
}
