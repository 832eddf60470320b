/**
 * Reads a model's config from its directory: config.pbtxt (or configs/<name>.pbtxt with --model-config-name), parsed
 * from the text format, then given the server-side fill that Triton applies whatever the auto-complete setting.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { ModelConfig } from '../config/model-config.ts';
import { configObjectFromMessage, ModelConfigType } from '../config/model-config-schema.ts';
import { parseModelConfigText, TextFormatError } from '../config/pbtxt/parse-text-format.ts';
import { serverFill } from '../config/server-fill.ts';
import { modelConfigFromJson } from '../config/config-json.ts';
import { internal, invalidArg } from '../protocol/errors.ts';
import { log } from '../observe/log.ts';
import { firstSubdirHasModelOnnx } from './scanner.ts';

export interface ConfigReadOptions {
  readonly autoComplete: boolean;
  readonly modelConfigName?: string;
}

/** The config file a model uses, or undefined when it has none. */
export function configFilePath(modelDir: string, modelConfigName: string | undefined): string | undefined {
  if (modelConfigName !== undefined) {
    const custom = path.join(modelDir, 'configs', `${modelConfigName}.pbtxt`);
    if (existsSync(custom)) return custom;
  }
  const standard = path.join(modelDir, 'config.pbtxt');
  return existsSync(standard) ? standard : undefined;
}

/**
 * Parses and fills a model's config; every text-format failure is Triton's INTERNAL `failed to read text proto`.
 * `configJson` (the load API's `config` parameter) replaces the config file when given.
 */
export function readModelConfig(modelDir: string, dirName: string, options: ConfigReadOptions, configJson?: string): ModelConfig {
  const file = configFilePath(modelDir, options.modelConfigName);
  let config: ModelConfig;
  if (configJson !== undefined) {
    config = modelConfigFromJson(configJson);
  } else if (file === undefined) {
    if (!options.autoComplete) {
      throw invalidArg(
        `model '${dirName}' has no config.pbtxt, which is required when auto-complete is disabled (--disable-auto-complete-config or --strict-model-config=true)`,
      );
    }
    config = configObjectFromMessage(ModelConfigType.create()) as unknown as ModelConfig;
  } else {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      throw internal(`failed to read text proto from ${file}: ${(error as Error).message}`);
    }
    try {
      config = parseModelConfigText(text, file);
    } catch (error) {
      if (!(error instanceof TextFormatError)) throw error;
      log.error(error.message);
      throw internal(`failed to read text proto from ${file}: line ${error.line}, column ${error.column}: ${error.reason}`);
    }
  }
  return serverFill(config, { dirName, firstSubdirHasModelOnnx: firstSubdirHasModelOnnx(modelDir) });
}
