/**
 * HttpClient in a real browser: Debian's Chromium driven by playwright-core. The client is built for the browser with
 * tsc (ES modules with relative `.js` imports, which the page loads natively) and served with a small page from a
 * static server; nereid runs on another port (another origin) with --http-cors-origin naming the page's origin, so
 * every call really crosses origins (binary, gzip and JSON infers are preflighted). The checks run in the page
 * (browser-checks.ts) and return plain data; a second nereid without the flag shows the browser blocking the calls.
 * Without /usr/bin/chromium (and no way to install it: scripts/install-chromium.sh) one skipped test says why.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { createServer, type NereidServer } from '../../src/server.ts';
import { SHIPPED_REPOSITORY } from '../support/http-server.ts';
import { tempDir } from '../support/temp-dir.ts';
import { ONES, RAMP, type PlainError, type PlainOutput } from './browser-checks.ts';
import type * as Checks from './browser-checks.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CHROMIUM = '/usr/bin/chromium';
const run = promisify(execFile);

/** Why the browser cannot run here (after trying to install it), or undefined when it can. */
async function chromiumUnavailable(): Promise<string | undefined> {
  if (existsSync(CHROMIUM)) return undefined;
  try {
    await run('bash', [path.join(ROOT, 'scripts/install-chromium.sh')]);
    return undefined;
  } catch (error) {
    return `${CHROMIUM} is missing and scripts/install-chromium.sh could not install it: ${(error as { stderr?: string }).stderr?.trim() || (error as Error).message}`;
  }
}

/**
 * Compiles the client's browser entry (index.ts and what it imports, never the Node-only gRPC or shared-memory code)
 * and the page's checks into `out`, mirroring the repository's layout. Resolves with the URL paths of both.
 */
async function buildForBrowser(out: string): Promise<{ index: string; checks: string }> {
  const config = path.join(out, 'tsconfig.json');
  writeFileSync(config, JSON.stringify({
    extends: path.join(ROOT, 'packages/client/tsconfig.build.json'),
    // No Node types: the browser entry must build on the DOM's alone.
    compilerOptions: { rootDir: ROOT, outDir: path.join(out, 'www'), types: [], incremental: false, tsBuildInfoFile: null, declaration: false, sourceMap: false },
    files: [path.join(ROOT, 'packages/client/src/index.ts'), path.join(ROOT, 'test/client/browser-checks.ts')],
    include: [],
  }));
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  await run(process.execPath, [tsc, '-p', config]).catch((error: { stdout?: string }) => {
    throw new Error(`tsc failed to build the client for the browser:\n${error.stdout ?? String(error)}`);
  });
  return { index: '/packages/client/src/index.js', checks: '/test/client/browser-checks.js' };
}

const CONTENT_TYPES: Record<string, string> = { '.js': 'text/javascript', '.html': 'text/html; charset=utf-8' };

/** Serves `root`'s .js files and an empty page at `/` on 127.0.0.1:0: the page's origin. */
async function serveStatic(root: string): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    const pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const file = path.join(root, pathname === '/' ? 'index.html' : pathname);
    const type = CONTENT_TYPES[path.extname(file)];
    if (!file.startsWith(root + path.sep) || type === undefined || !existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'Content-Type': type }).end(readFileSync(file));
  });
  writeFileSync(path.join(root, 'index.html'), '<!doctype html><title>nereid-client in the browser</title>\n');
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

/** nereid on 127.0.0.1:0 over the shipped repository (explicit mode, only the models the checks use). */
async function startNereid(flags: string[]): Promise<NereidServer> {
  const server = createServer([
    `--model-repository=${SHIPPED_REPOSITORY}`,
    '--model-control-mode=explicit',
    '--http-address=127.0.0.1',
    '--http-port=0',
    '--allow-grpc=false',
    '--allow-metrics=false',
    ...flags,
  ]);
  await server.start();
  return server;
}

type CheckName = { [K in keyof typeof Checks]: (typeof Checks)[K] extends (...args: never[]) => unknown ? K : never }[keyof typeof Checks];

const unavailable = await chromiumUnavailable();

