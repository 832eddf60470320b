/**
 * Regenerates every shipped .onnx file of model_repository/ byte for byte (fixed seeds, no timestamps). Writes only
 * the .onnx files, never config.pbtxt or README.md.
 *
 *   node --import tsx scripts/generate-models.ts [outDir]     (outDir defaults to ./model_repository)
 */
import { relative, resolve } from 'node:path';
import { writeShippedModels } from './onnx/shipped-models.ts';

const outDir = resolve(process.argv[2] ?? 'model_repository');
for (const { path, bytes } of writeShippedModels(outDir)) {
  console.log(`wrote ${relative(process.cwd(), path) || path} (${bytes} bytes)`);
}
