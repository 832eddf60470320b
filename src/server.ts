/**
 * nereid in-process: a server made from the same options the `nereid` command parses, started and stopped by the
 * embedding program, with its data plane reachable directly (no socket needed to infer, read metadata or load
 * models). The command (main.ts) does the same steps around signals and the status table.
 */
import { applyLogOptions, createApp, shutDown, startEndpoints, startPolling, type App, type Endpoints } from './app.ts';
import type { DataPlane } from './core/data-plane.ts';
import { parseOptions } from './options/parse-options.ts';
import type { ServerOptions } from './options/server-options.ts';

/** The ports the endpoints listen on once started (absent: that endpoint is disabled or not started). */
export interface ServerPorts {
  readonly http?: number;
  readonly grpc?: number;
  readonly metrics?: number;
}

export interface NereidServer {
  /** The parsed options the server was made from. */
  readonly options: ServerOptions;
  /** The one door into the server: infer, health, metadata, config, statistics, repository control, log settings. */
  readonly dataPlane: DataPlane;
  /** Bound ports (port 0 in the options picks a free one); empty before start(). */
  readonly ports: ServerPorts;
  /**
   * Applies the log flags, loads the models the options select and starts the enabled endpoints (and polling in
   * poll mode). Rejects, with everything stopped again, when an endpoint cannot start or, with --exit-on-error (the
   * default), when a model failed to load.
   */
  start(): Promise<ServerPorts>;
  /**
   * Graceful shutdown as on SIGTERM: stop accepting, wait up to --exit-timeout-secs for requests in flight, close the
   * endpoints and unload the models. Resolves false when the timeout ran out first; nothing is closed then (an ONNX
   * Runtime call cannot be interrupted: the nereid command kills its process at that point).
   */
  stop(): Promise<boolean>;
}

/** Makes a server from parsed options or from tritonserver-style flags (`['--model-repository=/models', ...]`). */
export function createServer(optionsOrArgv: ServerOptions | readonly string[]): NereidServer {
  const options = isArgv(optionsOrArgv) ? parseOptions([...optionsOrArgv]) : optionsOrArgv;
  const app = createApp(options);
  let endpoints: Endpoints = {};
  let poller: NodeJS.Timeout | undefined;
  let started = false;
  const ports = (): ServerPorts => ({
    ...(endpoints.http === undefined ? {} : { http: endpoints.http.port }),
    ...(endpoints.grpc === undefined ? {} : { grpc: endpoints.grpc.port }),
    ...(endpoints.metrics === undefined ? {} : { metrics: endpoints.metrics.port }),
  });
  return {
    options,
    dataPlane: app.dataPlane,
    get ports() {
      return ports();
    },
    async start() {
      if (started) throw new Error('the server is already started');
      started = true;
      applyLogOptions(options);
      await loadModels(app, options);
      endpoints = await startEndpoints(app, options).catch(async (error: unknown) => {
        await app.repository.unloadAll();
        throw error;
      });
      poller = startPolling(app, options.modelControlMode === 'poll' ? options.repositoryPollSecs : 0);
      return ports();
    },
    async stop() {
      if (poller !== undefined) clearInterval(poller);
      poller = undefined;
      const clean = await shutDown(app, endpoints, options.exitTimeoutSecs);
      if (clean) endpoints = {};
      return clean;
    },
  };
}

function isArgv(value: ServerOptions | readonly string[]): value is readonly string[] {
  return Array.isArray(value);
}

/** Loads the selected models; with --exit-on-error a failed model unloads everything and rejects, as the command exits. */
async function loadModels(app: App, options: ServerOptions): Promise<void> {
  await app.repository.loadAll();
  const failed = app.repository.statuses().filter((s) => s.state !== 'READY');
  if (options.exitOnError && failed.length > 0) {
    await app.repository.unloadAll();
    throw new Error(`failed to load all models: ${failed.map((s) => `'${s.name}'`).join(', ')}`);
  }
}
