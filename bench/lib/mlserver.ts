/**
 * The peer: Seldon MLServer (from PyPI, in .bench-venv, made by bench/mlserver/setup.sh) serving the shipped .onnx
 * files through bench/mlserver/onnx_runtime.py, models under bench/mlserver/models/. Started on free ports, bound to
 * 127.0.0.1, with the parallel_workers given (0: inference in the server process, MLServer's default is 1).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { getStatus } from './http-client.ts';
import { ROOT, freePort, startProcess, type StartedProcess } from './servers.ts';

export const BENCH_VENV = path.join(ROOT, '.bench-venv');
const MLSERVER_BIN = path.join(BENCH_VENV, 'bin', 'mlserver');
const SETUP = 'bench/mlserver/setup.sh';

export interface MlserverServer {
  readonly httpPort: number;
  readonly grpcPort: number;
  /** `mlserver==x.y.z onnxruntime==...` as pip reports them. */
  readonly versions: string;
  readonly process: StartedProcess;
}

/** Runs setup.sh (a no-op when .bench-venv is up to date); returns why it failed, or undefined. */
export function ensureBenchVenv(): string | undefined {
  const result = spawnSync('bash', [SETUP], { cwd: ROOT, encoding: 'utf8', timeout: 900_000 });
  if (result.error !== undefined) return `${SETUP} could not run: ${result.error.message}`;
  if (result.status !== 0) {
    const tail = `${result.stdout}${result.stderr}`.trim().split('\n').slice(-6).join('\n');
    return `${SETUP} failed (exit ${result.status}):\n${tail}`;
  }
  return existsSync(MLSERVER_BIN) ? undefined : `${MLSERVER_BIN} is missing after ${SETUP}`;
}

function installedVersions(): string {
  const result = spawnSync(path.join(BENCH_VENV, 'bin', 'python'), ['-m', 'pip', 'freeze', '--disable-pip-version-check'],
    { encoding: 'utf8' });
  return (result.stdout ?? '').split('\n').filter((l) => /^(mlserver|onnxruntime|numpy)==/i.test(l)).join(' ');
}

async function waitReady(httpPort: number, models: readonly string[], proc: StartedProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (proc.child.exitCode !== null) throw new Error(`mlserver exited (${proc.child.exitCode}):\n${proc.output().slice(-3000)}`);
    const ready = await Promise.all(models.map((m) => getStatus(httpPort, `/v2/models/${m}/ready`).then((s) => s === 200, () => false)));
    if (ready.every(Boolean)) return;
    if (Date.now() > deadline) throw new Error(`mlserver's models were not ready within ${timeoutMs} ms:\n${proc.output().slice(-3000)}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/**
 * Starts `mlserver start bench/mlserver/models` and waits until every model in `models` answers ready.
 * `parallelWorkers` is MLServer's parallel_workers (its default is 1).
 */
export async function startMlserver(models: readonly string[], parallelWorkers: number): Promise<MlserverServer> {
  const [httpPort, grpcPort, metricsPort] = [await freePort(), await freePort(), await freePort()];
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PYTHONPATH: path.join(ROOT, 'bench', 'mlserver'),
    MLSERVER_HOST: '127.0.0.1',
    MLSERVER_HTTP_PORT: String(httpPort),
    MLSERVER_GRPC_PORT: String(grpcPort),
    MLSERVER_METRICS_PORT: String(metricsPort),
    MLSERVER_PARALLEL_WORKERS: String(parallelWorkers),
  };
  const proc = await startProcess(MLSERVER_BIN, ['start', 'bench/mlserver/models'], {
    env,
    ready: [/gRPC server running/, /Uvicorn running/],
    timeoutMs: 120_000,
  });
  try {
    await waitReady(httpPort, models, proc, 120_000);
  } catch (error) {
    await proc.stop(2000);
    throw error;
  }
  return { httpPort, grpcPort, versions: installedVersions(), process: proc };
}
