/**
 * The flag table's first groups, in Triton's usage order: help, server, logging, model repository.
 */
import { flag, type FlagSpec } from './flag-spec.ts';
import { BadValue, parseBool, parseInt32, parseIntBool } from './flag-values.ts';
import type { ServerOptions } from './server-options.ts';

/** Help, server, logging and model repository flags. */
export const SERVER_FLAGS: readonly FlagSpec[] = [
  flag('help', 'none', '-', 'Print usage.', (o) => {
    o.help = true;
  }),
  // Server
  flag('id', 'string', 'triton', 'Identifier for this server.', (o, v) => {
    o.serverId = v;
  }),
  flag('exit-timeout-secs', 'int', '30', 'Seconds to wait for in-flight inferences when exiting.', (o, v) => {
    o.exitTimeoutSecs = Math.max(0, parseInt32(v));
  }),
  // Logging
  flag('log-verbose', 'int', '0', 'Verbose logging level; 0 disables verbose logging.', (o, v) => {
    o.logVerbose = parseIntBool(v);
  }),
  flag('log-info', 'bool', 'true', 'Enable/disable info-level logging.', (o, v) => {
    o.logInfo = parseBool(v);
  }),
  flag('log-warning', 'bool', 'true', 'Enable/disable warning-level logging.', (o, v) => {
    o.logWarning = parseBool(v);
  }),
  flag('log-error', 'bool', 'true', 'Enable/disable error-level logging.', (o, v) => {
    o.logError = parseBool(v);
  }),
  flag('log-format', 'string', 'default', 'Log format: "default" or "ISO8601".', (o, v) => {
    if (v !== 'default' && v !== 'ISO8601') throw new BadValue('invalid argument for --log-format');
    o.logFormat = v;
  }),
  flag('log-file', 'string', 'console', 'File to write the log to instead of the console.', (o, v) => {
    o.logFile = v;
  }),
  // Model repository
  flag('model-store', 'string', '-', 'Equivalent to --model-repository.', addRepository, 'model-repository'),
  flag('model-repository', 'string', 'none, required', 'Model repository path; repeatable.', addRepository),
  flag('exit-on-error', 'bool', 'true', 'Exit if an error occurs during initialization.', (o, v) => {
    o.exitOnError = parseBool(v);
  }),
  flag(
    'disable-auto-complete-config',
    'none',
    'off',
    'Do not auto-complete model configurations; config.pbtxt must be complete.',
    (_o, _v, s) => {
      s.disableAutoComplete = true;
    },
  ),
  flag('strict-readiness', 'bool', 'true', 'Ready only when the server and all models are ready.', (o, v) => {
    o.strictReadiness = parseBool(v);
  }),
  flag('model-control-mode', 'string', 'none', 'Model management mode: "none", "poll" or "explicit".', (o, v) => {
    const mode = v.toLowerCase();
    if (mode !== 'none' && mode !== 'poll' && mode !== 'explicit') {
      throw new BadValue('invalid argument for --model-control-mode');
    }
    o.modelControlMode = mode;
  }),
  flag('repository-poll-secs', 'int', '15', 'Seconds between repository polls (poll mode only).', (o, v) => {
    o.repositoryPollSecs = parseInt32(v);
  }),
  flag('load-model', 'string', '-', 'Model to load at startup (explicit mode); repeatable; "*" = all.', (o, v) => {
    if (!o.loadModels.includes(v)) o.loadModels.push(v);
  }),
  flag('model-config-name', 'string', 'config.pbtxt', 'Name of a custom config file in <model>/configs/.', (o, v) => {
    o.modelConfigName = v;
  }),
  flag('model-load-thread-count', 'int', '4', 'Number of models loaded concurrently.', (o, v) => {
    o.modelLoadThreadCount = parseInt32(v);
  }),
  flag('instance-workers', 'int', 'cores', 'nereid: worker threads per device hosting the model instances\' ONNX Runtime sessions (default: the core count).', (o, v) => {
    const n = parseInt32(v);
    if (n < 1) throw new BadValue('invalid argument for --instance-workers: it must be at least 1');
    o.instanceWorkers = n;
  }),
  flag('model-load-retry-count', 'int', '0', 'Number of retries for a failed model load.', (o, v) => {
    o.modelLoadRetryCount = parseInt32(v);
  }),
  flag('model-namespacing', 'bool', 'false', 'Allow models of the same name in different repositories.', (o, v) => {
    o.modelNamespacing = parseBool(v);
  }),
];

function addRepository(options: ServerOptions, value: string): void {
  if (!options.modelRepositories.includes(value)) options.modelRepositories.push(value);
}
