/**
 * The compiled server runs plain JavaScript: `node dist/main.js` over the shipped models, with a preloaded hook
 * logging every module each thread (the main thread and every instance worker) resolves and loads. No `.ts` file and
 * no part of tsx may appear; the workers must be seen loading dist/instance/worker-entry.js (which proves the hook
 * reached them).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { tempDir } from '../support/temp-dir.ts';
import { buildDist, ROOT } from './build.ts';

/**
 * Runs the compiled server until all its endpoints are up (so every model's worker has loaded), then kills it: the
 * log is written synchronously, so it is complete whatever the exit. Returns the output and the load log.
 */
async function runCompiledServer(): Promise<{ output: string; log: string[] }> {
  const logFile = join(tempDir(), 'loads.log');
  const child = spawn(
    process.execPath,
    ['--import', pathToFileURL(join(ROOT, 'test/package/load-log-register.mjs')).href, 'dist/main.js',
      '--model-repository=model_repository', '--http-port=0', '--grpc-port=0', '--metrics-port=0'],
    { cwd: ROOT, env: { ...process.env, NEREID_LOAD_LOG: logFile }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
  await new Promise<void>((resolve) => {
    const append = (chunk: Buffer): void => {
      output += chunk.toString();
      // The metrics endpoint starts last, after every model has loaded.
      if (output.includes('Started Metrics Service')) resolve();
    };
    child.stdout.on('data', append);
    child.stderr.on('data', append);
    void exited.then(() => resolve());
  });
  child.kill('SIGKILL');
  await exited;
  return { output, log: readFileSync(logFile, 'utf8').trim().split('\n') };
}

test('node dist/main.js and its instance workers load no TypeScript and no tsx', { timeout: 300_000 }, async () => {
  buildDist();
  const { output, log } = await runCompiledServer();
  assert.match(output, /Started Metrics Service/, output);

  const urls = log.filter((line) => !line.startsWith('thread ')).map((line) => line.slice(line.indexOf(' ') + 1));
  const typescript = [...new Set(urls.filter((url) => /\.[cm]?tsx?$/.test(new URL(url).pathname)))];
  assert.deepEqual(typescript, [], 'no TypeScript file loaded');
  const loaders = urls.filter((url) => url.includes('/node_modules/tsx/') || url.endsWith('/worker-bootstrap.mjs'));
  assert.deepEqual(loaders, [], 'neither tsx nor the source-tree worker bootstrap loaded');

  // The instance pool hosts every model's sessions on its workers (at least one, at most one per core at a time).
  const workers = log.filter((line) => /^thread \d+ worker$/.test(line));
  assert.ok(workers.length >= 1, `instance worker threads logged:\n${log.join('\n')}`);
  const workerEntry = pathToFileURL(join(ROOT, 'dist/instance/worker-entry.js')).href;
  assert.equal(log.filter((line) => line === `load ${workerEntry}`).length, workers.length, 'each worker loads worker-entry.js');
  assert.ok(log.includes(`load ${pathToFileURL(join(ROOT, 'dist/main.js')).href}`));
});
