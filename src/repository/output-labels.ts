/**
 * The class labels of a model's outputs: each output's `label_filename`, a file in the model directory read one label
 * per line (as Triton's LabelProvider reads it: split on '\n' only, a last line without '\n' kept, none after a final
 * '\n'). A missing file fails the load with Triton's text; a path leading out of the model directory is refused.
 */
import type { ModelConfig } from '../config/model-config.ts';
import { invalidArg } from '../protocol/errors.ts';
import { readModelDataFile } from './model-data-file.ts';

export function readOutputLabels(config: Readonly<ModelConfig>, modelDir: string): Map<string, readonly string[]> {
  const labels = new Map<string, readonly string[]>();
  for (const output of config.output) {
    if (output.label_filename === '') continue;
    const data = readModelDataFile(modelDir, '', output.label_filename, () =>
      invalidArg(`label file path '${output.label_filename}' for output '${output.name}' in model '${config.name}' is outside model directory`));
    const lines = new TextDecoder().decode(data).split('\n');
    if (lines[lines.length - 1] === '') lines.pop();
    labels.set(output.name, lines);
  }
  return labels;
}
