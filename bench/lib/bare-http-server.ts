/**
 * The HTTP transport ceiling: a bare node:http server (run as its own process by servers.ts) that reads each POST to
 * /v2/models/<model>/infer to its end and answers with the bytes nereid would send for the bench request, without
 * parsing anything: the binary answer when the request has Inference-Header-Content-Length, else the JSON one.
 * Prints `listening <port>` once bound to 127.0.0.1.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { BENCH_MODELS, httpBinaryResponse, httpJsonResponse } from './payloads.ts';

const answers = new Map(BENCH_MODELS.map((model) => [
  `/v2/models/${model.name}/infer`,
  { binary: httpBinaryResponse(model), json: httpJsonResponse(model) },
]));

const server = http.createServer((req, res) => {
  req.on('data', () => {});
  req.on('end', () => {
    const answer = answers.get(req.url ?? '');
    if (answer === undefined) {
      res.writeHead(404).end();
    } else if (req.headers['inference-header-content-length'] !== undefined) {
      res.writeHead(200, {
        'Content-Type': 'application/octet-stream',
        'Inference-Header-Content-Length': String(answer.binary.headerLength),
        'Content-Length': String(answer.binary.body.length),
      });
      res.end(answer.binary.body);
    } else {
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': String(answer.json.length) });
      res.end(answer.json);
    }
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => console.log(`listening ${(server.address() as AddressInfo).port}`));
process.on('SIGTERM', () => process.exit(0));
