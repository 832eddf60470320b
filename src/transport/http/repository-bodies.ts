/**
 * The request bodies of the repository extension's HTTP routes, read the way Triton's HTTP frontend reads them
 * (http_server.cc HandleRepositoryIndex / HandleRepositoryControl):
 * - an empty body means the defaults; anything else must parse as JSON (`failed to parse the request JSON buffer: ...`);
 * - a root that is not an object, or one without the member, also means the defaults (TritonJson `Find`);
 * - TritonJson's accessor errors come back verbatim, with its code INTERNAL (HTTP 500).
 *
 * Triton behaviours kept on purpose:
 * - load: every `parameters` value must be a string, checked before its name; `config` is the config JSON text,
 *   `file:<path>` base64 bytes, and any other name is `unexpected error on creating Triton parameter` (INTERNAL).
 * - unload: Triton parses the body but then overwrites the parse error with the unload's own result, so a malformed
 *   body or a non-bool `unload_dependents` is ignored and the model is unloaded without its dependents.
 */
import type { LoadOverrides } from '../../core/model-control.ts';
import { internal, invalidArg } from '../../protocol/errors.ts';
import { hasMember, isJsonObject, NOT_OBJECT_MEMBERS, NOT_STRING } from './json-fields.ts';
import { parseRequestJson } from './request-json.ts';

/** The parsed body, or undefined for an empty one. Throws Triton's parse error (INTERNAL) for anything else. */
export function parseJsonBody(body: Buffer): unknown {
  return body.length === 0 ? undefined : parseRequestJson(body).root;
}

/**
 * `{"ready": bool}` of the index request (false when absent). Anything else is refused as Triton's newer frontend
 * does (400; 2.51 answered TritonJson's 500 `attempt to access JSON non-boolean as boolean`).
 */
export function indexReadyFlag(root: unknown): boolean {
  if (!hasMember(root, 'ready')) return false;
  const ready = root.ready;
  if (typeof ready !== 'boolean') throw invalidArg("Invalid value for 'ready': expected a boolean");
  return ready;
}

const FILE_PREFIX = 'file:';

/**
 * The `parameters` of a load request as ModelControl overrides: `config` text and `file:<version>/<path>` bytes keyed
 * by `<version>/<path>` (the prefix dropped). Undefined when the request carries neither.
 */
export function loadOverrides(root: unknown): LoadOverrides | undefined {
  if (!hasMember(root, 'parameters')) return undefined;
  const parameters = root.parameters;
  if (!isJsonObject(parameters)) throw internal(NOT_OBJECT_MEMBERS);
  let config: string | undefined;
  const files = new Map<string, Uint8Array>();
  for (const [name, value] of Object.entries(parameters)) {
    if (typeof value !== 'string') throw internal(NOT_STRING);
    if (name === 'config') config = value;
    else if (name.startsWith(FILE_PREFIX)) files.set(name.slice(FILE_PREFIX.length), Buffer.from(value, 'base64'));
    else throw internal('unexpected error on creating Triton parameter');
  }
  if (config === undefined && files.size === 0) return undefined;
  return { ...(config === undefined ? {} : { config }), ...(files.size === 0 ? {} : { files }) };
}

/** `{"parameters":{"unload_dependents": bool}}` of an unload body; every parse failure reads as false (see above). */
export function unloadDependentsFlag(body: Buffer): boolean {
  let root: unknown;
  try {
    root = parseJsonBody(body);
  } catch {
    return false;
  }
  if (!hasMember(root, 'parameters')) return false;
  const parameters = root.parameters;
  return hasMember(parameters, 'unload_dependents') && parameters.unload_dependents === true;
}
