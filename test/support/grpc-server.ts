/**
 * Starts nereid's gRPC endpoint on 127.0.0.1 port 0 over a model repository (the shipped one by default), for tests.
 * Everything started here is closed after the test file.
 */
import { fileURLToPath } from 'node:url';
import { after } from 'node:test';
import { StatisticsStore } from '../../src/observe/statistics.ts';
import { ModelRepository } from '../../src/repository/model-repository.ts';
import { GrpcEndpoint } from '../../src/transport/grpc/grpc-endpoint.ts';
import { testDataPlane } from './data-plane.ts';

/** Statistics for every server this file starts (each version keeps its own counters). */
const statistics = new StatisticsStore();
after(() => statistics.close());

const SHIPPED_REPOSITORY = fileURLToPath(new URL('../../model_repository', import.meta.url));

export interface GrpcTestServer {
  readonly endpoint: GrpcEndpoint;
  readonly repository: ModelRepository;
  /** `127.0.0.1:<port>` (the form tritonclient.grpc and grpc channels take) */
  readonly hostPort: string;
}

const started: GrpcTestServer[] = [];
after(async () => {
  for (const server of started) {
    await server.endpoint.close();
    await server.repository.unloadAll();
  }
});

/** Loads the repositories (the shipped one by default) and serves them over gRPC on a free loopback port. */
export async function startGrpcTestServer(options: { repositories?: string[] } = {}): Promise<GrpcTestServer> {
  const repository = new ModelRepository({
    repositories: options.repositories ?? [SHIPPED_REPOSITORY],
    pipeline: { autoComplete: true, defaultMaxBatchSize: 4, devices: { gpus: [] } },
  });
  await repository.loadAll();
  const endpoint = await GrpcEndpoint.start(
    { dataPlane: testDataPlane(repository, statistics) },
    { port: 0, address: '127.0.0.1' },
  );
  const server = { endpoint, repository, hostPort: `127.0.0.1:${endpoint.port}` };
  started.push(server);
  return server;
}
