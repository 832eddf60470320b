/**
 * Server metadata (`GET /v2`, gRPC ServerMetadata): Triton's name (the --id flag, "triton" by default), our version,
 * and the protocol extensions actually implemented, in Triton's order.
 */
import { readFileSync } from 'node:fs';

const PACKAGE = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

/** Extensions implemented so far, in the order Triton lists them. */
export const EXTENSIONS: readonly string[] = ['classification', 'sequence', 'model_repository', 'model_repository(unload_dependents)', 'schedule_policy', 'model_configuration', 'system_shared_memory', 'cuda_shared_memory', 'binary_tensor_data', 'parameters', 'statistics', 'trace', 'logging'];

export interface ServerMetadata {
  readonly name: string;
  readonly version: string;
  readonly extensions: readonly string[];
}

export function serverMetadata(serverId: string): ServerMetadata {
  return { name: serverId, version: PACKAGE.version, extensions: EXTENSIONS };
}
