/**
 * The load generator's HTTP side: keep-alive POSTs of one fixed body, at most `concurrency` sockets.
 */
import http from 'node:http';
import type { SendOne } from './load-generator.ts';

/** A fixed HTTP request: the body and the headers that go with it (Content-Length is added). */
export interface HttpRequestSpec {
  readonly path: string;
  readonly body: Buffer;
  readonly headers: Readonly<Record<string, string>>;
}

export interface HttpTarget {
  readonly send: SendOne;
  /** Closes the keep-alive sockets. */
  close(): void;
}

/**
 * A sender of `spec` to 127.0.0.1:`port` (of each spec in turn when given several). A request fails when the
 * connection fails or the status is not 200 (the message carries the status and the start of the body).
 */
export function httpTarget(port: number, spec: HttpRequestSpec | readonly HttpRequestSpec[], concurrency: number): HttpTarget {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const requests = (Array.isArray(spec) ? spec : [spec]).map((s: HttpRequestSpec) => ({
    path: s.path, body: s.body, headers: { ...s.headers, 'Content-Length': String(s.body.length) },
  }));
  let next = 0;
  const send = (): Promise<void> => new Promise((resolve, reject) => {
    const { path, body, headers } = requests[next++ % requests.length]!;
    const req = http.request({ host: '127.0.0.1', port, path, method: 'POST', agent, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => { if (res.statusCode !== 200) chunks.push(chunk); });
      res.on('end', () => {
        if (res.statusCode === 200) resolve();
        else reject(new Error(`HTTP ${res.statusCode}: ${Buffer.concat(chunks).toString().slice(0, 300)}`));
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
  return { send, close: () => agent.destroy() };
}

/** The status code of GET `path` from 127.0.0.1:`port` (the body is read and dropped). */
export function getStatus(port: number, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    }).on('error', reject);
  });
}

/** GET `path` from 127.0.0.1:`port` and parse the JSON answer; rejects unless the status is 200. */
export function getJson(port: number, path: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        if (res.statusCode !== 200) reject(new Error(`GET ${path}: ${res.statusCode} ${text}`));
        else {
          try {
            resolve(JSON.parse(text));
          } catch (error) {
            reject(error);
          }
        }
      });
    }).on('error', reject);
  });
}
