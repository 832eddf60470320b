/**
 * Twin generator: from a nereid model repository, a Triton repository that tritonserver 2.51 (pytriton wheel, no ONNX
 * Runtime backend) serves "the same": every ONNX Runtime model becomes a Python-backend model whose model.py runs the
 * same .onnx file (twin-model-py.ts), with the same config text except:
 *   - `platform: "onnxruntime_onnx"` / `backend: "onnxruntime"` become `backend: "python"`;
 *   - `default_model_filename` is dropped (model.py is the Python backend's file; the twin's model.py names the ONNX);
 *   - no instance_group → an explicit group of 2 on CPU named after the model, what ORT's backend creates itself.
 * Every other field (batching, version policy, sequence batching, cache, warmup, labels, parameters) is kept as
 * written; files next to the config (labels, warmup data) and every version folder are linked. Ensembles and other
 * non-ORT models are linked unchanged; ensemble steps name the twins, which keep their names. The rewritten config is
 * parsed with nereid's own pbtxt parser and must equal the original but for those fields.
 * Models that cannot be expressed are returned in `skipped` with the reason, never silently dropped.
 */
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { isDeepStrictEqual } from 'node:util';

import { parseModelConfigText } from '../../src/config/pbtxt/parse-text-format.ts';
import { twinModelPy } from './twin-model-py.ts';

export interface TwinResult {
  /** Models written as Python-backend twins. */
  twinned: string[];
  /** Models linked unchanged (ensembles, Python models, ...). */
  copied: string[];
  /** Models left out, with the reason. */
  skipped: { model: string; reason: string }[];
}

const ORT_PLATFORM = /\bplatform\s*:?\s*"onnxruntime_onnx"/g;
const ORT_BACKEND = /\bbackend\s*:?\s*"onnxruntime"/g;
const DEFAULT_FILENAME = /\bdefault_model_filename\s*:?\s*"[^"]*"/g;

/** Writes the twin of `source` into `target` (created); `source` is left untouched. */
export function writeTwinRepository(source: string, target: string): TwinResult {
  const result: TwinResult = { twinned: [], copied: [], skipped: [] };
  mkdirSync(target, { recursive: true });
  for (const entry of readdirSync(source, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    if (!entry.isDirectory()) continue;
    const model = entry.name;
    const from = resolve(source, model);
    const outcome = twinModel(model, from, join(target, model));
    if (outcome === 'twinned') result.twinned.push(model);
    else if (outcome === 'copied') result.copied.push(model);
    else result.skipped.push({ model, reason: outcome.skipped });
  }
  return result;
}

type Outcome = 'twinned' | 'copied' | { skipped: string };

function twinModel(model: string, from: string, to: string): Outcome {
  const configPath = join(from, 'config.pbtxt');
  if (!existsSync(configPath)) {
    return { skipped: 'no config.pbtxt: the ONNX Runtime backend auto-completes it from the ONNX file, the Python backend cannot' };
  }
  const text = readFileSync(configPath, 'utf8');
  let original;
  try {
    original = parseModelConfigText(text, configPath);
  } catch {
    // A broken config is a legitimate case to compare (both servers must fail it the same way): link it as it is.
    linkTree(from, to);
    return 'copied';
  }
  const isOrt = original.platform === 'onnxruntime_onnx' || original.backend === 'onnxruntime';
  if (!isOrt) {
    linkTree(from, to);
    return 'copied';
  }
  if (original.input.length === 0 || original.output.length === 0) {
    return { skipped: 'config.pbtxt lists no inputs or outputs: it relies on ONNX Runtime auto-complete' };
  }
  const onnxFile = original.default_model_filename || 'model.onnx';
  let twinText = text.replace(ORT_PLATFORM, '').replace(ORT_BACKEND, '').replace(DEFAULT_FILENAME, '');
  twinText += '\nbackend: "python"\n';
  if (original.instance_group.length === 0) {
    twinText += `instance_group [ { name: ${JSON.stringify(model)} kind: KIND_CPU count: 2 } ]\n`;
  }
  const twin = parseModelConfigText(twinText, `${configPath} (twin)`);
  const comparable = (c: typeof original): unknown => ({ ...c, platform: '', backend: '', default_model_filename: '', instance_group: [] });
  if (twin.backend !== 'python' || twin.platform !== '' || !isDeepStrictEqual(comparable(twin), comparable(original))) {
    return { skipped: 'the platform/backend fields could not be rewritten textually without changing other fields' };
  }

  mkdirSync(to, { recursive: true });
  for (const entry of readdirSync(from, { withFileTypes: true })) {
    if (entry.name === 'config.pbtxt') continue;
    const path = join(from, entry.name);
    if (entry.isDirectory() && /^\d+$/.test(entry.name)) {
      // A version folder: its files linked, plus model.py when it holds the ONNX file.
      linkTree(path, join(to, entry.name));
      if (existsSync(join(path, onnxFile)) && statSync(join(path, onnxFile)).isFile()) {
        writeFileSync(join(to, entry.name, 'model.py'), twinModelPy(onnxFile));
      }
    } else {
      linkTree(path, join(to, entry.name));
    }
  }
  writeFileSync(join(to, 'config.pbtxt'), twinText);
  return 'twinned';
}

/** Mirrors a file or folder with symlinks to its files (folders are real, so a twin can add files to them). */
function linkTree(from: string, to: string): void {
  if (!statSync(from).isDirectory()) {
    symlinkSync(from, to);
    return;
  }
  mkdirSync(to, { recursive: true });
  for (const entry of readdirSync(from)) linkTree(join(from, entry), join(to, entry));
}

/** Copies instead of linking, for callers that will edit the twin (config overrides written into it). */
export function copyModel(from: string, to: string): void {
  cpSync(from, to, { recursive: true, dereference: true });
}
