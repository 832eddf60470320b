/**
 * The Python side of the client tests: the `.venv` interpreter made by `scripts/setup-python-env.sh`, and a child
 * process runner that does not block the event loop (the server under test runs in the same process).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** `.venv/bin/python`, failing the test (not skipping it) when the environment was never set up. */
export function venvPython(): string {
  const python = path.join(ROOT, '.venv', 'bin', 'python');
  assert.ok(
    existsSync(python),
    `${python} is missing: run \`bash scripts/setup-python-env.sh\` (npm test runs it first) to create the Python ` +
      'environment with tritonclient',
  );
  return python;
}

export interface ProcessResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** stdout and stderr interleaved as they arrived. */
  readonly output: string;
  readonly stdout: string;
}

export interface RunOptions {
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Copy the child's output to this process's stderr as it arrives. */
  readonly echo?: boolean;
  /** Kill the child after this many milliseconds (default 60 s). */
  readonly timeoutMs?: number;
}

/** Runs `command args` asynchronously and resolves with its exit status and output. */
export function runProcess(command: string, args: readonly string[], options: RunOptions = {}): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd ?? ROOT,
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    let stdout = '';
    const collect = (isStdout: boolean) => (chunk: Buffer) => {
      const text = chunk.toString();
      output += text;
      if (isStdout) stdout += text;
      if (options.echo) process.stderr.write(text);
    };
    child.stdout.on('data', collect(true));
    child.stderr.on('data', collect(false));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, output, stdout });
    });
  });
}

/**
 * Runs a unittest file of test/python/ with .venv's python against a server's two endpoints (NEREID_HTTP_URL and
 * NEREID_GRPC_URL), and fails unless it ran exactly `tests` tests and all passed.
 */
export async function runPythonSuite(file: string, endpoints: { http: string; grpc: string }, tests: number, timeoutMs = 50_000): Promise<void> {
  const result = await runProcess(venvPython(), [file, '-v'], {
    env: { ...process.env, NEREID_HTTP_URL: endpoints.http, NEREID_GRPC_URL: endpoints.grpc, PYTHONDONTWRITEBYTECODE: '1' },
    echo: true,
    timeoutMs,
  });
  assert.equal(result.code, 0, `python unittest failed (exit ${result.code}, signal ${result.signal}):\n${result.output}`);
  assert.match(result.output, new RegExp(`Ran ${tests} tests?\\b`));
  assert.match(result.output, /\nOK\b/);
}
