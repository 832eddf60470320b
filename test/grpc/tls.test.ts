import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { after, before, describe, it } from 'node:test';
import { StatisticsStore } from '../../src/observe/statistics.ts';
import { ModelRepository } from '../../src/repository/model-repository.ts';
import { GrpcEndpoint } from '../../src/transport/grpc/grpc-endpoint.ts';
import { inferenceServiceDefinition } from '../../src/transport/grpc/grpc-protos.ts';
import { addModel, writeModelDir } from '../../scripts/onnx/test-models.ts';
import { testDataPlane } from '../support/data-plane.ts';
import { tempDir } from '../support/temp-dir.ts';

/** Statistics for every server this file starts (each version keeps its own counters). */
const statistics = new StatisticsStore();
after(() => statistics.close());

/** A throwaway CA that signs a server certificate for 127.0.0.1 and a client certificate, made with openssl. */
function makeCertificates(dir: string): Record<'ca' | 'serverCert' | 'serverKey' | 'clientCert' | 'clientKey', string> {
  const file = (name: string): string => path.join(dir, name);
  const run = (...args: string[]): void => void execFileSync('openssl', args, { stdio: 'ignore' });
  run('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=nereid-test-ca', '-keyout', file('ca.key'), '-out', file('ca.pem'));
  writeFileSync(file('server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  for (const who of ['server', 'client']) {
    run('req', '-newkey', 'rsa:2048', '-nodes', '-subj', `/CN=${who}`, '-keyout', file(`${who}.key`), '-out', file(`${who}.csr`));
    run('x509', '-req', '-in', file(`${who}.csr`), '-CA', file('ca.pem'), '-CAkey', file('ca.key'), '-CAcreateserial', '-days', '1',
      ...(who === 'server' ? ['-extfile', file('server.ext')] : []), '-out', file(`${who}.pem`));
  }
  return { ca: file('ca.pem'), serverCert: file('server.pem'), serverKey: file('server.key'), clientCert: file('client.pem'), clientKey: file('client.key') };
}

type AnyClient = grpc.Client & Record<string, Function>;
const Client = grpc.makeClientConstructor(inferenceServiceDefinition, 'GRPCInferenceService');

function serverLive(client: AnyClient): Promise<boolean> {
  return new Promise((resolve, reject) => {
    client.ServerLive!.call(client, {}, { deadline: Date.now() + 5000 }, (e: grpc.ServiceError | null, r: { live: boolean }) => (e ? reject(e) : resolve(r.live)));
  });
}

let certs: ReturnType<typeof makeCertificates>;
let repository: ModelRepository;
const endpoints: GrpcEndpoint[] = [];

before(async () => {
  certs = makeCertificates(tempDir());
  const repo = tempDir();
  writeModelDir(repo, 'add', addModel());
  repository = new ModelRepository({ repositories: [repo], pipeline: { autoComplete: true, defaultMaxBatchSize: 4, devices: { gpus: [] } } });
  await repository.loadAll();
});
after(async () => {
  for (const endpoint of endpoints) await endpoint.close();
  await repository.unloadAll();
});

async function start(tls: { useSsl: boolean; mutual: boolean; rootCert?: string }): Promise<GrpcEndpoint> {
  const endpoint = await GrpcEndpoint.start({ dataPlane: testDataPlane(repository, statistics) }, {
    port: 0, address: '127.0.0.1', tls: { ...tls, serverCert: certs.serverCert, serverKey: certs.serverKey },
  });
  endpoints.push(endpoint);
  return endpoint;
}

describe('gRPC TLS (--grpc-use-ssl, --grpc-use-ssl-mutual)', () => {
  it('serves over TLS to a client that trusts the CA, and not to a plaintext client', async () => {
    const endpoint = await start({ useSsl: true, mutual: false });
    const secure = new Client(`127.0.0.1:${endpoint.port}`, grpc.credentials.createSsl(readFileSync(certs.ca))) as unknown as AnyClient;
    assert.equal(await serverLive(secure), true);
    secure.close();
    const plain = new Client(`127.0.0.1:${endpoint.port}`, grpc.credentials.createInsecure()) as unknown as AnyClient;
    await assert.rejects(serverLive(plain), (e: grpc.ServiceError) => e.code === grpc.status.UNAVAILABLE || e.code === grpc.status.DEADLINE_EXCEEDED);
    plain.close();
  });

  it('with mutual TLS, requires a client certificate signed by --grpc-root-cert', async () => {
    const endpoint = await start({ useSsl: true, mutual: true, rootCert: certs.ca });
    const target = `127.0.0.1:${endpoint.port}`;
    const withCert = new Client(target, grpc.credentials.createSsl(readFileSync(certs.ca), readFileSync(certs.clientKey), readFileSync(certs.clientCert))) as unknown as AnyClient;
    assert.equal(await serverLive(withCert), true);
    withCert.close();
    const without = new Client(target, grpc.credentials.createSsl(readFileSync(certs.ca))) as unknown as AnyClient;
    await assert.rejects(serverLive(without));
    without.close();
  });

  it('refuses to start with TLS but no certificate, naming the flags', async () => {
    await assert.rejects(
      GrpcEndpoint.start({ dataPlane: testDataPlane(repository, statistics) }, { port: 0, address: '127.0.0.1', tls: { useSsl: true, mutual: false } }),
      /--grpc-use-ssl needs --grpc-server-cert and --grpc-server-key/,
    );
  });
});
