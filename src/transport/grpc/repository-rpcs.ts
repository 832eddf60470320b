/**
 * RepositoryIndex, RepositoryModelLoad and RepositoryModelUnload over the data plane, with the checks of Triton's gRPC
 * frontend (grpc/grpc_server.cc): a non-empty repository_name is UNIMPLEMENTED for all three (unlike HTTP, where the
 * index ignores it); load takes `config` as string_param and `file:<version>/<path>` as bytes_param and refuses any
 * other name; unload takes `unload_dependents` as bool_param only. Refusals outside explicit mode come from the core.
 */
import type { DataPlane } from '../../core/data-plane.ts';
import type { IndexEntry, LoadOverrides } from '../../core/model-control.ts';
import { internal, invalidArg, unsupported } from '../../protocol/errors.ts';
import { unary } from './unary.ts';

interface IndexRequest {
  repository_name: string;
  ready: boolean;
}

/** ModelRepositoryParameter as proto-loader hands it over (oneofs: the member set is named by parameter_choice). */
interface RepositoryParameter {
  parameter_choice?: 'bool_param' | 'int64_param' | 'string_param' | 'bytes_param';
  bool_param?: boolean;
  string_param?: string;
  bytes_param?: Buffer;
}

interface ControlRequest {
  repository_name: string;
  model_name: string;
  parameters: Record<string, RepositoryParameter>;
}

const FILE_PREFIX = 'file:';

function checkNoRepository(name: string): void {
  if (name !== '') throw unsupported("'repository_name' specification is not supported");
}

/** ModelIndex: absent members as proto3 empty strings. */
function modelIndex(entry: IndexEntry) {
  return { name: entry.name, version: entry.version ?? '', state: entry.state ?? '', reason: entry.reason ?? '' };
}

/** The load parameters as ModelControl overrides, checked in request order as Triton checks them. */
function loadOverrides(parameters: Record<string, RepositoryParameter>): LoadOverrides | undefined {
  let config: string | undefined;
  const files = new Map<string, Uint8Array>();
  for (const [name, parameter] of Object.entries(parameters)) {
    if (name === 'config') {
      if (parameter.parameter_choice !== 'string_param') {
        throw invalidArg(`invalid value type for load parameter '${name}', expected string_param.`);
      }
      config = parameter.string_param ?? '';
    } else if (name.startsWith(FILE_PREFIX)) {
      if (parameter.parameter_choice !== 'bytes_param') {
        throw invalidArg(`invalid value type for load parameter '${name}', expected bytes_param.`);
      }
      if (parameter.bytes_param === undefined) throw internal('unexpected error on creating Triton parameter');
      files.set(name.slice(FILE_PREFIX.length), parameter.bytes_param);
    } else {
      throw invalidArg(`unrecognized load parameter '${name}'.`);
    }
  }
  if (config === undefined && files.size === 0) return undefined;
  return { ...(config === undefined ? {} : { config }), ...(files.size === 0 ? {} : { files }) };
}

function unloadDependents(parameters: Record<string, RepositoryParameter>): boolean {
  const parameter = parameters.unload_dependents;
  if (parameter === undefined) return false;
  if (parameter.parameter_choice !== 'bool_param') {
    throw invalidArg("invalid value type for 'unload_dependents' parameter, expected bool_param.");
  }
  return parameter.bool_param === true;
}

/** The three repository RPC handlers over `dataPlane`. */
export function repositoryRpcs(dataPlane: DataPlane) {
  return {
    RepositoryIndex: unary((request: IndexRequest) => {
      checkNoRepository(request.repository_name);
      return { models: dataPlane.repositoryIndex(request.ready).map(modelIndex) };
    }),
    RepositoryModelLoad: unary(async (request: ControlRequest) => {
      checkNoRepository(request.repository_name);
      await dataPlane.loadModel(request.model_name, loadOverrides(request.parameters));
      return {};
    }),
    RepositoryModelUnload: unary(async (request: ControlRequest) => {
      checkNoRepository(request.repository_name);
      await dataPlane.unloadModel(request.model_name, { unloadDependents: unloadDependents(request.parameters) });
      return {};
    }),
  };
}

/** nereid.GrayRelease/ModelRelease: a model's live gray release as JSON. */
export function releaseRpcs(dataPlane: DataPlane) {
  return {
    ModelRelease: unary<{ name: string }, { status_json: string }>((request) => ({ status_json: JSON.stringify(dataPlane.releaseStatus(request.name)) })),
  };
}