// A skipped test rather than a skipped suite, so that the run's summary counts it and prints the reason.
if (unavailable !== undefined) it('HttpClient in Chromium, across origins', (t) => t.skip(unavailable));
else describe('HttpClient in Chromium, across origins', () => {
  let statics: http.Server | undefined;
  const nereids: NereidServer[] = [];
  let browser: Browser | undefined;
  let page: Page;
  let urls: { index: string; checks: string; cors: string; plain: string };

  before(async () => {
    const out = tempDir('nereid-browser-');
    const built = await buildForBrowser(out);
    const served = await serveStatic(path.join(out, 'www'));
    statics = served;
    const origin = `http://127.0.0.1:${(served.address() as AddressInfo).port}`;
    const cors = await startNereid([`--http-cors-origin=${origin}`, '--load-model=add_sub', '--load-model=mlp_classifier', '--load-model=identity_bytes']);
    nereids.push(cors);
    const plain = await startNereid(['--load-model=add_sub']);
    nereids.push(plain);
    urls = { index: origin + built.index, checks: origin + built.checks, cors: `http://127.0.0.1:${cors.ports.http}`, plain: `http://127.0.0.1:${plain.ports.http}` };
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
        '--disable-component-update', '--disable-sync'],
      timeout: 120_000,
    });
    page = await browser.newPage();
    page.setDefaultTimeout(120_000);
    await page.goto(`${origin}/`);
  });

  after(async () => {
    await browser?.close();
    if (statics !== undefined) {
      const closed = new Promise((resolve) => statics!.close(resolve));
      statics.closeAllConnections();
      await closed;
    }
    for (const server of nereids) await server.stop();
  });

  /** Runs one check in the page: it imports the built client and the checks by URL and calls the check named. */
  function inPage<K extends CheckName>(check: K, server: 'cors' | 'plain' = 'cors'): Promise<Awaited<ReturnType<(typeof Checks)[K]>>> {
    return page.evaluate(
      async ({ index, checks, name, url }) => {
        const [client, module] = await Promise.all([import(index), import(checks)]);
        return module[name](client, url);
      },
      { index: urls.index, checks: urls.checks, name: check, url: urls[server] },
    );
  }

  const values = (outputs: PlainOutput[]): Record<string, PlainOutput['values']> => Object.fromEntries(outputs.map((o) => [o.name, o.values]));
  const sum = RAMP.map((x, i) => x + ONES[i]!);
  const difference = RAMP.map((x, i) => x - ONES[i]!);

  it('isServerLive and isModelReady', async () => {
    assert.deepEqual(await inPage('health'), { live: true, addSubReady: true, unknownReady: false });
  });

  it('infers add_sub with binary tensors', async () => {
    const outputs = await inPage('addSubBinary');
    assert.deepEqual(outputs.map((o) => [o.name, o.datatype, o.shape]), [['OUTPUT0', 'FP32', [1, 16]], ['OUTPUT1', 'FP32', [1, 16]]]);
    assert.deepEqual(values(outputs), { OUTPUT0: sum, OUTPUT1: difference });
  });

  it('infers add_sub in JSON', async () => {
    assert.deepEqual(values(await inPage('addSubJson')), { OUTPUT0: sum, OUTPUT1: difference });
  });

  it('infers add_sub with a gzip request body', async () => {
    assert.deepEqual(values(await inPage('addSubGzip')), { OUTPUT0: sum, OUTPUT1: difference });
  });

  it('classifies with mlp_classifier: the top two as value:index:label', async () => {
    const { probabilities, classes } = await inPage('classify');
    const p = probabilities[0]!.values as number[];
    assert.equal(p.length, 4);
    const labels = readFileSync(path.join(SHIPPED_REPOSITORY, 'mlp_classifier/labels.txt'), 'utf8').trim().split('\n');
    const top = [...p.keys()].sort((a, b) => p[b]! - p[a]!).slice(0, 2);
    const out = classes[0]!;
    assert.deepEqual([out.name, out.datatype, out.shape], ['probabilities', 'BYTES', [1, 2]]);
    assert.deepEqual(out.values.map((v) => String(v).split(':').slice(1)), top.map((i) => [String(i), labels[i]!]));
    out.values.forEach((v, k) => assert.ok(Math.abs(Number(String(v).split(':')[0]) - p[top[k]!]!) < 1e-5, String(v)));
  });

  it('echoes BYTES through identity_bytes', async () => {
    assert.deepEqual(await inPage('bytes'), [{ name: 'OUTPUT0', datatype: 'BYTES', shape: [1, 3], values: ['héllo', '', 'wörld 🌊'] }]);
  });

  it('an unknown model rejects with InferenceServerError, status 404 and Triton\'s message', async () => {
    const error = (await inPage('unknownModel')) as PlainError;
    assert.deepEqual([error.name, error.isInferenceServerError, error.status], ['InferenceServerError', true, 404]);
    assert.match(error.message, /^Request for unknown model: 'no_such_model' is not found/);
  });

  it('an already-aborted signal rejects with its reason', async () => {
    assert.deepEqual(await inPage('aborted'), { sameReason: true, message: 'stopped by the page' });
  });

  it('without --http-cors-origin the browser blocks the calls: InferenceServerError without a status', async () => {
    const { live, infer } = await inPage('blocked', 'plain');
    for (const error of [live, infer] as PlainError[]) {
      assert.deepEqual([error.name, error.isInferenceServerError, error.status], ['InferenceServerError', true, undefined]);
      assert.match(error.message, /failed: Failed to fetch$/);
    }
  });
});
