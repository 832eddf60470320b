/**
 * The installable package: `npm pack` (whose prepack and prepare scripts make a clean build of dist/) ships what the
 * runtime needs and nothing of the tests; the tarball installs into an empty folder, where `npx nereid --help` runs
 * the compiled command, `import('nereid')` reaches the public entry and a TypeScript consumer gets its types.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative, sep } from 'node:path';
import { tempDir } from '../support/temp-dir.ts';
import { ROOT } from './build.ts';

interface PackResult {
  readonly filename: string;
  readonly size: number;
  readonly unpackedSize: number;
  readonly files: readonly { readonly path: string }[];
}

/** npm or npx with the noise off; npm_config_* variables from an enclosing `npm test` would otherwise reach it. */
function npm(command: 'npm' | 'npx', args: string[], cwd: string): string {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.toLowerCase().startsWith('npm_')));
  return execFileSync(command, args, {
    cwd,
    env: { ...env, npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false' },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Host installs, VCS data and build outputs: what a clean checkout does not have. */
const NOT_CHECKED_OUT = new Set(['node_modules', '.git', '.venv', '.bench-venv', 'dist', 'tmp']);

/**
 * A copy of the working tree as a clean checkout would have it, sharing node_modules: `npm pack` there cleans and
 * rebuilds dist/ (prepack, prepare) without touching the working tree's dist/, which other tests run.
 */
function cleanCopy(): string {
  const copy = tempDir('nereid-tree-');
  cpSync(ROOT, copy, { recursive: true, filter: (source) => !NOT_CHECKED_OUT.has(relative(ROOT, source).split(sep)[0]!) });
  symlinkSync(join(ROOT, 'node_modules'), join(copy, 'node_modules'));
  return copy;
}

test('npm pack installs into an empty folder and npx nereid --help runs', { timeout: 600_000 }, () => {
  const packDir = tempDir('nereid-pack-');
  const [pack] = JSON.parse(npm('npm', ['pack', '--json', '--pack-destination', packDir], cleanCopy())) as PackResult[];
  assert.ok(pack !== undefined);
  const files = pack.files.map((f) => f.path);
  for (const needed of ['package.json', 'dist/main.js', 'dist/index.js', 'dist/index.d.ts', 'dist/instance/worker-entry.js',
    'protos/model_config.proto', 'protos/grpc_service.proto', 'protos/health.proto']) {
    assert.ok(files.includes(needed), `the package ships ${needed}`);
  }
  const unwanted = files.filter((f) => /^(src|test|bench|scripts|model_repository|deploy)\//.test(f) || f.endsWith('.tsbuildinfo'));
  assert.deepEqual(unwanted, [], 'no sources, tests or build state');

  const app = tempDir('nereid-install-');
  // --ignore-scripts: onnxruntime-node's install script downloads CUDA provider libraries from a feed this machine
  // cannot reach (and package.json's allowScripts, which turns it off here, applies to this project's own installs
  // only). The CPU provider ships inside the package, so nothing the command needs is skipped. --prefer-offline
  // takes the dependencies from npm's cache when they are there.
  npm('npm', ['install', '--ignore-scripts', '--prefer-offline', join(packDir, pack.filename)], app);

  // --no: never fetch a package of that name from the registry; `--`: --help is nereid's, not npx's.
  const help = npm('npx', ['--no', '--', 'nereid', '--help'], app);
  assert.match(help, /^Usage: nereid --model-repository=<path> \[options\]$/m);
  assert.match(help, /--model-repository=<string>/);

  const parsed = execFileSync(process.execPath, ['--input-type=module', '-e', `
    const nereid = await import('nereid');
    const options = nereid.parseOptions(['--model-repository=/models', '--http-port=9000']);
    console.log(JSON.stringify({ exports: Object.keys(nereid).sort(), repos: options.modelRepositories, port: options.httpPort }));
  `], { cwd: app, encoding: 'utf8' });
  assert.deepEqual(JSON.parse(parsed), {
    exports: ['OptionsError', 'ServerError', 'createApp', 'createServer', 'helpText', 'parseOptions', 'shutDown', 'startEndpoints'],
    repos: ['/models'],
    port: 9000,
  });

  // The types reach a TypeScript consumer through `exports` (dist/index.d.ts): a wrong use must be an error (were the
  // types missing, everything would be `any` and the @ts-expect-error itself would be the error).
  writeFileSync(join(app, 'consumer.ts'), [
    "import { parseOptions, type ServerOptions } from 'nereid';",
    "const options: ServerOptions = parseOptions(['--model-repository=/models']);",
    'const port: number = options.httpPort;',
    '// @ts-expect-error httpPort is a number',
    'const wrong: string = options.httpPort;',
    'console.log(port, wrong);',
  ].join('\n'));
  writeFileSync(join(app, 'tsconfig.json'), JSON.stringify({
    // skipLibCheck and no @types/node: the consumer only needs nereid's own declarations to resolve.
    compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext', strict: true, noEmit: true, skipLibCheck: true, types: [] },
    files: ['consumer.ts'],
  }));
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-p', app], { cwd: app, encoding: 'utf8' });
});
