/**
 * A client that disconnects after sending its whole body but before the server has decompressed it: its request
 * must never run. The route listens for the close before it awaits anything, so the close is seen during the
 * decompression and the request is dropped (CANCELED) instead of executed.
 *
 * Deterministic: decompression runs on libuv's thread pool, and every pool thread is first parked in a blocking open
 * of a FIFO, so the inflate cannot finish until the test has seen the server close the response; only then are the
 * FIFOs opened for writing, which releases the pool.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import diagnostics from 'node:diagnostics_channel';
import { closeSync, constants, open, openSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { connect } from 'node:net';
import { join } from 'node:path';
import { it } from 'node:test';
import zlib from 'node:zlib';
import { requestChannel, type FailureReason, type RequestEvent } from '../../src/core/inference-events.ts';
import { startTestServer } from '../support/http-server.ts';
import { tempDir } from '../support/temp-dir.ts';
import { nextMessage } from '../support/wait.ts';

/** Parks every thread of the pool in open(2) of its own FIFO; the returned function releases them. */
async function blockThreadPool(): Promise<() => Promise<void>> {
  const dir = tempDir();
  const size = Number(process.env.UV_THREADPOOL_SIZE ?? 4);
  const fifos = Array.from({ length: size }, (_, i) => join(dir, `fifo${i}`));
  execFileSync('mkfifo', fifos);
  const opened = fifos.map((fifo) => new Promise<number>((resolve, reject) =>
    open(fifo, 'r', (error, fd) => (error ? reject(error) : resolve(fd)))));
  return async () => {
    // O_RDWR never blocks on Linux; it gives each parked reader its writer.
    const writers = fifos.map((fifo) => openSync(fifo, constants.O_RDWR));
    for (const fd of [...(await Promise.all(opened)), ...writers]) closeSync(fd);
  };
}

it('a client gone while its gzip body is being decompressed: the request never runs', { timeout: 120_000 }, async () => {
  const server = await startTestServer();
  const input = (name: string) => ({ name, datatype: 'FP32', shape: [1, 16], data: new Array(16).fill(1) });
  const body = zlib.gzipSync(JSON.stringify({ inputs: [input('INPUT0'), input('INPUT1')] }));
  const outcome = nextMessage(requestChannel, (m) => {
    const event = m as RequestEvent;
    return event.plan.name === 'add_sub' ? { ok: event.ok, reason: event.failureReason as FailureReason } : undefined;
  });

  // Node's own channel hands over the response, so the test can wait for its close as the route does.
  const closed = nextMessage(diagnostics.channel('http.server.request.start'), (m) => {
    const { response } = m as { response: ServerResponse };
    return new Promise<void>((resolve) => response.once('close', resolve));
  });
  const release = await blockThreadPool();
  const socket = connect(server.endpoint.port, '127.0.0.1');
  socket.on('error', () => {}); // the server may reset the connection it closes
  // The whole request, then FIN: the server reads the complete body (and starts the inflate) before it sees the end.
  socket.end(Buffer.concat([
    Buffer.from(`POST /v2/models/add_sub/infer HTTP/1.1\r\nHost: x\r\nContent-Encoding: gzip\r\nContent-Length: ${body.length}\r\n\r\n`),
    body,
  ]));
  await closed;
  await release();

  assert.deepEqual(await outcome, { ok: false, reason: 'CANCELED' });
  const { model_stats: [stats] } = await (await fetch(server.url + '/v2/models/add_sub/stats')).json() as { model_stats: any[] };
  assert.equal(stats.execution_count, 0, 'the request never executed');
  assert.equal(stats.inference_stats.fail.count, 1, 'it counts as a failure');
});
