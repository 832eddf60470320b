import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { renameSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { addModel, corruptModelBytes, writeModelDir } from '../scripts/onnx/test-models.ts';
import { tempDir } from './support/temp-dir.ts';

/** Fails a test that waits forever (a line that never comes); never a measure of speed. */
const HANG_GUARD = { timeout: 180_000 };

const ROOT = fileURLToPath(new URL('..', import.meta.url));

interface Run {
  readonly child: ChildProcess;
  output: string;
  readonly exited: Promise<number | null>;
  /** Set once the process has exited and all its output has been read. */
  closed: boolean;
  /** Called after every chunk of output and once closed (waitFor's wake-ups). */
  readonly changed: Set<() => void>;
}

/** Ports 0: every endpoint on a free port, read back from the `Started HTTPService at ...` line. */
const FREE_PORTS = ['--http-port=0', '--grpc-port=0', '--metrics-port=0'];

function startServer(args: string[]): Run {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', ...FREE_PORTS, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const run: Run = {
    child,
    output: '',
    exited: new Promise((resolve) => child.on('exit', (code) => resolve(code))),
    closed: false,
    changed: new Set(),
  };
  const append = (chunk: Buffer): void => {
    run.output += chunk.toString();
    for (const wake of run.changed) wake();
  };
  child.stdout!.on('data', append);
  child.stderr!.on('data', append);
  // 'close' rather than 'exit': by then every byte the process wrote has been read.
  child.on('close', () => {
    run.closed = true;
    for (const wake of run.changed) wake();
  });
  return run;
}

/** Resolves once the output matches `pattern`; fails with the output when the process ends first. */
async function waitFor(run: Run, pattern: RegExp): Promise<void> {
  await new Promise<void>((resolve) => {
    const check = (): void => {
      if (!pattern.test(run.output) && !run.closed) return;
      run.changed.delete(check);
      resolve();
    };
    run.changed.add(check);
    check();
  });
  assert.match(run.output, pattern);
}

/**
 * Waits until the server is serving: the last endpoint's start line has been printed and the HTTP endpoint has
 * answered a request. The SIGINT/SIGTERM handlers are installed right after that line, in the same turn of the
 * server's event loop, so from here on a signal stops it gracefully (earlier, a signal kills it outright: exit code
 * null). Returns the HTTP port.
 */
async function serving(run: Run): Promise<string> {
  await waitFor(run, /Started Metrics Service at 0\.0\.0\.0:\d+/);
  const port = /Started HTTPService at 0\.0\.0\.0:(\d+)/.exec(run.output)![1]!;
  assert.equal((await fetch(`http://127.0.0.1:${port}/v2/health/live`)).status, 200);
  return port;
}

describe('the nereid command', () => {
  it('loads every shipped model, prints the status table with READY, serves HTTP, and exits cleanly on SIGTERM', HANG_GUARD, async () => {
    const run = startServer(['--model-repository', 'model_repository']);
    await waitFor(run, /\+-+\+-+\+-+\+\n\| Model.*\n\+.*\n((\|.*\n)+)\+/);
    for (const model of ['add_sub', 'autocomplete_add', 'identity_bytes', 'identity_int64', 'mlp_classifier']) {
      assert.match(run.output, new RegExp(`\\| ${model} +\\| 1 +\\| READY +\\|`));
    }
    await waitFor(run, /Started HTTPService at 0\.0\.0\.0:\d+/);
    assert.match(run.output, /ONNX Runtime execution providers: CPU: bundled; CUDA: (installed|not installed \(libonnxruntime_providers_cuda\.so missing\)); TensorRT: .*; GPUs visible: /);
    assert.match(run.output, /Started GRPCInferenceService at 0\.0\.0\.0:\d+/);
    await waitFor(run, /Started Metrics Service at 0\.0\.0\.0:\d+/);
    const metricsPort = /Started Metrics Service at 0\.0\.0\.0:(\d+)/.exec(run.output)![1];
    assert.match(await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text(), /nv_model_load_duration_secs\{model="add_sub",version="1"\}/);
    const port = /Started HTTPService at 0\.0\.0\.0:(\d+)/.exec(run.output)![1];
    assert.equal((await fetch(`http://127.0.0.1:${port}/v2/health/ready`)).status, 200);
    run.child.kill('SIGTERM');
    assert.equal(await run.exited, 0);
  });

  it('exits with "failed to load all models" when a model fails (--exit-on-error defaults to true)', HANG_GUARD, async () => {
    const repo = tempDir();
    writeModelDir(repo, 'good', addModel());
    writeModelDir(repo, 'broken', corruptModelBytes());
    const run = startServer([`--model-repository=${repo}`]);
    assert.equal(await run.exited, 1);
    assert.match(run.output, /\| broken +\| 1 +\| UNAVAILABLE: Internal: onnx runtime error: /);
    assert.match(run.output, /failed to load all models/);
  });

  it('keeps serving the models that loaded with --exit-on-error=false', HANG_GUARD, async () => {
    const repo = tempDir();
    writeModelDir(repo, 'good', addModel());
    writeModelDir(repo, 'broken', corruptModelBytes());
    const run = startServer([`--model-repository=${repo}`, '--exit-on-error', 'false']);
    await waitFor(run, /\| good +\| 1 +\| READY/);
    // With --exit-on-error=true it exits right after the table; here it goes on to serve.
    await serving(run);
    run.child.kill('SIGINT');
    assert.equal(await run.exited, 0);
  });

  it('prints usage for --help and refuses unknown flags', HANG_GUARD, async () => {
    const help = startServer(['--help']);
    assert.equal(await help.exited, 0);
    assert.match(help.output, /--model-repository/);
    const bad = startServer(['--model-repository=x', '--no-such-flag=1']);
    assert.equal(await bad.exited, 1);
    assert.match(bad.output, /no-such-flag/);
  });
});

describe('model control modes on the command line', () => {
  it('explicit mode loads only the --load-model names; poll mode picks up a dropped model folder', HANG_GUARD, async () => {
    const explicit = startServer(['--model-repository', 'model_repository', '--model-control-mode=explicit', '--load-model', 'add_sub']);
    await waitFor(explicit, /\+-+\+-+\+-+\+\n\| Model.*\n\+.*\n((\|.*\n)+)\+/);
    assert.match(explicit.output, /\| add_sub +\| 1 +\| READY +\|/);
    assert.doesNotMatch(explicit.output, /\| mlp_classifier /);
    await serving(explicit);
    explicit.child.kill('SIGTERM');
    assert.equal(await explicit.exited, 0, explicit.output);

    const repo = tempDir();
    writeModelDir(repo, 'first', addModel());
    const poll = startServer([`--model-repository=${repo}`, '--model-control-mode=poll', '--repository-poll-secs=1']);
    const port = await serving(poll);
    // The folder appears whole (renamed in from a staging directory on the same filesystem), as a deployment tool
    // would drop it; the server's own log line says when the poller has loaded it.
    const staging = tempDir();
    writeModelDir(staging, 'dropped', addModel());
    renameSync(join(staging, 'dropped'), join(repo, 'dropped'));
    await waitFor(poll, /successfully loaded 'dropped' version 1/);
    assert.equal((await fetch(`http://127.0.0.1:${port}/v2/models/dropped/ready`)).status, 200, poll.output);
    poll.child.kill('SIGTERM');
    assert.equal(await poll.exited, 0);
  });
});
