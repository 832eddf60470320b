import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { addModel, corruptModelBytes, writeModelDir } from '../scripts/onnx/test-models.ts';
import { tempDir } from './support/temp-dir.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

interface Run {
  readonly child: ChildProcess;
  output: string;
  readonly exited: Promise<number | null>;
}

/** Ports 0: every endpoint on a free port, read back from the `Started HTTPService at ...` line. */
const FREE_PORTS = ['--http-port=0', '--grpc-port=0', '--metrics-port=0'];

function startServer(args: string[]): Run {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', ...FREE_PORTS, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const run: Run = {
    child,
    output: '',
    exited: new Promise((resolve) => child.on('exit', (code) => resolve(code))),
  };
  child.stdout!.on('data', (chunk: Buffer) => (run.output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (run.output += chunk.toString()));
  return run;
}

async function waitFor(run: Run, pattern: RegExp): Promise<void> {
  for (let i = 0; i < 600 && !pattern.test(run.output); i++) {
    if (run.child.exitCode !== null) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.match(run.output, pattern);
}

describe('the nereid command', () => {
  it('loads every shipped model, prints the status table with READY, serves HTTP, and exits cleanly on SIGTERM', async () => {
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

  it('exits with "failed to load all models" when a model fails (--exit-on-error defaults to true)', async () => {
    const repo = tempDir();
    writeModelDir(repo, 'good', addModel());
    writeModelDir(repo, 'broken', corruptModelBytes());
    const run = startServer([`--model-repository=${repo}`]);
    assert.equal(await run.exited, 1);
    assert.match(run.output, /\| broken +\| 1 +\| UNAVAILABLE: Internal: onnx runtime error: /);
    assert.match(run.output, /failed to load all models/);
  });

  it('keeps serving the models that loaded with --exit-on-error=false', async () => {
    const repo = tempDir();
    writeModelDir(repo, 'good', addModel());
    writeModelDir(repo, 'broken', corruptModelBytes());
    const run = startServer([`--model-repository=${repo}`, '--exit-on-error', 'false']);
    await waitFor(run, /\| good +\| 1 +\| READY/);
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(run.child.exitCode, null, 'the server must still be running');
    run.child.kill('SIGINT');
    assert.equal(await run.exited, 0);
  });

  it('prints usage for --help and refuses unknown flags', async () => {
    const help = startServer(['--help']);
    assert.equal(await help.exited, 0);
    assert.match(help.output, /--model-repository/);
    const bad = startServer(['--model-repository=x', '--no-such-flag=1']);
    assert.equal(await bad.exited, 1);
    assert.match(bad.output, /no-such-flag/);
  });
});

describe('model control modes on the command line', () => {
  it('explicit mode loads only the --load-model names; poll mode picks up a dropped model folder', async () => {
    const explicit = startServer(['--model-repository', 'model_repository', '--model-control-mode=explicit', '--load-model', 'add_sub']);
    await waitFor(explicit, /\+-+\+-+\+-+\+\n\| Model.*\n\+.*\n((\|.*\n)+)\+/);
    assert.match(explicit.output, /\| add_sub +\| 1 +\| READY +\|/);
    assert.doesNotMatch(explicit.output, /\| mlp_classifier /);
    explicit.child.kill('SIGTERM');
    assert.equal(await explicit.exited, 0);

    const repo = tempDir();
    writeModelDir(repo, 'first', addModel());
    const poll = startServer([`--model-repository=${repo}`, '--model-control-mode=poll', '--repository-poll-secs=1']);
    await waitFor(poll, /Started HTTPService at 0\.0\.0\.0:\d+/);
    const port = /Started HTTPService at 0\.0\.0\.0:(\d+)/.exec(poll.output)![1];
    writeModelDir(repo, 'dropped', addModel());
    let status = 0;
    for (let i = 0; i < 100 && status !== 200; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      status = (await fetch(`http://127.0.0.1:${port}/v2/models/dropped/ready`)).status;
    }
    assert.equal(status, 200, poll.output);
    poll.child.kill('SIGTERM');
    assert.equal(await poll.exited, 0);
  });
});
