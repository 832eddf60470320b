/**
 * nereid's entry point: parse tritonserver-style flags, load the model repository, print the model status table,
 * and serve until SIGINT/SIGTERM.
 */
import { createApp, startEndpoints, stopEndpoints } from './app.ts';
import { helpText } from './options/help-text.ts';
import { parseOptions } from './options/parse-options.ts';
import { OptionsError } from './options/server-options.ts';
import { log, setLogVerbose } from './observe/log.ts';
import { renderStatusTable } from './repository/status-table.ts';

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
  setLogVerbose(options.logVerbose);
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
  const stop = async (signal: string): Promise<void> => {
    log.info(`received ${signal}, stopping`);
    await stopEndpoints(endpoints);
    await app.repository.unloadAll();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
  // The listening sockets keep the process alive; with every endpoint disabled, a timer does.
  if (endpoints.http === undefined) setInterval(() => {}, 1 << 30);
  return await new Promise<number>(() => {});
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    log.error(`fatal: ${(error as Error).stack ?? String(error)}`);
    process.exit(1);
  },
);
