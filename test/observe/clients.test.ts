/**
 * Statistics, Prometheus metrics and dynamic batching through real clients: spawns the real server (src/main.ts) over
 * the shipped model repository with HTTP, gRPC and metrics on free loopback ports, reads the ports from its start-up
 * log lines, and runs test/python/test_statistics_metrics.py (tritonclient.http/grpc and prometheus_client's parser),
 * requiring every case to pass.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { after, describe, it } from 'node:test';
import { ROOT, runProcess, venvPython } from '../python/venv-python.ts';

/** What the server prints once each endpoint listens (Triton's wording). */
const STARTED = {
  http: /Started HTTPService at (\S+):(\d+)/,
  grpc: /Started GRPCInferenceService at (\S+):(\d+)/,
  metrics: /Started Metrics Service at (\S+):(\d+)/,
} as const;

type Endpoint = keyof typeof STARTED;

interface SpawnedServer {
  readonly child: ChildProcess;
  /** `127.0.0.1:<port>` per endpoint. */
  readonly hostPorts: Record<Endpoint, string>;
  output(): string;
}

const children: ChildProcess[] = [];
after(async () => {
  for (const child of children) await stop(child);
});

/** SIGTERM, then SIGKILL if the server has not exited within 5 s. */
function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** Starts `src/main.ts` and resolves once all three endpoints have logged their port. */
function startServer(timeoutMs = 40_000): Promise<SpawnedServer> {
  const args = [
    '--import', 'tsx', 'src/main.ts',
    '--model-repository=model_repository',
    '--http-port=0', '--grpc-port=0', '--metrics-port=0',
    '--http-address=127.0.0.1', '--grpc-address=127.0.0.1', '--metrics-address=127.0.0.1',
    // CPU gauges are polled; a short interval makes them current by the time the client reads them.
    '--metrics-interval-ms=200',
  ];
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop(child);
      reject(new Error(`the server did not log all three endpoints within ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      const found: Partial<Record<Endpoint, string>> = {};
      for (const endpoint of Object.keys(STARTED) as Endpoint[]) {
        const match = STARTED[endpoint].exec(output);
        if (match !== null) found[endpoint] = `127.0.0.1:${match[2]}`;
      }
      if (found.http !== undefined && found.grpc !== undefined && found.metrics !== undefined) {
        clearTimeout(timer);
        const hostPorts = { http: found.http, grpc: found.grpc, metrics: found.metrics };
        resolve({ child, hostPorts, output: () => output });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`the server exited (code ${code}, signal ${signal}) before listening:\n${output}`));
    });
  });
}

describe('statistics, metrics and dynamic batching through real clients', () => {
  it('passes test/python/test_statistics_metrics.py (HTTP and gRPC statistics, /metrics, batching)', async () => {
    const python = venvPython();
    const server = await startServer();
    const result = await runProcess(python, ['test/python/test_statistics_metrics.py', '-v'], {
      env: {
        ...process.env,
        NEREID_HTTP_URL: server.hostPorts.http,
        NEREID_GRPC_URL: server.hostPorts.grpc,
        NEREID_METRICS_URL: server.hostPorts.metrics,
        PYTHONDONTWRITEBYTECODE: '1',
      },
      echo: true,
      timeoutMs: 40_000,
    });
    assert.equal(
      result.code,
      0,
      `python unittest failed (exit ${result.code}, signal ${result.signal}):\n${result.output}\n` +
        `--- server log ---\n${server.output()}`,
    );
    // unittest's closing lines: "Ran N tests" and "OK"; make sure the file really ran its cases.
    const ran = /Ran (\d+) tests?/.exec(result.output);
    assert.ok(ran !== null && Number(ran[1]) >= 19, `expected at least 19 unittest cases:\n${result.output}`);
    assert.match(result.output, /\nOK\b/);
    assert.equal(server.child.exitCode, null, `the server exited during the run:\n${server.output()}`);
  });
});
