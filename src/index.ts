/**
 * nereid's public entry (the package's `exports`): what an embedding program may use. The option parser takes the
 * same tritonserver-style flags as the `nereid` command; createApp + startEndpoints start a server from those options
 * and shutDown stops it. Everything else under src/ is internal and may change without notice.
 */
export { parseOptions } from './options/parse-options.ts';
export { helpText } from './options/help-text.ts';
export { OptionsError, type ServerOptions } from './options/server-options.ts';
export { createApp, startEndpoints, shutDown, type App, type Endpoints } from './app.ts';
