/**
 * The reference server: tritonserver 2.51 (.venv/bin/tritonserver, from scripts/install-tritonserver.sh), CPU-only,
 * serving the Python-backend twins of the bench models (test/differential/twin-repository.ts: each .onnx run by the
 * onnxruntime Python package, every other config field as written, add_sub given ORT's default of 2 instances). The
 * whole repository is twinned into a temporary folder and only the bench models are loaded
 * (--model-control-mode=explicit). Started through servers.ts, as its own process group (the Python stubs with it),
 * on free ports bound to 127.0.0.1.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { TRITONSERVER, tritonUnavailable } from '../../test/differential/servers.ts';
import { writeTwinRepository } from '../../test/differential/twin-repository.ts';
import { getStatus } from './http-client.ts';
import { freePort, startProcess, type StartedProcess } from './servers.ts';

export { tritonUnavailable };

export interface TritonServer {
  readonly httpPort: number;
  readonly grpcPort: number;
  readonly process: StartedProcess;
  /** Stops the server and removes the twin repository. */
  stop(): Promise<void>;
}

interface Started {
  readonly proc: StartedProcess;
  readonly httpPort: number;
  readonly grpcPort: number;
}

async function startOnFreePorts(twin: string, models: readonly string[]): Promise<Started> {
  for (let attempt = 1; ; attempt++) {
    const [http, grpc, metrics] = [await freePort(), await freePort(), await freePort()];
    try {
      const proc = await startProcess(TRITONSERVER, [
        `--model-repository=${twin}`, '--model-control-mode=explicit', ...models.map((m) => `--load-model=${m}`),
        `--http-port=${http}`, `--grpc-port=${grpc}`, `--metrics-port=${metrics}`,
        '--http-address=127.0.0.1', '--grpc-address=127.0.0.1', '--exit-timeout-secs=1',
      ], { ready: [/Started HTTPService at/, /Started GRPCInferenceService at/], timeoutMs: 120_000 });
      return { proc, httpPort: http, grpcPort: grpc };
    } catch (error) {
      // A port picked as free may be taken before tritonserver binds it.
      if (attempt >= 3 || !/already in use/i.test(String(error))) throw error;
    }
  }
}

/**
 * Waits until every model answers ready: tritonserver logs `Started HTTPService` a moment before its HTTP thread
 * accepts connections, so the first requests may be refused.
 */
async function waitReady(httpPort: number, models: readonly string[], timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const statuses = await Promise.all(models.map((m) => getStatus(httpPort, `/v2/models/${m}/ready`).catch((e: unknown) => String(e))));
    if (statuses.every((s) => s === 200)) return;
    if (Date.now() > deadline) throw new Error(`tritonserver's models were not ready within ${timeoutMs} ms (${statuses.join(', ')})`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Twins `repository`, starts tritonserver on `models` of it and waits until each answers ready. */
export async function startTritonTwin(repository: string, models: readonly string[]): Promise<TritonServer> {
  const unavailable = tritonUnavailable();
  if (unavailable !== undefined) throw new Error(unavailable);
  const twin = mkdtempSync(path.join(tmpdir(), 'nereid-bench-twin-'));
  const removeTwin = (): void => rmSync(twin, { recursive: true, force: true });
  try {
    const twins = writeTwinRepository(repository, twin);
    const missing = models.filter((m) => !twins.twinned.includes(m));
    if (missing.length > 0) {
      throw new Error(`no twin of ${missing.join(', ')}: ${twins.skipped.map((s) => `${s.model}: ${s.reason}`).join('; ')}`);
    }
    const { proc, httpPort, grpcPort } = await startOnFreePorts(twin, models);
    const stop = async (): Promise<void> => {
      await proc.stop(5000);
      removeTwin();
    };
    try {
      await waitReady(httpPort, models);
    } catch (error) {
      await stop();
      throw new Error(`${error instanceof Error ? error.message : String(error)}:\n${proc.output().slice(-3000)}`, { cause: error });
    }
    return { httpPort, grpcPort, process: proc, stop };
  } catch (error) {
    removeTwin();
    throw error;
  }
}
