/**
 * HTTPS for the HTTP endpoint (--http-use-ssl, --http-server-cert, --http-server-key, --http-root-cert,
 * --http-use-ssl-mutual): the real option parser and app wiring, checked with curl and tritonclient.http (ssl=True).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createApp, startEndpoints, stopEndpoints, type App, type Endpoints } from '../../src/app.ts';
import { parseOptions } from '../../src/options/parse-options.ts';
import { makeCertificates, type Certificates } from '../support/certificates.ts';
import { SHIPPED_REPOSITORY } from '../support/http-server.ts';
import { tempDir } from '../support/temp-dir.ts';
import { runProcess, venvPython } from '../python/venv-python.ts';

let certs: Certificates;
before(() => {
  certs = makeCertificates(tempDir());
});

const running: { app: App; endpoints: Endpoints }[] = [];
after(async () => {
  for (const { app, endpoints } of running) {
    await stopEndpoints(endpoints);
    await app.repository.unloadAll();
    app.metrics.close();
    app.statistics.close();
  }
});

/** Starts nereid with HTTPS (and mutual TLS when asked); resolves with `127.0.0.1:<port>`. */
async function serve(mutual: boolean): Promise<string> {
  const options = parseOptions([
    `--model-repository=${SHIPPED_REPOSITORY}`,
    '--model-control-mode=explicit',
    '--load-model=add_sub',
    '--http-address=127.0.0.1',
    '--http-port=0',
    '--allow-grpc=false',
    '--allow-metrics=false',
    '--http-use-ssl=true',
    `--http-server-cert=${certs.serverCert}`,
    `--http-server-key=${certs.serverKey}`,
    ...(mutual ? ['--http-use-ssl-mutual=true', `--http-root-cert=${certs.ca}`] : []),
  ]);
  const app = createApp(options);
  await app.repository.loadAll();
  const endpoints = await startEndpoints(app, options);
  running.push({ app, endpoints });
  return `127.0.0.1:${endpoints.http!.port}`;
}

/** curl's exit code and the HTTP status it printed ('000' when no response came). */
async function curl(...args: string[]): Promise<{ code: number | null; status: string }> {
  const result = await runProcess('curl', ['-sS', '-o', '/dev/null', '-w', '%{http_code}', '--max-time', '20', ...args], { timeoutMs: 30_000 });
  return { code: result.code, status: result.stdout };
}

async function tritonclient(hostPort: string, mutual: boolean): Promise<void> {
  const result = await runProcess(venvPython(), ['test/python/test_https.py', '-v'], {
    env: {
      ...process.env,
      NEREID_HTTPS_URL: hostPort,
      NEREID_CA: certs.ca,
      NEREID_CLIENT_CERT: certs.clientCert,
      NEREID_CLIENT_KEY: certs.clientKey,
      NEREID_MUTUAL: mutual ? '1' : '0',
      PYTHONDONTWRITEBYTECODE: '1',
    },
    echo: true,
    timeoutMs: 90_000,
  });
  assert.equal(result.code, 0, `python unittest failed (exit ${result.code}):\n${result.output}`);
  assert.match(result.output, /Ran 3 tests/);
  assert.match(result.output, /\nOK\b/);
}

describe('HTTPS on the HTTP endpoint', () => {
  it('serves HTTPS to clients that trust the CA; refuses those that do not, and plain HTTP', async () => {
    const hostPort = await serve(false);
    assert.deepEqual(await curl('--cacert', certs.ca, `https://${hostPort}/v2/health/ready`), { code: 0, status: '200' });
    assert.deepEqual(await curl('--cacert', certs.ca, `https://localhost:${hostPort.split(':')[1]}/v2`), { code: 0, status: '200' });
    // 60: the peer certificate cannot be authenticated with known CA certificates.
    assert.equal((await curl(`https://${hostPort}/v2/health/ready`)).code, 60);
    const plain = await curl(`http://${hostPort}/v2/health/ready`);
    assert.notEqual(plain.code, 0);
    assert.notEqual(plain.status, '200');
    await tritonclient(hostPort, false);
  });

  it('with mutual TLS, serves only clients with a certificate signed by --http-root-cert', async () => {
    const hostPort = await serve(true);
    const url = `https://${hostPort}/v2/health/ready`;
    assert.deepEqual(await curl('--cacert', certs.ca, '--cert', certs.clientCert, '--key', certs.clientKey, url), { code: 0, status: '200' });
    const without = await curl('--cacert', certs.ca, url);
    assert.notEqual(without.code, 0);
    assert.equal(without.status, '000');
    await tritonclient(hostPort, true);
  });

  it('refuses to start with HTTPS but no certificate, naming the flags', async () => {
    const options = parseOptions([`--model-repository=${SHIPPED_REPOSITORY}`, '--http-port=0', '--allow-grpc=false', '--allow-metrics=false', '--http-use-ssl=1']);
    const app = createApp(options);
    await assert.rejects(startEndpoints(app, options), /--http-use-ssl needs --http-server-cert and --http-server-key/);
    const mutual = parseOptions([`--model-repository=${SHIPPED_REPOSITORY}`, '--http-port=0', '--allow-grpc=false', '--allow-metrics=false',
      '--http-use-ssl-mutual=1', `--http-server-cert=${certs.serverCert}`, `--http-server-key=${certs.serverKey}`]);
    await assert.rejects(startEndpoints(app, mutual), /--http-use-ssl-mutual needs --http-root-cert/);
    app.metrics.close();
    app.statistics.close();
  });
});
