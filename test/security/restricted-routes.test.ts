import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { routeCategory } from '../../src/transport/http/restricted-routes.ts';
import { RPC_CATEGORY } from '../../src/transport/grpc/restricted-rpcs.ts';
import { inferenceServiceDefinition } from '../../src/transport/grpc/grpc-protos.ts';

describe("Triton's restricted-API categories", () => {
  it('HTTP: each route path belongs to the category of its handler in http_server.cc', () => {
    const table: [string, string | undefined][] = [
      ['/v2', 'metadata'],
      ['/v2/health/live', 'health'],
      ['/v2/health/ready', 'health'],
      ['/v2/models/m', 'metadata'],
      ['/v2/models/m/versions/3', 'metadata'],
      ['/v2/models/m/ready', 'health'],
      ['/v2/models/m/versions/3/ready', 'health'],
      ['/v2/models/m/infer', 'inference'],
      ['/v2/models/m/versions/3/infer', 'inference'],
      ['/v2/models/m/generate', 'inference'],
      ['/v2/models/m/generate_stream', 'inference'],
      ['/v2/models/m/config', 'model-config'],
      ['/v2/models/m/stats', 'statistics'],
      ['/v2/models/stats', 'statistics'],
      ['/v2/models/m/trace/setting', 'trace'],
      ['/v2/trace/setting', 'trace'],
      ['/v2/logging', 'logging'],
      ['/v2/systemsharedmemory/status', 'shared-memory'],
      ['/v2/cudasharedmemory/region/r/register', 'shared-memory'],
      ['/v2/systemsharedmemory/region/r/unregister', 'shared-memory'],
      ['/v2/repository/index', 'model-repository'],
      ['/v2/repository/r/index', 'model-repository'],
      ['/v2/repository/models/m/load', 'model-repository'],
      ['/v2/repository/models/m/unload', 'model-repository'],
      // No route in Triton: 404 whatever is restricted.
      ['/v2/models/m/versions/3/trace/setting', undefined],
      ['/v2/models/m/versions/x', undefined],
      ['/v2/repository/index/', undefined],
      ['/v2/health', undefined],
      ['/v2/', undefined],
      ['/metrics', undefined],
    ];
    for (const [path, category] of table) assert.equal(routeCategory(path), category, path);
  });

  it('gRPC: every RPC nereid serves has a category', () => {
    for (const rpc of Object.keys(inferenceServiceDefinition)) assert.ok(RPC_CATEGORY[rpc] !== undefined, rpc);
  });
});
