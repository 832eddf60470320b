/**
 * RepositoryIndex, RepositoryModelLoad and RepositoryModelUnload. The index lists every model and version with its
 * state; load and unload are refused as Triton refuses them outside explicit model-control mode (the only mode so far).
 */
import type { ModelLookup } from '../../core/model-lookup.ts';
import { ServerError, unavailable } from '../../protocol/errors.ts';
import { unary } from './unary.ts';

interface IndexRequest {
  repository_name: string;
  ready: boolean;
}

interface LoadRequest {
  repository_name: string;
  model_name: string;
  parameters: Record<string, { parameter_choice?: string; bool_param?: boolean }>;
}

/** Triton's refusal of load/unload in none and poll modes. */
const NOT_ALLOWED = 'explicit model load / unload is not allowed if polling is enabled';

function checkRepositoryName(name: string): void {
  if (name !== '') throw new ServerError('UNSUPPORTED', "'repository_name' specification is not supported");
}

export function repositoryRpcs(lookup: ModelLookup) {
  return {
    RepositoryIndex: unary((request: IndexRequest) => {
      const rows = lookup.statuses().filter((row) => !request.ready || row.state === 'READY');
      return {
        models: rows.map((row) => ({
          name: row.name,
          version: row.version === undefined ? '' : String(row.version),
          state: row.state,
          reason: row.reason,
        })),
      };
    }),
    RepositoryModelLoad: unary((request: LoadRequest) => {
      checkRepositoryName(request.repository_name);
      throw unavailable(NOT_ALLOWED);
    }),
    RepositoryModelUnload: unary((request: LoadRequest) => {
      checkRepositoryName(request.repository_name);
      const dependents = request.parameters.unload_dependents;
      if (dependents !== undefined && dependents.parameter_choice !== 'bool_param') {
        throw new ServerError('INVALID_ARG', "invalid value type for 'unload_dependents' parameter, expected bool_param");
      }
      throw unavailable(NOT_ALLOWED);
    }),
  };
}
