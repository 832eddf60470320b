/**
 * --http-restricted-api and --grpc-restricted-protocol end to end: the real option parser, app wiring and endpoints
 * (ports 0), then the real Triton clients (test/python/test_restricted.py) calling every category on both protocols
 * without, with a wrong and with the right header.
 */
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import { after, describe, it } from 'node:test';
import { createApp, startEndpoints, stopEndpoints, type App, type Endpoints } from '../../src/app.ts';
import { parseOptions } from '../../src/options/parse-options.ts';
import { inferenceServiceDefinition } from '../../src/transport/grpc/grpc-protos.ts';
import { SHIPPED_REPOSITORY } from '../support/http-server.ts';
import { runProcess, venvPython } from '../python/venv-python.ts';

/** Four groups, so that one header covers several categories and categories differ in header. */
const GROUPS: Record<string, [string, string]> = {
  'health,metadata': ['public-key', 'pub-value'],
  inference: ['infer-key', 'infer-value'],
  'shared-memory,model-config,model-repository': ['admin-key', 'Admin Secret'],
  'statistics,trace,logging': ['ops-key', 'ops-value'],
};

interface Running {
  app: App;
  endpoints: Endpoints;
}
const running: Running[] = [];
after(async () => {
  for (const { app, endpoints } of running) {
    await stopEndpoints(endpoints);
    await app.repository.unloadAll();
    app.metrics.close();
    app.statistics.close();
  }
});

async function serve(flags: string[]): Promise<{ http: string; grpc: string }> {
  const options = parseOptions([
    `--model-repository=${SHIPPED_REPOSITORY}`,
    '--model-control-mode=explicit',
    '--load-model=add_sub',
    '--http-address=127.0.0.1',
    '--http-port=0',
    '--grpc-address=127.0.0.1',
    '--grpc-port=0',
    '--allow-metrics=false',
    ...flags,
  ]);
  const app = createApp(options);
  await app.repository.loadAll();
  const endpoints = await startEndpoints(app, options);
  running.push({ app, endpoints });
  return { http: `127.0.0.1:${endpoints.http!.port}`, grpc: `127.0.0.1:${endpoints.grpc!.port}` };
}

describe('restricted APIs', () => {
  it('tritonclient over HTTP and gRPC: every category refused without its header, served with it', async () => {
    const flags = Object.entries(GROUPS).flatMap(([categories, [header, value]]) => [
      `--http-restricted-api=${categories}:${header}=${value}`,
      '--grpc-restricted-protocol',
      `${categories}:${header}=${value}`,
    ]);
    const restrictions = Object.fromEntries(
      Object.entries(GROUPS).flatMap(([categories, pair]) => categories.split(',').map((c) => [c, pair])),
    );
    const server = await serve(flags);
    const result = await runProcess(venvPython(), ['test/python/test_restricted.py', '-v'], {
      env: {
        ...process.env,
        NEREID_HTTP_URL: server.http,
        NEREID_GRPC_URL: server.grpc,
        NEREID_RESTRICTIONS: JSON.stringify(restrictions),
        PYTHONDONTWRITEBYTECODE: '1',
      },
      echo: true,
      timeoutMs: 120_000,
    });
    assert.equal(result.code, 0, `python unittest failed (exit ${result.code}, signal ${result.signal}):\n${result.output}`);
    const ran = /Ran (\d+) tests?/.exec(result.output);
    assert.ok(ran !== null && Number(ran[1]) >= 12, `expected at least 12 unittest cases:\n${result.output}`);
    assert.match(result.output, /\nOK\b/);
  });

  it('leaves the categories that are not restricted open', async () => {
    const server = await serve(['--http-restricted-api=model-repository:admin-key=s', '--grpc-restricted-protocol=health:Up-Key=v']);
    const base = `http://${server.http}`;
    assert.equal((await fetch(`${base}/v2/health/ready`)).status, 200);
    assert.equal((await fetch(`${base}/v2/models/stats`)).status, 200);
    const body = JSON.stringify({ inputs: ['INPUT0', 'INPUT1'].map((name) => ({ name, shape: [1, 16], datatype: 'FP32', data: Array(16).fill(1) })) });
    const infer = await fetch(`${base}/v2/models/add_sub/infer`, { method: 'POST', body });
    assert.equal(infer.status, 200);
    const load = await fetch(`${base}/v2/repository/models/add_sub/load`, { method: 'POST' });
    assert.deepEqual([load.status, await load.json()], [403, { error: "This API is restricted, expecting header 'admin-key'" }]);
    const loaded = await fetch(`${base}/v2/repository/models/add_sub/load`, { method: 'POST', headers: { 'Admin-Key': 's' } });
    assert.equal(loaded.status, 200);

    // gRPC: metadata keys are lowercase on the wire, so a key given with capitals can never be met (as in
    // tritonserver 2.51); categories not restricted stay open.
    const client = new (grpc.makeClientConstructor(inferenceServiceDefinition, 'GRPCInferenceService'))(server.grpc, grpc.credentials.createInsecure());
    const call = (rpc: string, metadata: grpc.Metadata): Promise<unknown> =>
      new Promise((resolve, reject) => {
        (client as unknown as Record<string, Function>)[rpc]!.call(client, { name: 'add_sub', version: '' }, metadata, (e: grpc.ServiceError | null, r: unknown) => (e ? reject(e) : resolve(r)));
      });
    const metadata = new grpc.Metadata();
    metadata.set('triton-grpc-protocol-up-key', 'v');
    await assert.rejects(call('ServerLive', metadata), (e: grpc.ServiceError) => {
      assert.deepEqual([e.code, e.details], [grpc.status.UNAVAILABLE, "This protocol is restricted, expecting header 'triton-grpc-protocol-Up-Key'"]);
      return true;
    });
    assert.deepEqual(await call('ModelMetadata', new grpc.Metadata()).then((r) => (r as { name: string }).name), 'add_sub');
    client.close();
  });
});
