/** Builds a ModelRepository over test directories with the server's defaults, and unloads it after the test file. */
import { after } from 'node:test';
import { ModelRepository, type ModelStatus } from '../../src/repository/model-repository.ts';

const opened: ModelRepository[] = [];
after(async () => {
  await Promise.all(opened.map((r) => r.unloadAll()));
});

export async function loadRepository(
  repositories: string[],
  options: { autoComplete?: boolean; modelConfigName?: string } = {},
): Promise<ModelRepository> {
  const repository = new ModelRepository({
    repositories,
    pipeline: { autoComplete: options.autoComplete ?? true, defaultMaxBatchSize: 4, devices: { gpus: [] } },
    ...(options.modelConfigName === undefined ? {} : { modelConfigName: options.modelConfigName }),
  });
  opened.push(repository);
  await repository.loadAll();
  return repository;
}

/** The status rows of one model. */
export function statusesOf(repository: ModelRepository, name: string): ModelStatus[] {
  return repository.statuses().filter((s) => s.name === name);
}
