/**
 * The Prometheus metrics endpoint (Triton's port 8002) on bare node:http: `GET /metrics` or `/metrics/` answers the
 * registry in the text exposition format; another method on those paths is 405 and any other path 404, both with
 * Triton's JSON error body. The query string is ignored.
 */
import http from 'node:http';
import { HttpListener } from '../http-listener.ts';
import type { Metrics } from '../../observe/metrics.ts';
import { sendErrorMessage } from '../http/responses.ts';
import { pathOf } from '../http/routes.ts';

export interface MetricsEndpointOptions {
  readonly port: number;
  readonly address: string;
}

const METRICS_PATH = /^\/metrics\/?$/;

export class MetricsEndpoint {
  private constructor(private readonly listener: HttpListener) {}

  /** Starts listening; resolves once the port is bound (port 0 picks a free one, see `port`). */
  static async start(metrics: Metrics, options: MetricsEndpointOptions): Promise<MetricsEndpoint> {
    const server = http.createServer((req, res) => {
      req.resume();
      if (!METRICS_PATH.test(pathOf(req.url))) {
        sendErrorMessage(res, 404, 'Not Found');
        return;
      }
      if (req.method !== 'GET') {
        sendErrorMessage(res, 405, 'Method Not Allowed');
        return;
      }
      metrics.registry.metrics().then(
        (text) => {
          const body = Buffer.from(text);
          res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': body.length });
          res.end(body);
        },
        (error: unknown) => sendErrorMessage(res, 500, error instanceof Error ? error.message : String(error)),
      );
    });
    return new MetricsEndpoint(await HttpListener.listen(server, options.port, options.address));
  }

  get port(): number {
    return this.listener.port;
  }

  /** Stops accepting connections; requests in progress carry on. */
  stopAccepting(): void {
    this.listener.stopAccepting();
  }

  /** Stops accepting connections and closes the open ones. */
  close(): Promise<void> {
    return this.listener.close();
  }
}
