/**
 * Model and repository lifecycle in explicit mode, with the model-repository APIs restricted (HTTP header
 * `admin-key: secret`, gRPC metadata `triton-grpc-protocol-admin-key: secret`), in the order sent: index, load,
 * unload, a config override, failures with their states and reasons, and the refusals without the key.
 * The repository: add_sub and identity_fp32 (twinned), multi_version (versions 1-3, policy specific [1, 3]) and
 * broken_config (a config.pbtxt that does not parse, served as it is to both).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { addModel, writeModelDir } from '../../scripts/onnx/test-models.ts';
import { addSubModel } from '../../scripts/onnx/shipped-models.ts';
import type { Case } from './corpus.ts';
import type { HttpCall } from './http-probe.ts';

export const RESTRICTED_FLAGS = [
  '--model-control-mode=explicit',
  '--load-model=add_sub',
  '--http-restricted-api=model-repository:admin-key=secret',
  '--grpc-restricted-protocol=model-repository:admin-key=secret',
];

const KEY = { 'admin-key': 'secret' };
const GRPC_KEY = { 'triton-grpc-protocol-admin-key': 'secret' };

export function writeLifecycleRepository(dir: string): void {
  const io = `max_batch_size: 8
input [ { name: "INPUT0" data_type: TYPE_FP32 dims: [ 16 ] }, { name: "INPUT1" data_type: TYPE_FP32 dims: [ 16 ] } ]
output [ { name: "OUTPUT0" data_type: TYPE_FP32 dims: [ 16 ] }, { name: "OUTPUT1" data_type: TYPE_FP32 dims: [ 16 ] } ]
instance_group [ { count: 1 kind: KIND_CPU } ]
`;
  writeModelDir(dir, 'add_sub', addSubModel(), { config: `name: "add_sub"\nplatform: "onnxruntime_onnx"\n${io}` });
  for (const version of [1, 2, 3]) {
    writeModelDir(dir, 'multi_version', addSubModel(), {
      version,
      config: `name: "multi_version"\nplatform: "onnxruntime_onnx"\nversion_policy: { specific: { versions: [ 1, 3 ] } }\n${io}`,
    });
  }
  writeModelDir(dir, 'identity_fp32', addModel({
    name: 'identity_fp32',
    inputs: [{ name: 'INPUT0', type: 'float', shape: ['batch', 'n'] }],
    outputs: [{ name: 'OUTPUT0', type: 'float', shape: ['batch', 'n'] }],
    mode: 'identity',
  }), {
    config: `name: "identity_fp32"\nbackend: "onnxruntime"\nmax_batch_size: 8
input [ { name: "INPUT0" data_type: TYPE_FP32 dims: [ -1 ] } ]
output [ { name: "OUTPUT0" data_type: TYPE_FP32 dims: [ -1 ] } ]
instance_group [ { count: 1 kind: KIND_CPU } ]
`,
  });
  mkdirSync(join(dir, 'broken_config', '1'), { recursive: true });
  writeFileSync(join(dir, 'broken_config', 'config.pbtxt'), 'name: "broken_config"\nmax_batch_size: [\n');
}

const post = (path: string, body: string, headers: Record<string, string> = KEY): HttpCall => ({ method: 'POST', path, body, headers });
const index = (id: string): Case => ({
  id,
  http: post('/v2/repository/index', ''),
  grpc: { rpc: 'RepositoryIndex', request: {}, metadata: GRPC_KEY },
});

export function lifecycleCases(): Case[] {
  const override = (platform: string): string => JSON.stringify({
    parameters: { config: JSON.stringify({ ...JSON.parse(platform), max_batch_size: 4, input: [{ name: 'INPUT0', data_type: 'TYPE_FP32', dims: [-1] }], output: [{ name: 'OUTPUT0', data_type: 'TYPE_FP32', dims: [-1] }], instance_group: [{ count: 1, kind: 'KIND_CPU' }] }) },
  });
  return [
    index('index at start'),
    { id: 'ready before load', http: { method: 'GET', path: '/v2/models/identity_fp32/ready' } },
    { id: 'load identity_fp32', http: post('/v2/repository/models/identity_fp32/load', '') },
    { id: 'ready after load', http: { method: 'GET', path: '/v2/models/identity_fp32/ready' }, grpc: { rpc: 'ModelReady', request: { name: 'identity_fp32' } } },
    { id: 'load multi_version', grpc: { rpc: 'RepositoryModelLoad', request: { model_name: 'multi_version' }, metadata: GRPC_KEY } },
    { id: 'multi_version metadata', http: { method: 'GET', path: '/v2/models/multi_version' } },
    { id: 'multi_version v2 ready', http: { method: 'GET', path: '/v2/models/multi_version/versions/2/ready' }, grpc: { rpc: 'ModelReady', request: { name: 'multi_version', version: '2' } } },
    { id: 'multi_version v3 ready', http: { method: 'GET', path: '/v2/models/multi_version/versions/3/ready' }, grpc: { rpc: 'ModelReady', request: { name: 'multi_version', version: '3' } } },
    { id: 'load unknown model', http: post('/v2/repository/models/nope/load', ''), grpc: { rpc: 'RepositoryModelLoad', request: { model_name: 'nope' }, metadata: GRPC_KEY } },
    { id: 'load broken_config', http: post('/v2/repository/models/broken_config/load', '') },
    index('index after loads'),
    { id: 'index ready only', http: post('/v2/repository/index', '{"ready":true}') },
    { id: 'unload identity_fp32', http: post('/v2/repository/models/identity_fp32/unload', '') },
    { id: 'unload unknown model', http: post('/v2/repository/models/nope/unload', ''), grpc: { rpc: 'RepositoryModelUnload', request: { model_name: 'nope' }, metadata: GRPC_KEY } },
    index('index after unload'),
    { id: 'infer unloaded model', http: { method: 'POST', path: '/v2/models/identity_fp32/infer', body: '{"inputs":[{"name":"INPUT0","datatype":"FP32","shape":[1,1],"data":[1]}]}' } },
    {
      id: 'load with config override',
      http: post('/v2/repository/models/identity_fp32/load', override('{"backend":"onnxruntime"}')),
      tritonHttp: post('/v2/repository/models/identity_fp32/load', override('{"backend":"python"}')),
    },
    { id: 'config after override', http: { method: 'GET', path: '/v2/models/identity_fp32/config' } },
    { id: 'load override bad JSON', http: post('/v2/repository/models/identity_fp32/load', '{"parameters":{"config":"{not json"}}') },
    { id: 'load parameters not object', http: post('/v2/repository/models/identity_fp32/load', '{"parameters":1}') },
    index('index at end'),
    // Without the key: refused before anything happens.
    { id: 'index without key', http: post('/v2/repository/index', '', {}), grpc: { rpc: 'RepositoryIndex', request: {} } },
    { id: 'load without key', http: post('/v2/repository/models/add_sub/load', '', {}), grpc: { rpc: 'RepositoryModelLoad', request: { model_name: 'add_sub' } } },
    { id: 'index wrong key', http: post('/v2/repository/index', '', { 'admin-key': 'wrong' }), grpc: { rpc: 'RepositoryIndex', request: {}, metadata: { 'triton-grpc-protocol-admin-key': 'wrong' } } },
    { id: 'unrestricted metadata still open', http: { method: 'GET', path: '/v2/models/add_sub' } },
  ];
}
