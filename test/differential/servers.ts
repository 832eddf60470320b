/**
 * Starts the two servers the differential tests compare: nereid through its real CLI (ports 0) and tritonserver 2.51
 * through .venv/bin/tritonserver (scripts/install-tritonserver.sh) on free ports. Both print Triton's
 * `Started HTTPService at 0.0.0.0:<port>` lines, which say when each endpoint listens and where.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const TRITONSERVER = `${ROOT}.venv/bin/tritonserver`;
const UNSUPPORTED = `${ROOT}.venv/tritonserver.unsupported`;

export interface RunningServer {
  readonly name: 'nereid' | 'triton';
  /** `127.0.0.1:<port>` of each endpoint. */
  readonly http: string;
  readonly grpc: string;
  readonly metrics: string;
  /** Everything the process printed so far. */
  output(): string;
  stop(): Promise<void>;
}

/** Why tritonserver cannot run here, or undefined when it can. */
export function tritonUnavailable(): string | undefined {
  if (existsSync(UNSUPPORTED)) return readFileSync(UNSUPPORTED, 'utf8').trim();
  if (!existsSync(TRITONSERVER)) return `${TRITONSERVER} is missing: run \`bash scripts/setup-python-env.sh\``;
  return undefined;
}

const STARTED = {
  http: /Started HTTPService at [^\s:]+:(\d+)/,
  grpc: /Started GRPCInferenceService at [^\s:]+:(\d+)/,
  metrics: /Started Metrics Service at [^\s:]+:(\d+)/,
};

/** nereid on `repository` with `args` (Triton's flags). */
export function startNereid(repository: string, args: readonly string[] = []): Promise<RunningServer> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'src/main.ts', `--model-repository=${repository}`, '--http-port=0', '--grpc-port=0', '--metrics-port=0', ...args],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  return whenStarted('nereid', child);
}

/** tritonserver on `repository` (a twin repository) with `args`; retried when a picked port was taken meanwhile. */
export async function startTriton(repository: string, args: readonly string[] = []): Promise<RunningServer> {
  for (let attempt = 1; ; attempt++) {
    const [http, grpc, metrics] = await freePorts(3);
    const child = spawn(
      TRITONSERVER,
      [`--model-repository=${repository}`, `--http-port=${http}`, `--grpc-port=${grpc}`, `--metrics-port=${metrics}`, '--exit-timeout-secs=5', ...args],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    try {
      return await whenStarted('triton', child);
    } catch (error) {
      if (attempt >= 3 || !/Address already in use|Socket '.*' already in use/i.test(String(error))) throw error;
    }
  }
}

function freePorts(count: number): Promise<number[]> {
  const servers = Array.from({ length: count }, () => createServer());
  return Promise.all(
    servers.map((server) => new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port));
    })),
  ).finally(() => Promise.all(servers.map((s) => new Promise((r) => s.close(r)))));
}

function whenStarted(name: 'nereid' | 'triton', child: ChildProcess): Promise<RunningServer> {
  let output = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  return new Promise((resolve, reject) => {
    const check = (): void => {
      const ports = [STARTED.http.exec(output), STARTED.grpc.exec(output), STARTED.metrics.exec(output)];
      if (ports.every((m) => m !== null)) {
        const [http, grpc, metrics] = ports.map((m) => `127.0.0.1:${m![1]}`) as [string, string, string];
        child.stdout!.off('data', onData);
        child.stderr!.off('data', onData);
        child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
        child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
        child.off('exit', onExit);
        resolve({ name, http, grpc, metrics, output: () => output, stop });
      }
    };
    const onData = (d: Buffer): void => {
      output += d.toString();
      check();
    };
    const onExit = (): void => reject(new Error(`${name} exited before it listened:\n${output}`));
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', onExit);
  });
}

/** Starts both; if either fails, the other is stopped before the error is thrown (no server left behind). */
export async function startPair(
  triton: () => Promise<RunningServer>,
  nereid: () => Promise<RunningServer>,
): Promise<[RunningServer, RunningServer]> {
  const [t, n] = await Promise.allSettled([triton(), nereid()]);
  if (t.status === 'fulfilled' && n.status === 'fulfilled') return [t.value, n.value];
  await Promise.all([t, n].map((r) => (r.status === 'fulfilled' ? r.value.stop() : undefined)));
  throw (t.status === 'rejected' ? t.reason : (n as PromiseRejectedResult).reason) as Error;
}
