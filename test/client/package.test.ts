/**
 * nereid-client as a user gets it: `npm pack` of the workspace (its prepack builds dist/ with declarations), installed
 * into an empty project; there the quick start of packages/client/README.md runs against a nereid process on the
 * shipped repository and prints what the README shows, and a TypeScript file using every entry point type-checks
 * against the installed declarations alone.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startNereid, type RunningServer } from '../differential/servers.ts';
import { ROOT, runProcess } from '../python/venv-python.ts';
import { SHIPPED_REPOSITORY } from '../support/http-server.ts';
import { tempDir } from '../support/temp-dir.ts';

const NPM_OPTIONS = ['--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'];

/** The README's first ```js block and the ```text block after it. */
function quickStart(): { code: string; expected: string } {
  const text = readFileSync(path.join(ROOT, 'packages/client/README.md'), 'utf8');
  const start = text.indexOf('\n## Quick start\n');
  assert.ok(start >= 0, 'packages/client/README.md has a Quick start');
  const match = /\n```js\n([\s\S]*?)\n```\n\n```text\n([\s\S]*?)\n```\n/.exec(text.slice(start));
  assert.ok(match !== null, 'the Quick start has a ```js block followed by a ```text block');
  return { code: match[1]!, expected: match[2]! };
}

describe('nereid-client from npm pack', () => {
  let project: string;
  let tarball: string;
  let server: RunningServer;

  before(async () => {
    const packDir = tempDir('nereid-client-pack-');
    const packed = await runProcess('npm', ['pack', '--workspace', 'packages/client', '--pack-destination', packDir, '--json', ...NPM_OPTIONS], { cwd: ROOT, timeoutMs: 180_000 });
    assert.equal(packed.code, 0, packed.output);
    const [info] = JSON.parse(packed.stdout.slice(packed.stdout.indexOf('['))) as { filename: string; files: { path: string }[] }[];
    tarball = path.join(packDir, info!.filename);
    const files = info!.files.map((f) => f.path);
    for (const file of ['dist/index.js', 'dist/index.d.ts', 'dist/grpc/index.js', 'dist/grpc/index.d.ts', 'dist/shared-memory.d.ts', 'protos/grpc_service.proto', 'protos/model_config.proto', 'README.md']) {
      assert.ok(files.includes(file), `the tarball holds ${file} (it has ${files.join(', ')})`);
    }
    assert.ok(!files.some((f) => f.startsWith('src/') || f.endsWith('.tsbuildinfo')), 'no sources or build state in the tarball');
    project = tempDir('nereid-client-user-');
    writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'user-project', private: true, type: 'module' }));
    const installed = await runProcess('npm', ['install', tarball, ...NPM_OPTIONS], { cwd: project, timeoutMs: 300_000 });
    assert.equal(installed.code, 0, installed.output);
    server = await startNereid(SHIPPED_REPOSITORY);
  });

  after(async () => {
    await server?.stop();
  });

  it('runs the README quick start (five lines) and prints what the README shows', async () => {
    const { code, expected } = quickStart();
    assert.equal(code.split('\n').length, 5, 'five lines');
    const file = path.join(project, 'quick-start.mjs');
    writeFileSync(file, code.replace('localhost:8000', server.http) + '\n');
    const result = await runProcess(process.execPath, [file], { cwd: project, timeoutMs: 60_000 });
    assert.equal(result.code, 0, result.output);
    assert.equal(result.stdout.trimEnd(), expected);
  });

  it('type-checks a TypeScript user of every entry point against the installed declarations', async () => {
    writeFileSync(path.join(project, 'use.ts'), [
      "import { HttpClient, InferenceServerError, toFloat16, type InferenceClient, type InferResult } from 'nereid-client';",
      "import { GrpcClient } from 'nereid-client/grpc';",
      "import { SharedMemoryRegion } from 'nereid-client/shared-memory';",
      "const clients: InferenceClient[] = [new HttpClient({ url: 'localhost:8000' }), new GrpcClient({ url: 'localhost:8001' })];",
      'export async function run(): Promise<number> {',
      "  const result: InferResult = await clients[0]!.infer('m', [{ name: 'x', datatype: 'FP16', shape: [1], data: toFloat16([1]) }]);",
      "  const values: Float32Array = result.output('y').asFloat32();",
      "  const region = SharedMemoryRegion.create('/r', 8);",
      '  region.destroy();',
      '  return values.length + (new InferenceServerError("e", 400).status ?? 0);',
      '}',
    ].join('\n'));
    writeFileSync(path.join(project, 'tsconfig.json'), JSON.stringify({
      compilerOptions: {
        target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true,
        types: ['node'], typeRoots: [path.join(ROOT, 'node_modules/@types')],
      },
      files: ['use.ts'],
    }));
    const checked = await runProcess(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', project], { cwd: project, timeoutMs: 120_000 });
    assert.equal(checked.code, 0, checked.output);
  });
});
