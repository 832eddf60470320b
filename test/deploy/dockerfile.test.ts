/**
 * Dockerfile and Dockerfile.gpu, checked offline (no Docker engine): a line-based parse into stages and instructions,
 * then the conventions both images share (non-root user, ports, health probe, entrypoint flags nereid's own option
 * parser accepts), the compiled build (src/ compiled in the build stage, only dist/ and the runtime dependencies in the
 * image) and what each installs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { parseOptions } from '../../src/options/parse-options.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

interface Instruction {
  readonly keyword: string;
  readonly args: string;
}
interface Stage {
  readonly image: string;
  readonly name: string | undefined;
  readonly instructions: Instruction[];
}

/** Splits a Dockerfile into stages: comments and blank lines dropped, `\` continuations joined. */
function parseDockerfile(text: string): Stage[] {
  const stages: Stage[] = [];
  let pending = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('#') || (line === '' && pending === '')) continue;
    if (line.endsWith('\\')) {
      pending += line.slice(0, -1) + ' ';
      continue;
    }
    const full = (pending + line).trim();
    pending = '';
    if (full === '') continue;
    const [, keyword, args] = /^(\S+)\s*(.*)$/.exec(full)!;
    const instruction = { keyword: keyword!.toUpperCase(), args: args!.replace(/\s+/g, ' ') };
    if (instruction.keyword === 'FROM') {
      const m = /^(?:--\S+\s+)*(\S+)(?:\s+AS\s+(\S+))?$/i.exec(instruction.args)!;
      stages.push({ image: m[1]!, name: m[2], instructions: [] });
    } else {
      assert.ok(stages.length > 0, `${instruction.keyword} before FROM`);
      stages.at(-1)!.instructions.push(instruction);
    }
  }
  assert.equal(pending, '', 'no dangling continuation');
  return stages;
}

function load(file: string): Stage[] {
  return parseDockerfile(readFileSync(join(ROOT, file), 'utf8'));
}

const all = (stage: Stage, keyword: string): string[] =>
  stage.instructions.filter((i) => i.keyword === keyword).map((i) => i.args);
const last = (stage: Stage, keyword: string): string | undefined => all(stage, keyword).at(-1);

/** The exec-form (JSON array) argument of an instruction; shell form would drop `docker run` arguments. */
function execForm(args: string | undefined): string[] {
  assert.ok(args !== undefined);
  const parsed: unknown = JSON.parse(args);
  assert.ok(Array.isArray(parsed) && parsed.every((a) => typeof a === 'string'), `exec form: ${args}`);
  return parsed as string[];
}

