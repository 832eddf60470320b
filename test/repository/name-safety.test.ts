/**
 * Model names meet the filesystem (issue 11, item 1): the real command runs with TMPDIR pointing at a sandbox that
 * holds a canary file, and the load API's file overrides are sent with hostile names over HTTP and gRPC (failed
 * load, successful load, unload). `%2E` over HTTP is a model literally named `%2E` (Triton decodes nothing);
 * `.`, `..`, `/`, `\`, NUL and the empty name are INVALID_ARG before anything is written; the sandbox keeps its
 * canary and every override directory goes away. Over-long override paths give Triton's poll failure, no errno.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import { after, before, describe, it } from 'node:test';
import { addModel, writeModelDir } from '../../scripts/onnx/test-models.ts';
import { checkModelName } from '../../src/repository/model-name.ts';
import { removeOverrideDir, writeOverrideDir } from '../../src/repository/override-dir.ts';
import { scanRepositories } from '../../src/repository/scanner.ts';
import { inferenceServiceDefinition } from '../../src/transport/grpc/grpc-protos.ts';
import { tempDir } from '../support/temp-dir.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CANARY = 'canary: every other program keeps its temporary files';
const REPRODUCER = { config: '{bad', 'file:1/model.onnx': 'AA==' };
const UNSAFE = (name: string): string =>
  `invalid model name '${name.replaceAll('\0', '\\0')}': a model name must be a single path segment (not '.' or '..', and without '/', '\\' or NUL)`;
const POLL_FAILED = (name: string): string => `failed to load '${name}', failed to poll from model repository`;

function addConfig(name: string): string {
  const tensor = (n: string) => ({ name: n, data_type: 'TYPE_FP32', dims: [4] });
  return JSON.stringify({ name, backend: 'onnxruntime', max_batch_size: 4, input: [tensor('INPUT0'), tensor('INPUT1')], output: [tensor('OUTPUT0')] });
}

// ---- the server, its sandbox and clients ---------------------------------------------------------------------------

let sandbox: string;
let server: ChildProcess;
let exited: Promise<number | null>;
let httpPort: number;
let grpcClient: grpc.Client & Record<string, Function>;
/** The sandbox's entries once the server is up (tsx keeps its cache there too). */
let baseline: string[];

/** Resolves with the first match of each pattern in the child's output, as the lines arrive. */
function awaitOutput(child: ChildProcess, patterns: RegExp[]): Promise<RegExpExecArray[]> {
  return new Promise((resolve, reject) => {
    let output = '';
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      const matches = patterns.map((p) => p.exec(output));
      if (matches.every((m) => m !== null)) {
        child.stdout!.off('data', onData);
        child.stderr!.off('data', onData);
        resolve(matches as RegExpExecArray[]);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`server exited (${code}) before it started:\n${output}`)));
  });
}

before(async () => {
  sandbox = tempDir('nereid-sandbox-');
  writeFileSync(path.join(sandbox, 'canary'), CANARY);
  const repo = tempDir('nereid-names-');
  writeModelDir(repo, 'alpha', addModel());
  server = spawn(
    process.execPath,
    ['--import', 'tsx', 'src/main.ts', `--model-repository=${repo}`, '--model-control-mode=explicit', '--http-port=0', '--grpc-port=0', '--metrics-port=0'],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, TMPDIR: sandbox } },
  );
  exited = new Promise((resolve) => server.once('exit', (code) => resolve(code)));
  const [httpLine, grpcLine] = await awaitOutput(server, [/Started HTTPService at [^:]+:(\d+)/, /Started GRPCInferenceService at [^:]+:(\d+)/]);
  server.stdout!.resume();
  server.stderr!.resume();
  httpPort = Number(httpLine![1]);
  const Client = grpc.makeClientConstructor(inferenceServiceDefinition, 'GRPCInferenceService');
  grpcClient = new Client(`127.0.0.1:${grpcLine![1]}`, grpc.credentials.createInsecure()) as typeof grpcClient;
  baseline = readdirSync(sandbox).sort();
});

after(async () => {
  grpcClient?.close();
  if (server !== undefined && server.exitCode === null) server.kill('SIGTERM');
  await exited;
});

/**
 * The canary is intact, everything there at start-up still is, and no override directory is left. (ONNX Runtime's
 * sessions add files of their own to the temporary directory, so the listing is not compared whole.)
 */
function assertSandboxIntact(what: string): void {
  assert.equal(readFileSync(path.join(sandbox, 'canary'), 'utf8'), CANARY, what);
  const now = readdirSync(sandbox);
  assert.deepEqual(baseline.filter((name) => !now.includes(name)), [], what);
  assert.deepEqual(overrideRoots(), [], what);
}

