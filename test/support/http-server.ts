/**
 * Starts nereid's HTTP endpoint on 127.0.0.1 port 0 over a model repository (the shipped one by default), for tests.
 * Everything started here is closed after the test file.
 */
import { fileURLToPath } from 'node:url';
import { after } from 'node:test';
import { StatisticsStore } from '../../src/observe/statistics.ts';
import { HttpEndpoint } from '../../src/transport/http/http-endpoint.ts';
import { ModelRepository } from '../../src/repository/model-repository.ts';
import { testDataPlane } from './data-plane.ts';

/** Statistics for every server this file starts (each version keeps its own counters). */
const statistics = new StatisticsStore();
after(() => statistics.close());

export const SHIPPED_REPOSITORY = fileURLToPath(new URL('../../model_repository', import.meta.url));

export interface TestServer {
  readonly endpoint: HttpEndpoint;
  readonly repository: ModelRepository;
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** `127.0.0.1:<port>` (the form tritonclient takes) */
  readonly hostPort: string;
}

const started: TestServer[] = [];
after(async () => {
  for (const server of started) {
    await server.endpoint.close();
    await server.repository.unloadAll();
  }
});

export async function startTestServer(
  options: { repositories?: string[]; maxInputSize?: number; strictReadiness?: boolean } = {},
): Promise<TestServer> {
  const repository = new ModelRepository({
    repositories: options.repositories ?? [SHIPPED_REPOSITORY],
    pipeline: { autoComplete: true, defaultMaxBatchSize: 4, devices: { gpus: [] } },
  });
  await repository.loadAll();
  const endpoint = await HttpEndpoint.start(
    { dataPlane: testDataPlane(repository, statistics, { strictReadiness: options.strictReadiness ?? true }) },
    { port: 0, address: '127.0.0.1', maxInputSize: options.maxInputSize ?? 64 * 1024 * 1024 },
  );
  const server = { endpoint, repository, url: `http://127.0.0.1:${endpoint.port}`, hostPort: `127.0.0.1:${endpoint.port}` };
  started.push(server);
  return server;
}