/** Files the `.dockerignore` leaves out of the build context (top-level patterns only, which is all it uses). */
function ignored(): string[] {
  return readFileSync(join(ROOT, '.dockerignore'), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
}

/** What both images share: runtime stage conventions. */
function checkRuntime(file: string, stages: Stage[]): void {
  const runtime = stages.at(-1)!;
  const user = last(runtime, 'USER');
  assert.ok(user !== undefined, `${file}: USER in the runtime stage`);
  assert.doesNotMatch(user, /^(root|0)(:|$)/, `${file}: non-root user`);

  assert.deepEqual(all(runtime, 'EXPOSE').join(' ').split(' ').sort(), ['8000', '8001', '8002']);

  const health = last(runtime, 'HEALTHCHECK');
  assert.ok(health !== undefined, `${file}: HEALTHCHECK`);
  const probe = execForm(/\bCMD\s+(\[.*\])$/.exec(health)?.[1]);
  assert.equal(probe[0], 'node', 'the probe uses node, not curl');
  const env = all(runtime, 'ENV').join(' ');
  const url = /NEREID_HEALTH_URL=(\S+)/.exec(env)?.[1];
  assert.ok(probe.join(' ').includes('process.env.NEREID_HEALTH_URL') && url !== undefined);
  assert.equal(new URL(url).pathname, '/v2/health/ready');
  assert.equal(new URL(url).port, '8000');

  const entrypoint = execForm(last(runtime, 'ENTRYPOINT'));
  assert.deepEqual(entrypoint.slice(0, 2), ['node', 'dist/main.js'], 'the compiled entry, no loader');
  assert.ok(entrypoint.includes('--model-repository=/models'));
  assert.deepEqual(execForm(last(runtime, 'CMD')), [], 'CMD is an empty exec array: docker run args are appended');
  // nereid's own parser accepts the entrypoint's flags plus passed-through ones.
  const options = parseOptions([...entrypoint.slice(2), '--log-verbose=1', '--http-port=8000']);
  assert.deepEqual(options.modelRepositories, ['/models']);
  assert.equal(options.logVerbose, 1);

  const workdir = last(runtime, 'WORKDIR');
  assert.equal(workdir, '/app');
  const copies = all(runtime, 'COPY');
  const fromBuild = copies.filter((c) => c.startsWith('--from='));
  assert.ok(fromBuild.some((c) => /\/app\/node_modules \.\/node_modules$/.test(c)), 'node_modules from the build stage');
  assert.ok(fromBuild.some((c) => /\/app\/dist \.\/dist$/.test(c)), 'dist/ from the build stage');
  const local = copies.filter((c) => !c.startsWith('--'));
  for (const needed of ['package.json', 'package-lock.json', 'protos']) {
    assert.ok(local.some((c) => c.split(' ').slice(0, -1).includes(needed)), `${file} copies ${needed}`);
    assert.ok(existsSync(join(ROOT, needed)), `${needed} exists`);
    assert.ok(!ignored().includes(needed), `.dockerignore keeps ${needed} in the context`);
  }
  assert.ok(!local.some((c) => c.split(' ').includes('src')), 'no TypeScript sources in the runtime stage');
  checkBuild(file, stages);
  assert.ok(all(runtime, 'RUN').some((r) => r.includes('mkdir -p /models')), '/models exists for the mount');

  // Every --from names an earlier stage.
  const names = stages.map((s) => s.name);
  for (const c of fromBuild) assert.ok(names.includes(/^--from=(\S+)/.exec(c)![1]), c);
}

/**
 * The stage the runtime copies dist/ from: installs everything (tsc is a dev dependency), copies the sources and
 * tsconfigs, builds, then prunes the dev dependencies (tsx, typescript) before node_modules is copied on.
 */
function checkBuild(file: string, stages: Stage[]): void {
  const from = /^--from=(\S+) \/app\/dist /.exec(all(stages.at(-1)!, 'COPY').find((c) => / \/app\/dist /.test(c))!)![1];
  const build = stages.find((s) => s.name === from);
  assert.ok(build !== undefined, `${file}: the dist/ stage`);
  const copied = all(build, 'COPY').flatMap((c) => c.split(' ').slice(0, -1));
  for (const needed of ['src', 'tsconfig.json', 'tsconfig.build.json']) {
    assert.ok(copied.includes(needed), `${file}: the build stage copies ${needed}`);
    assert.ok(existsSync(join(ROOT, needed)) && !ignored().includes(needed), `${needed} is in the build context`);
  }
  const runs = all(build, 'RUN').join(' && ');
  const ci = runs.search(/\bnpm ci\b/);
  const compile = runs.indexOf('npm run build');
  const prune = runs.indexOf('npm prune --omit=dev');
  assert.ok(ci >= 0 && compile > ci && prune > compile, `${file}: npm ci, npm run build, npm prune --omit=dev`);
  assert.ok(!/\bnpm ci\b[^&]*--omit=dev/.test(runs), `${file}: the build installs tsc (a dev dependency)`);

  // `npm run build` is tsc on tsconfig.build.json, compiling src/ into dist/: dist/main.js is src/main.ts compiled.
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string>; dependencies: Record<string, string> };
  assert.equal(pkg.scripts.build, 'tsc -p tsconfig.build.json');
  const tsconfig = JSON.parse(readFileSync(join(ROOT, 'tsconfig.build.json'), 'utf8')) as { compilerOptions: Record<string, unknown> };
  assert.equal(tsconfig.compilerOptions.rootDir, 'src');
  assert.equal(tsconfig.compilerOptions.outDir, 'dist');
  assert.ok(existsSync(join(ROOT, 'src/main.ts')));
  for (const dev of ['tsx', 'typescript']) assert.ok(!(dev in pkg.dependencies), `${dev} is not a runtime dependency`);
}