function overrideRoots(): string[] {
  return readdirSync(sandbox).filter((name) => name.startsWith('nereid-override-'));
}

/** A request whose path goes out byte for byte (fetch would resolve `.`, `..` and `%2E` segments first). */
function rawPost(urlPath: string, body?: object): Promise<{ status: number; error?: string }> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? '' : JSON.stringify(body);
    const req = http.request({ host: '127.0.0.1', port: httpPort, method: 'POST', path: urlPath, headers: { 'Content-Length': Buffer.byteLength(payload) } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, ...(text === '' ? {} : { error: (JSON.parse(text) as { error: string }).error }) }));
    });
    req.on('error', reject);
    req.end(payload);
  });
}

function rawGet(urlPath: string): Promise<number> {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port: httpPort, path: urlPath }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode!));
    }).on('error', reject);
  });
}

type Parameter = { string_param: string } | { bytes_param: Buffer };

function rpc(method: string, request: object): Promise<void> {
  return new Promise((resolve, reject) => {
    grpcClient[method]!.call(grpcClient, request, (error: grpc.ServiceError | null) => (error ? reject(error) : resolve()));
  });
}

function grpcLoad(name: string, parameters: Record<string, Parameter>): Promise<void> {
  return rpc('RepositoryModelLoad', { model_name: name, parameters });
}

function grpcUnload(name: string): Promise<void> {
  return rpc('RepositoryModelUnload', { model_name: name });
}

async function expectGrpc(promise: Promise<void>, code: grpc.status, details: string | RegExp): Promise<void> {
  await assert.rejects(promise, (error: grpc.ServiceError) => {
    assert.equal(error.code, code, `${grpc.status[error.code]}: ${error.details}`);
    if (typeof details === 'string') assert.equal(error.details, details);
    else assert.match(error.details, details);
    return true;
  });
}

const grpcReproducer = (): Record<string, Parameter> => ({ config: { string_param: '{bad' }, 'file:1/model.onnx': { bytes_param: Buffer.from([0]) } });

// ---- over HTTP ------------------------------------------------------------------------------------------------------

describe('model names over HTTP (the real command, TMPDIR = a sandbox with a canary)', () => {
  it('%2E is a model literally named %2E: a failed load, a successful load and an unload leave the sandbox intact', async () => {
    const failed = await rawPost('/v2/repository/models/%2E/load', { parameters: REPRODUCER });
    assert.equal(failed.status, 500);
    assert.match(failed.error!, /^failed to load '%2E', failed to poll from model repository: /);
    assertSandboxIntact('after the failed load');

    const model = Buffer.from(addModel()).toString('base64');
    const loaded = await rawPost('/v2/repository/models/%2E/load', { parameters: { config: addConfig('%2E'), 'file:1/model.onnx': model } });
    assert.deepEqual(loaded, { status: 200 });
    assert.equal(await rawGet('/v2/models/%2E/ready'), 200);
    const [root] = overrideRoots();
    assert.deepEqual(readdirSync(path.join(sandbox, root!)), ['%2E'], 'the override directory holds the model under its literal name');
    assert.equal(readFileSync(path.join(sandbox, 'canary'), 'utf8'), CANARY);

    // Reloading from a failing override keeps the serving copy and its directory; the new one is gone at once.
    const refused = await rawPost('/v2/repository/models/%2E/load', { parameters: REPRODUCER });
    assert.equal(refused.status, 500);
    assert.deepEqual(overrideRoots(), [root]);

    assert.deepEqual(await rawPost('/v2/repository/models/%2E/unload'), { status: 200 });
    assert.notEqual(await rawGet('/v2/models/%2E/ready'), 200);
    assertSandboxIntact('after the unload');
  });

  it('literal `.` and `..` segments are refused (400) on load and unload; escapes stay literal names', async () => {
    for (const name of ['.', '..']) {
      assert.deepEqual(await rawPost(`/v2/repository/models/${name}/load`, { parameters: REPRODUCER }), { status: 400, error: UNSAFE(name) });
      assert.deepEqual(await rawPost(`/v2/repository/models/${name}/unload`), { status: 400, error: UNSAFE(name) });
    }
    for (const name of ['%2E%2E', 'a%2Fb', 'a%5Cb', '%00', '%']) {
      const reply = await rawPost(`/v2/repository/models/${name}/load`, { parameters: REPRODUCER });
      assert.equal(reply.status, 500, name);
      assert.ok(reply.error!.startsWith(`${POLL_FAILED(name)}: `), reply.error);
      assert.deepEqual(await rawPost(`/v2/repository/models/${name}/unload`), { status: 200 });
    }
    assertSandboxIntact('after the refusals');
  });

  it("an over-long file override path is Triton's poll failure (500), without errno or temporary path", async () => {
    const config = addConfig('long');
    for (const file of [`1/${'a'.repeat(5000)}`, `1/${'b'.repeat(300)}/model.onnx`]) {
      const reply = await rawPost('/v2/repository/models/long/load', { parameters: { config, [`file:${file}`]: 'AA==' } });
      assert.deepEqual(reply, { status: 500, error: POLL_FAILED('long') });
    }
    assertSandboxIntact('after the over-long paths');
  });
});

