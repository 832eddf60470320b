/**
 * Starting and stopping the servers a benchmark measures, each in its own process (its own process group, so that a
 * server's own children, such as MLServer's inference workers or tritonserver's Python backend stubs, stop with it):
 * nereid from the sources, and the bare HTTP and gRPC servers of the transport ceiling.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const ROOT: string = fileURLToPath(new URL('../../', import.meta.url));

export interface StartedProcess {
  readonly child: ChildProcess;
  /** The ready patterns' matches, in the order given. */
  readonly matches: readonly RegExpExecArray[];
  /** The last 64 KiB of stdout and stderr together. */
  output(): string;
  /** SIGTERM to the process group, SIGKILL after `graceMs`; resolves once the process exited. */
  stop(graceMs?: number): Promise<void>;
}

export interface StartOptions {
  /** Every pattern must match the output (stdout and stderr together) before the process counts as started. */
  readonly ready: readonly RegExp[];
  readonly env?: NodeJS.ProcessEnv;
  readonly timeoutMs?: number;
}

const running = new Set<ChildProcess>();

/** Process-group ids of the servers running now (each started as its group's leader). */
export function runningGroups(): Set<number> {
  return new Set([...running].flatMap((child) => (child.pid === undefined ? [] : [child.pid])));
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}

// Whatever way this process ends, no server it started outlives it.
process.on('exit', () => {
  for (const child of running) killGroup(child, 'SIGKILL');
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    for (const child of running) killGroup(child, 'SIGKILL');
    process.exit(130);
  });
}

/** Spawns `command args` in ROOT and waits for every ready pattern; rejects if it exits or times out first. */
export function startProcess(command: string, args: readonly string[], options: StartOptions): Promise<StartedProcess> {
  const child = spawn(command, args, {
    cwd: ROOT,
    env: options.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  running.add(child);
  let output = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => {
    running.delete(child);
    resolve();
  }));
  const stop = async (graceMs = 10_000): Promise<void> => {
    killGroup(child, 'SIGTERM');
    const timer = setTimeout(() => killGroup(child, 'SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
    killGroup(child, 'SIGKILL');
  };
  return new Promise((resolve, reject) => {
    let settled = false;
    const fail = (message: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void stop(1000).then(() => reject(new Error(`${message}\n${output.slice(-4000)}`)));
    };
    const timer = setTimeout(() => fail(`${command} did not start within ${options.timeoutMs ?? 60_000} ms`),
      options.timeoutMs ?? 60_000);
    const onData = (chunk: Buffer): void => {
      output = (output + chunk.toString()).slice(-65_536);
      if (settled) return;
      const matches = options.ready.map((pattern) => pattern.exec(output));
      if (matches.every((m) => m !== null)) {
        settled = true;
        clearTimeout(timer);
        resolve({ child, matches: matches as RegExpExecArray[], output: () => output, stop });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('error', (error) => fail(`${command} could not start: ${error.message}`));
    child.once('exit', (code, signal) => fail(`${command} exited (${signal ?? code}) before it was ready`));
  });
}

/** A nereid process serving `repository`, with its HTTP and gRPC ports. */
export interface NereidServer {
  readonly httpPort: number;
  readonly grpcPort: number;
  readonly process: StartedProcess;
}

/** Starts `node --import tsx src/main.ts` on `repository` (ports chosen by the OS, metrics off the way), plus `extraArgs`. */
export async function startNereid(repository: string, extraArgs: readonly string[] = []): Promise<NereidServer> {
  const proc = await startProcess(process.execPath, [
    '--import', 'tsx', 'src/main.ts', `--model-repository=${repository}`,
    '--http-port=0', '--grpc-port=0', '--metrics-port=0', '--http-address=127.0.0.1', '--grpc-address=127.0.0.1', ...extraArgs,
  ], { ready: [/Started HTTPService at [^\s]*:(\d+)/, /Started GRPCInferenceService at [^\s]*:(\d+)/] });
  return { httpPort: Number(proc.matches[0]![1]), grpcPort: Number(proc.matches[1]![1]), process: proc };
}

/** A bare server of bare-http-server.ts, bare-grpc-server.ts or bare-http2-grpc-server.ts. */
export interface BareServer {
  readonly port: number;
  readonly process: StartedProcess;
}

async function startBare(file: string): Promise<BareServer> {
  const proc = await startProcess(process.execPath, ['--import', 'tsx', file], { ready: [/listening (\d+)/] });
  return { port: Number(proc.matches[0]![1]), process: proc };
}

/** The bare node:http server (the HTTP ceiling). */
export function startBareHttp(): Promise<BareServer> {
  return startBare('bench/lib/bare-http-server.ts');
}

/** The bare grpc-js server (the gRPC ceiling). */
export function startBareGrpc(): Promise<BareServer> {
  return startBare('bench/lib/bare-grpc-server.ts');
}

/** The hand-framed gRPC server on node:http2 (the gRPC ceiling without grpc-js). */
export function startBareHttp2Grpc(): Promise<BareServer> {
  return startBare('bench/lib/bare-http2-grpc-server.ts');
}

/** A TCP port on 127.0.0.1 that was free a moment ago (for servers that cannot be told to pick their own). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