test('the parser joins continuations and splits stages', () => {
  const stages = parseDockerfile('# c\nFROM a AS b\nRUN x \\\n  && y\n\nFROM c\nUSER n\n');
  assert.deepEqual(stages, [
    { image: 'a', name: 'b', instructions: [{ keyword: 'RUN', args: 'x && y' }] },
    { image: 'c', name: undefined, instructions: [{ keyword: 'USER', args: 'n' }] },
  ]);
});

test('Dockerfile: node:20-bookworm-slim build stage with npm ci, and the runtime conventions', () => {
  const stages = load('Dockerfile');
  assert.equal(stages.length, 2);
  const [build, runtime] = stages as [Stage, Stage];
  assert.equal(build.image, 'node:20-bookworm-slim');
  assert.equal(build.name, 'build');
  assert.equal(runtime.image, 'node:20-bookworm-slim');
  const runs = all(build, 'RUN');
  assert.ok(runs.some((r) => /\bnpm ci\b/.test(r)), 'npm ci');
  // The CPU image must not fetch ORT's CUDA providers: scripts are skipped and no install=cuda12 runs.
  assert.ok(runs.every((r) => !/\bnpm ci\b/.test(r) || r.includes('--ignore-scripts')));
  assert.ok(runs.every((r) => !r.includes('cuda12')));
  assert.ok(all(build, 'COPY').some((c) => c.includes('package-lock.json')), 'installs from the lockfile');
  checkRuntime('Dockerfile', stages);
});

test('Dockerfile.gpu: CUDA 12 + cuDNN 9 runtime, npm ci then the cuda12 provider install', () => {
  const stages = load('Dockerfile.gpu');
  const runtime = stages.at(-1)!;
  assert.match(runtime.image, /^nvidia\/cuda:12\.\d+(\.\d+)?-cudnn-runtime-ubuntu\d+\.\d+$/);
  const runs = stages.flatMap((s) => all(s, 'RUN')).join(' && ');
  const ci = runs.search(/\bnpm ci\b/);
  const install = runs.indexOf('node node_modules/onnxruntime-node/script/install.js --onnxruntime-node-install=cuda12');
  assert.ok(ci >= 0 && install > ci, 'npm ci, then the cuda12 install script');
  assert.ok(existsSync(join(ROOT, 'node_modules/onnxruntime-node/script/install.js')), 'the script ORT ships');
  // Node 20 in the runtime stage, copied from the official image's build stage.
  const nodeFrom = stages.find((s) => s.name !== undefined && runtime.instructions.some(
    (i) => i.keyword === 'COPY' && i.args.startsWith(`--from=${s.name} /usr/local/bin/node `),
  ));
  assert.ok(nodeFrom, 'node copied into the runtime stage');
  assert.match(nodeFrom.image, /^node:20(-|$)/);
  // TensorRT's libraries are documented as a runtime requirement.
  assert.match(readFileSync(join(ROOT, 'Dockerfile.gpu'), 'utf8'), /TensorRT[\s\S]*libnvinfer/);
  checkRuntime('Dockerfile.gpu', stages);
});

test('.dockerignore keeps host installs and the model repository out of the context', () => {
  for (const entry of ['node_modules', '.git', 'model_repository', 'dist']) assert.ok(ignored().includes(entry), entry);
});