// ---- over gRPC ------------------------------------------------------------------------------------------------------

describe('model names over gRPC (the same server)', () => {
  it('empty, `.`, `..`, `/`, `\\` and NUL names are INVALID_ARGUMENT for load (with the reproducer) and unload', async () => {
    for (const name of ['', '.', '..', 'a/b', '../x', 'a\\b', 'a\0b', '\0']) {
      const text = name === '' ? 'Model name cannot be empty. Please enter a valid name to deploy.' : UNSAFE(name);
      await expectGrpc(grpcLoad(name, grpcReproducer()), grpc.status.INVALID_ARGUMENT, text);
      await expectGrpc(grpcUnload(name), grpc.status.INVALID_ARGUMENT, text);
      assertSandboxIntact(`after ${JSON.stringify(name)}`);
    }
  });

  it('a failed load, a successful load and an unload of an override model leave the sandbox intact', async () => {
    await expectGrpc(grpcLoad('uploaded', grpcReproducer()), grpc.status.INTERNAL, /^failed to load 'uploaded', failed to poll from model repository: /);
    assertSandboxIntact('after the failed load');
    await grpcLoad('uploaded', { config: { string_param: addConfig('uploaded') }, 'file:1/model.onnx': { bytes_param: Buffer.from(addModel()) } });
    assert.equal(overrideRoots().length, 1);
    await grpcUnload('uploaded');
    assertSandboxIntact('after the unload');
  });

  it("an over-long file override path is Triton's poll failure (INTERNAL)", async () => {
    const parameters = { config: { string_param: addConfig('long') }, [`file:1/${'c'.repeat(5000)}`]: { bytes_param: Buffer.from([0]) } };
    await expectGrpc(grpcLoad('long', parameters), grpc.status.INTERNAL, POLL_FAILED('long'));
    assertSandboxIntact('after the over-long path');
  });

  it('the server leaves the sandbox as it found it when it exits', async () => {
    await grpcLoad('kept', { config: { string_param: addConfig('kept') }, 'file:1/model.onnx': { bytes_param: Buffer.from(addModel()) } });
    assert.equal(overrideRoots().length, 1);
    server.kill('SIGTERM');
    assert.equal(await exited, 0);
    assertSandboxIntact('after shutdown');
  });
});

// ---- the parts -----------------------------------------------------------------------------------------------------

describe('the name checks where names meet the filesystem', () => {
  it('checkModelName accepts one segment and refuses the rest', () => {
    for (const name of ['alpha', '%2E', '...', 'a.b', '.hidden', 'a b', 'ü']) checkModelName(name);
    for (const name of ['', '.', '..', 'a/b', '/', 'a\\b', 'a\0']) assert.throws(() => checkModelName(name), { code: 'INVALID_ARG' });
  });

  it('override directories: unsafe names are refused before anything is written; removal takes only created roots', () => {
    const files = new Map([['1/model.onnx', new Uint8Array([1])]]);
    assert.throws(() => writeOverrideDir('.', files), { code: 'INVALID_ARG' });
    const dir = writeOverrideDir('m', files);
    assert.equal(path.dirname(dir.modelDir), dir.root);
    removeOverrideDir({ root: path.dirname(dir.root), modelDir: dir.root }); // not a root it created: nothing happens
    assert.deepEqual(readdirSync(dir.root), ['m']);
    removeOverrideDir(dir);
    assert.throws(() => readdirSync(dir.root), { code: 'ENOENT' });
  });

  it('the repository scan skips a directory whose name holds a backslash', () => {
    const repo = tempDir('nereid-scan-');
    writeModelDir(repo, 'good', addModel());
    mkdirSync(path.join(repo, 'a\\b', '1'), { recursive: true });
    assert.deepEqual(scanRepositories([repo]).models.map((m) => m.name), ['good']);
  });
});
