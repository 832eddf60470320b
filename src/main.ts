#!/usr/bin/env node
/**
 * nereid's entry point: parse tritonserver-style flags, load the model repository, print the model status table,
 * and serve until SIGINT/SIGTERM.
 */
import { applyLogOptions, createApp, shutDown, startEndpoints, startPolling } from './app.ts';
import { helpText } from './options/help-text.ts';
import { parseOptions } from './options/parse-options.ts';
import { OptionsError } from './options/server-options.ts';
import { log } from './observe/log.ts';
import { renderStatusTable } from './repository/status-table.ts';
import { describeExecutionProviders } from './instance/devices.ts';

async function main(): Promise<number> {
  let options;
  try {
    options = parseOptions(process.argv.slice(2), process.env.NEREID_DEFAULT_MODEL_REPOSITORY);
  } catch (error: unknown) {
    if (!(error instanceof OptionsError)) throw error;
    process.stderr.write(`${error.message}\n\n${helpText()}\n`);
    return 1;
  }
  if (options.help) {
    process.stdout.write(helpText() + '\n');
    return 0;
  }
  applyLogOptions(options);
  log.info(`ONNX Runtime execution providers: ${describeExecutionProviders()}`);
  const app = createApp(options);
  try {
    await app.repository.loadAll();
  } catch (error) {
    log.error((error as Error).message);
    return 1;
  }
  const statuses = app.repository.statuses();
  process.stdout.write(renderStatusTable(statuses) + '\n');
  if (options.exitOnError && statuses.some((s) => s.state !== 'READY')) {
    log.error('failed to load all models');
    await app.repository.unloadAll();
    return 1;
  }

  let endpoints;
  try {
    endpoints = await startEndpoints(app, options);
  } catch (error) {
    log.error(`failed to start the endpoints: ${(error as Error).message}`);
    await app.repository.unloadAll();
    return 1;
  }
  const poller = startPolling(app, options.modelControlMode === 'poll' ? options.repositoryPollSecs : 0);
  let stopping = false;
  const stop = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    log.info(`received ${signal}, stopping`);
    if (poller !== undefined) clearInterval(poller);
    const clean = await shutDown(app, endpoints, options.exitTimeoutSecs);
    if (clean) process.exit(0);
    // An ONNX Runtime call in progress cannot be interrupted, and an ordinary exit under it aborts in the worker
    // thread; killing the process is the honest "exit immediately".
    process.kill(process.pid, 'SIGKILL');
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  // The listening sockets keep the process alive; with every endpoint disabled, a timer does.
  if (endpoints.http === undefined && endpoints.grpc === undefined) setInterval(() => {}, 1 << 30);
  return await new Promise<number>(() => {});
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    log.error(`fatal: ${(error as Error).stack ?? String(error)}`);
    process.exit(1);
  },
);
