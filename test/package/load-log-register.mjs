// Preloaded with `--import` into the server under test. Worker threads inherit execArgv, so this runs again in every
// instance worker and registers the hooks there too. Each thread logs itself, then every module it resolves and loads,
// to the file named by NEREID_LOAD_LOG.
import { register } from 'node:module';
import { appendFileSync } from 'node:fs';
import { isMainThread, threadId } from 'node:worker_threads';

const file = process.env.NEREID_LOAD_LOG;
if (file === undefined) throw new Error('NEREID_LOAD_LOG is not set');
appendFileSync(file, `thread ${threadId} ${isMainThread ? 'main' : 'worker'}\n`);
register('./load-log-hooks.mjs', import.meta.url, { data: { file } });
