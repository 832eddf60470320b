/**
 * The HTTP/REST endpoint (KServe v2 + Triton extensions) on node:http (node:https with --http-use-ssl). The infer
 * route is dispatched here, before express, so the hot path never pays for express; everything else goes to the
 * express control plane. CORS (--http-cors-origin) comes first, answering preflights; then restricted APIs are refused
 * here, by path, before either.
 */
import { HttpListener } from '../http-listener.ts';
import type { DataPlane } from '../../core/data-plane.ts';
import type { Restrictions } from '../../options/restricted-features.ts';
import type { TlsOptions } from '../../options/server-options.ts';
import { createControlPlane } from './control-plane.ts';
import { corsHandler } from './cors.ts';
import { createHttpServer } from './https-server.ts';
import { handleInfer, type InferRouteContext } from './infer-route.ts';
import { restrictionGuard } from './restricted-routes.ts';
import { sendPlainErrorMessage } from './responses.ts';
import { INFER_PATH, pathOf } from './routes.ts';

export interface HttpEndpointOptions {
  readonly port: number;
  readonly address: string;
  /** --http-max-input-size in bytes. */
  readonly maxInputSize: number;
  /** --http-restricted-api: categories whose routes need a header (none when absent). */
  readonly restrictedApis?: Restrictions;
  /** --http-cors-origin: origins whose browser pages may call the API (no CORS headers when absent or empty). */
  readonly corsOrigins?: readonly string[];
  /** --http-use-ssl and friends (plain HTTP when absent). */
  readonly tls?: TlsOptions;
}

/** What the endpoint serves: the one data plane. */
export interface HttpEndpointDeps {
  readonly dataPlane: DataPlane;
}

export class HttpEndpoint {
  private constructor(
    private readonly listener: HttpListener,
    private readonly counter: { active: number },
  ) {}

  /** Requests received whose response has not finished (graceful shutdown waits for these). */
  get activeRequests(): number {
    return this.counter.active;
  }

  /** Starts listening; resolves once the port is bound (port 0 picks a free one, see `port`). */
  static async start(deps: HttpEndpointDeps, options: HttpEndpointOptions): Promise<HttpEndpoint> {
    const inferContext: InferRouteContext = { dataPlane: deps.dataPlane, maxInputSize: options.maxInputSize };
    const controlPlane = createControlPlane(inferContext);

    const counter = { active: 0 };
    const finished = (): void => void counter.active--;
    // Decided once here: without CORS origins or restrictions these are undefined and requests skip them.
    const cors = corsHandler(options.corsOrigins ?? []);
    const guard = restrictionGuard(options.restrictedApis ?? {});
    const server = createHttpServer((req, res) => {
      counter.active++;
      res.on('close', finished);
      if (cors !== undefined && cors(req, res)) return;
      const path = pathOf(req.url);
      if (guard !== undefined && guard(req, res, path)) return;
      const match = INFER_PATH.exec(path);
      if (match === null) {
        controlPlane(req, res);
        return;
      }
      if (req.method !== 'POST') {
        req.resume();
        sendPlainErrorMessage(res, 405, 'Method Not Allowed');
        return;
      }
      void handleInfer(req, res, match[1]!, match[2], inferContext);
    }, options.tls);
    return new HttpEndpoint(await HttpListener.listen(server, options.port, options.address), counter);
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
