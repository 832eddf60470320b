/**
 * --http-cors-origin: its parsing, then the real option parser, app wiring and endpoint (port 0) answering simple
 * requests and preflights from a matching origin, from another one, with `*`, without the flag, and over HTTPS
 * under --http-restricted-api.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import https from 'node:https';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { createApp, startEndpoints, stopEndpoints, type App, type Endpoints } from '../../src/app.ts';
import { makeCertificates, type Certificates } from '../support/certificates.ts';
import { SHIPPED_REPOSITORY } from '../support/http-server.ts';
import { tempDir } from '../support/temp-dir.ts';
import { parseOptions } from '../../src/options/parse-options.ts';
import { bad, fails, parse, REPO } from '../options/support.ts';

const PAGE = 'http://page.example:8080';
const EXPOSED = 'Inference-Header-Content-Length, Content-Encoding, Retry-After';
const INFER = '/v2/models/add_sub/infer';
const INFER_BODY = JSON.stringify({
  inputs: ['INPUT0', 'INPUT1'].map((name) => ({ name, datatype: 'FP32', shape: [1, 16], data: Array.from({ length: 16 }, (_, i) => i) })),
});

describe('--http-cors-origin parsing', () => {
  it('is off by default', () => {
    assert.deepEqual(parse().httpCorsOrigins, []);
  });

  it('takes origins comma-separated and repeated, each once, as browsers serialize them', () => {
    const o = parse('--http-cors-origin=https://a.example, http://b.example:8080', '--http-cors-origin', 'HTTP://A.Example:80,https://a.example:443');
    assert.deepEqual(o.httpCorsOrigins, ['https://a.example', 'http://b.example:8080', 'http://a.example']);
    assert.deepEqual(parse('--http-cors-origin=*').httpCorsOrigins, ['*']);
    assert.deepEqual(parse('--http-cors-origin=http://127.0.0.1:3000,http://[::1]:3000').httpCorsOrigins, ['http://127.0.0.1:3000', 'http://[::1]:3000']);
  });

  it('refuses what is not <scheme>://<host>[:<port>] nor *', () => {
    for (const value of ['example.com', 'http://example.com/', 'http://example.com/app', 'http://example.com?x', 'ftp://example.com',
      'http://', 'http://user@example.com', 'http://example.com:99999', 'http://a b', '**', '', 'http://a.example,']) {
      const piece = value === 'http://a.example,' ? '' : value;
      fails([REPO, `--http-cors-origin=${value}`],
        bad('http-cors-origin', `invalid origin '${piece}': expected <scheme>://<host>[:<port>] (http or https) or *`));
    }
  });
});

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** One request with node:http(s), so that Origin and the preflight headers go out exactly as given. */
function request(url: string, method: string, headers: Record<string, string>, body?: string, ca?: Buffer): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const send = url.startsWith('https:') ? https.request : http.request;
    const req = send(url, { method, headers, ...(ca === undefined ? {} : { ca }) }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString() }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** The response's access-control-* headers and Vary, by name. */
function corsHeaders(answer: Answer): Record<string, string | string[] | undefined> {
  return Object.fromEntries(Object.entries(answer.headers).filter(([name]) => name.startsWith('access-control-') || name === 'vary'));
}

function preflight(url: string, origin: string, method: string, requestHeaders?: string, ca?: Buffer): Promise<Answer> {
  return request(url, 'OPTIONS', {
    Origin: origin,
    'Access-Control-Request-Method': method,
    ...(requestHeaders === undefined ? {} : { 'Access-Control-Request-Headers': requestHeaders }),
  }, undefined, ca);
}

const running: { app: App; endpoints: Endpoints }[] = [];
after(async () => {
  for (const { app, endpoints } of running) {
    await stopEndpoints(endpoints);
    await app.repository.unloadAll();
    app.metrics.close();
    app.statistics.close();
  }
});

/** Starts nereid (add_sub only) with `flags`; resolves with its base URL. */
async function serve(flags: string[], scheme = 'http'): Promise<string> {
  const options = parseOptions([
    `--model-repository=${SHIPPED_REPOSITORY}`,
    '--model-control-mode=explicit',
    '--load-model=add_sub',
    '--http-address=127.0.0.1',
    '--http-port=0',
    '--allow-grpc=false',
    '--allow-metrics=false',
    ...flags,
  ]);
  const app = createApp(options);
  await app.repository.loadAll();
  const endpoints = await startEndpoints(app, options);
  running.push({ app, endpoints });
  return `${scheme}://127.0.0.1:${endpoints.http!.port}`;
}

