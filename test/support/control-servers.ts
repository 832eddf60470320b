/**
 * For the repository-extension tests: a temporary model repository built from the test-model helpers, and nereid's
 * HTTP and gRPC endpoints over one ModelRepository in a chosen --model-control-mode. Everything started here is
 * closed after the test file.
 */
import { after } from 'node:test';
import { addModel, corruptModelBytes, writeModelDir } from '../../scripts/onnx/test-models.ts';
import { StatisticsStore } from '../../src/observe/statistics.ts';
import { ModelRepository, type ModelControlMode } from '../../src/repository/model-repository.ts';
import { GrpcEndpoint } from '../../src/transport/grpc/grpc-endpoint.ts';
import { HttpEndpoint } from '../../src/transport/http/http-endpoint.ts';
import { testDataPlane } from './data-plane.ts';
import { tempDir } from './temp-dir.ts';

/**
 * `alpha` and `beta`: OUTPUT0 = INPUT0 + INPUT1 (FP32 [-1, 4], no config.pbtxt, so auto-complete makes
 * max_batch_size 4); `broken`: a version file that is not ONNX. Returns the repository directory.
 */
export function controlTestRepository(): string {
  const repo = tempDir('nereid-control-');
  writeModelDir(repo, 'alpha', addModel());
  writeModelDir(repo, 'beta', addModel());
  writeModelDir(repo, 'broken', corruptModelBytes());
  return repo;
}

export interface ControlServers {
  readonly repository: ModelRepository;
  readonly http: HttpEndpoint;
  readonly grpc: GrpcEndpoint;
  /** `http://127.0.0.1:<port>` */
  readonly httpUrl: string;
  /** `127.0.0.1:<port>` of the HTTP endpoint (the form tritonclient.http takes). */
  readonly httpHostPort: string;
  /** `127.0.0.1:<port>` of the gRPC endpoint. */
  readonly grpcHostPort: string;
}

const statistics = new StatisticsStore();
const started: ControlServers[] = [];
after(async () => {
  for (const servers of started) {
    await Promise.all([servers.http.close(), servers.grpc.close()]);
    await servers.repository.unloadAll();
  }
  statistics.close();
});

/** Loads `repositories` in `controlMode` (explicit: only `startupModels`) and serves them over HTTP and gRPC. */
export async function startControlServers(options: {
  repositories: string[];
  controlMode: ModelControlMode;
  startupModels?: string[];
  maxInputSize?: number;
}): Promise<ControlServers> {
  const repository = new ModelRepository({
    repositories: options.repositories,
    pipeline: { autoComplete: true, defaultMaxBatchSize: 4, devices: { gpus: [] } },
    controlMode: options.controlMode,
    startupModels: options.startupModels ?? [],
  });
  await repository.loadAll();
  const deps = { dataPlane: testDataPlane(repository, statistics) };
  const http = await HttpEndpoint.start(deps, {
    port: 0,
    address: '127.0.0.1',
    maxInputSize: options.maxInputSize ?? 64 * 1024 * 1024,
  });
  const grpc = await GrpcEndpoint.start(deps, { port: 0, address: '127.0.0.1' });
  const servers: ControlServers = {
    repository,
    http,
    grpc,
    httpUrl: `http://127.0.0.1:${http.port}`,
    httpHostPort: `127.0.0.1:${http.port}`,
    grpcHostPort: `127.0.0.1:${grpc.port}`,
  };
  started.push(servers);
  return servers;
}
