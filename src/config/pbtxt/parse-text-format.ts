/**
 * Public entry points of the protobuf text-format parser: a generic one for any protobufjs message type, and the
 * config.pbtxt one that yields the plain ModelConfig form (model-config.ts).
 */
import type protobuf from 'protobufjs';

import { configObjectFromMessage, ModelConfigType } from '../model-config-schema.ts';
import type { ModelConfig } from '../model-config.ts';
import { parseTextFormatObject } from './parser.ts';

export { TextFormatError } from './text-format-error.ts';

/**
 * Parses text-format `text` as message `type`; returns a plain object for `type.fromObject` (enums as names, 64-bit
 * integers as numbers or, beyond 2^53, decimal strings, bytes as Uint8Array, maps as objects). `file` names the
 * source in errors. Throws TextFormatError.
 */
export function parseTextFormat(type: protobuf.Type, text: string, file: string): Record<string, unknown> {
  return parseTextFormatObject(type, text, file);
}

/** config.pbtxt text → the plain ModelConfig form (src/config/model-config.ts). Throws TextFormatError. */
export function parseModelConfigText(text: string, file: string): ModelConfig {
  const message = ModelConfigType.fromObject(parseTextFormat(ModelConfigType, text, file));
  return configObjectFromMessage(message) as unknown as ModelConfig;
}
