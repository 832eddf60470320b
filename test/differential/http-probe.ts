/** One raw HTTP exchange (fresh connection, no client-side normalisation), for comparing two servers byte for byte. */
import { request } from 'node:http';

export interface HttpAnswer {
  readonly status: number;
  /** Lower-case header names. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
}

export interface HttpCall {
  readonly method: string;
  readonly path: string;
  readonly body?: string | Buffer;
  readonly headers?: Readonly<Record<string, string>>;
}

export function httpCall(hostPort: string, call: HttpCall): Promise<HttpAnswer> {
  const [host, port] = hostPort.split(':') as [string, string];
  const body = call.body === undefined ? undefined : Buffer.from(call.body);
  const headers: Record<string, string> = { ...(call.headers ?? {}) };
  if (body !== undefined && headers['content-length'] === undefined) headers['content-length'] = String(body.length);
  return new Promise((resolve, reject) => {
    const req = request({ host, port: Number(port), method: call.method, path: call.path, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const out: Record<string, string> = {};
        for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : v;
        resolve({ status: res.statusCode ?? 0, headers: out, body: Buffer.concat(chunks) });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}
