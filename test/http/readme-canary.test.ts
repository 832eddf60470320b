/**
 * Runs the README's "A canary rollout with curl" as a user would: a nereid process in explicit mode on a copy of the
 * shipped repository (HTTP on localhost:8000 and metrics on localhost:8002 in the README, free ports here), each ```sh
 * block with bash in the directory holding the copy, its output compared with the ```text block after it. JSON counts
 * as JSON; the release status's times (`applied_at`, `at`) and measured latencies (`p99_ms`) are compared by type.
 */
import assert from 'node:assert/strict';
import { cpSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startProcess, type StartedProcess } from '../../bench/lib/servers.ts';
import { runProcess } from '../python/venv-python.ts';
import { SHIPPED_REPOSITORY } from '../support/http-server.ts';
import { examples, normalizeMetadata, readmeSection, segments } from '../support/readme-examples.ts';
import { tempDir } from '../support/temp-dir.ts';

const HEADING = '### A canary rollout with curl';

/** Times and latencies differ from run to run: only their presence and type are compared. */
function normalizeRelease(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(normalizeRelease);
  if (typeof value !== 'object' || value === null) return value;
  const entries = Object.entries(normalizeMetadata(value) as Record<string, unknown>).map(([key, v]) => {
    if ((key === 'applied_at' || key === 'at') && typeof v === 'string' && !Number.isNaN(Date.parse(v))) return [key, '<time>'];
    if (key === 'p99_ms' && typeof v === 'number') return [key, '<ms>'];
    return [key, normalizeRelease(v)];
  });
  return Object.fromEntries(entries);
}

describe(`README "${HEADING.slice(4)}"`, () => {
  const section = readmeSection(HEADING);
  const all = examples(section);
  let server: StartedProcess;
  let dir: string;
  let ports: { http: string; metrics: string };

  before(async () => {
    dir = tempDir('nereid-canary-');
    cpSync(SHIPPED_REPOSITORY, path.join(dir, 'model_repository'), { recursive: true });
    server = await startProcess(process.execPath, [
      '--import', 'tsx', 'src/main.ts', `--model-repository=${path.join(dir, 'model_repository')}`,
      '--model-control-mode=explicit', '--load-model=*', '--grpc-port=0', '--http-port=0', '--metrics-port=0',
      '--http-address=127.0.0.1', '--metrics-address=127.0.0.1',
    ], { ready: [/Started HTTPService at [^\s]*:(\d+)/, /Started Metrics Service at [^\s]*:(\d+)/], timeoutMs: 120_000 });
    ports = { http: server.matches[0]![1]!, metrics: server.matches[1]![1]! };
  });

  after(() => server?.stop());

  it('deploys, splits, reads back and promotes with the repository API', () => {
    const code = all.map((example) => example.code).join('\n');
    for (const needle of ['/load', '/release', 'nereid.routing.weights', 'nereid.guard.', ':8002/metrics']) {
      assert.ok(code.includes(needle), `the walk-through lacks ${needle}`);
    }
  });

  for (const example of all) {
    const title = example.code.split('\n').find((line) => line.trim() !== '')!.slice(0, 70);
    it(`${section.file}:${example.line} ${title}`, async () => {
      assert.equal(example.language, 'sh');
      const code = example.code.replaceAll('localhost:8000', `127.0.0.1:${ports.http}`).replaceAll('localhost:8002', `127.0.0.1:${ports.metrics}`);
      const result = await runProcess('bash', ['-e', '-o', 'pipefail', '-c', code], { cwd: dir, timeoutMs: 60_000 });
      assert.equal(result.code, 0, `the block failed (exit ${result.code}):\n${result.output}\n${server.output().slice(-2000)}`);
      assert.deepEqual(
        segments(result.stdout, normalizeRelease),
        segments(example.expected, normalizeRelease),
        `output of the block at ${section.file}:${example.line} differs from the README:\n${result.stdout}`,
      );
    });
  }
});