describe('CORS on the HTTP endpoint', () => {
  let cors: string;
  let plain: string;
  before(async () => {
    [cors, plain] = await Promise.all([serve([`--http-cors-origin=${PAGE},http://other.example`]), serve([])]);
  });

  it('a simple GET from a matching origin gets the origin, Vary and the exposed headers', async () => {
    const answer = await request(`${cors}/v2/health/ready`, 'GET', { Origin: PAGE });
    assert.equal(answer.status, 200);
    assert.deepEqual(corsHeaders(answer), {
      'access-control-allow-origin': PAGE,
      'access-control-expose-headers': EXPOSED,
      vary: 'Origin',
    });
  });

  it('infer (the fast path) and its errors carry them too, so the page can read the answer', async () => {
    const ok = await request(`${cors}${INFER}`, 'POST', { Origin: PAGE, 'Content-Type': 'application/json' }, INFER_BODY);
    assert.equal(ok.status, 200);
    assert.equal(ok.headers['access-control-allow-origin'], PAGE);
    assert.equal(ok.headers['access-control-expose-headers'], EXPOSED);
    const missing = await request(`${cors}/v2/models/no_such_model/infer`, 'POST', { Origin: PAGE }, INFER_BODY);
    assert.equal(missing.status, 404);
    assert.equal(missing.headers['access-control-allow-origin'], PAGE);
  });

  it('a non-matching origin gets no CORS headers, and its preflight the answer it got before', async () => {
    const answer = await request(`${cors}/v2/health/ready`, 'GET', { Origin: 'http://evil.example' });
    assert.equal(answer.status, 200);
    assert.deepEqual(corsHeaders(answer), {});
    for (const path of [INFER, '/v2/health/live', '/nowhere']) {
      const refused = await preflight(`${cors}${path}`, 'http://evil.example', 'POST', 'content-type');
      const before = await preflight(`${plain}${path}`, 'http://evil.example', 'POST', 'content-type');
      assert.deepEqual([refused.status, refused.body, corsHeaders(refused)], [before.status, before.body, {}], path);
      assert.notEqual(refused.status, 204, path);
    }
  });

  it('a request without Origin gets no CORS headers', async () => {
    assert.deepEqual(corsHeaders(await request(`${cors}/v2/health/live`, 'GET', {})), {});
  });

  it('the preflight of a binary infer is answered 204 without reaching the route', async () => {
    const answer = await preflight(`${cors}${INFER}`, PAGE, 'POST', 'inference-header-content-length,content-type');
    assert.equal(answer.status, 204);
    assert.equal(answer.body, '');
    assert.deepEqual(corsHeaders(answer), {
      'access-control-allow-origin': PAGE,
      'access-control-allow-methods': 'GET, POST, OPTIONS',
      'access-control-allow-headers': 'inference-header-content-length,content-type',
      'access-control-max-age': '600',
      vary: 'Origin',
    });
    // Every route, unknown paths included; no requested headers: none echoed.
    for (const path of ['/v2/health/live', '/v2/repository/index', '/nowhere']) {
      const other = await preflight(`${cors}${path}`, 'http://other.example', 'GET');
      assert.equal(other.status, 204, path);
      assert.equal(other.headers['access-control-allow-origin'], 'http://other.example');
      assert.equal(other.headers['access-control-allow-headers'], undefined);
    }
  });

  it('an OPTIONS request that is no preflight goes to the route', async () => {
    const answer = await request(`${cors}${INFER}`, 'OPTIONS', { Origin: PAGE });
    assert.equal(answer.status, 405);
    assert.equal(answer.headers['access-control-allow-origin'], PAGE);
  });

  it('* allows any origin, answering *', async () => {
    const any = await serve(['--http-cors-origin=*']);
    const answer = await request(`${any}/v2/health/live`, 'GET', { Origin: 'http://anywhere.example:1234' });
    assert.equal(answer.headers['access-control-allow-origin'], '*');
    assert.equal(answer.headers['access-control-expose-headers'], EXPOSED);
    const pre = await preflight(`${any}${INFER}`, 'https://elsewhere.example', 'POST', 'Content-Type');
    assert.equal(pre.status, 204);
    assert.equal(pre.headers['access-control-allow-origin'], '*');
    assert.equal(pre.headers['access-control-allow-headers'], 'Content-Type');
  });

  it('without the flag nothing changes: no headers, OPTIONS as before', async () => {
    const answer = await request(`${plain}/v2/health/ready`, 'GET', { Origin: PAGE });
    assert.equal(answer.status, 200);
    assert.deepEqual(corsHeaders(answer), {});
    const pre = await preflight(`${plain}${INFER}`, PAGE, 'POST', 'content-type');
    assert.equal(pre.status, 405);
    assert.deepEqual(corsHeaders(pre), {});
    assert.equal(JSON.parse(pre.body).error, 'Method Not Allowed');
  });
});

describe('CORS over HTTPS under --http-restricted-api', () => {
  let certs: Certificates;
  let ca: Buffer;
  let url: string;
  before(async () => {
    certs = makeCertificates(tempDir());
    ca = readFileSync(certs.ca);
    url = await serve([
      `--http-cors-origin=${PAGE}`,
      '--http-restricted-api=inference:infer-key=secret',
      '--http-use-ssl=true',
      `--http-server-cert=${certs.serverCert}`,
      `--http-server-key=${certs.serverKey}`,
    ], 'https');
  });

  it('the preflight (which carries no custom header) is answered; the request itself still needs the header', async () => {
    const pre = await preflight(`${url}${INFER}`, PAGE, 'POST', 'content-type,infer-key', ca);
    assert.equal(pre.status, 204);
    assert.equal(pre.headers['access-control-allow-origin'], PAGE);
    assert.equal(pre.headers['access-control-allow-headers'], 'content-type,infer-key');

    const refused = await request(`${url}${INFER}`, 'POST', { Origin: PAGE, 'Content-Type': 'application/json' }, INFER_BODY, ca);
    assert.equal(refused.status, 403);
    assert.equal(refused.headers['access-control-allow-origin'], PAGE);
    assert.equal(JSON.parse(refused.body).error, "This API is restricted, expecting header 'infer-key'");

    const served = await request(`${url}${INFER}`, 'POST', { Origin: PAGE, 'Content-Type': 'application/json', 'infer-key': 'secret' }, INFER_BODY, ca);
    assert.equal(served.status, 200);
    assert.equal(served.headers['access-control-allow-origin'], PAGE);
  });
});
