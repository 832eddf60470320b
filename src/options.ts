/**
 * tritonserver-style command line options. Flags, defaults, value rules and error texts follow Triton's
 * command_line_parser.cc (GNU getopt_long underneath): `--flag=value` or `--flag value`, unambiguous prefixes of flag
 * names, bools as true/on/1/false/off/0 in any case, and the post-parse rules (poll interval only in poll mode,
 * `--load-model` only in explicit mode, `*` alone, metrics address defaulting to the HTTP address, ...).
 */

export interface BackendConfigSetting {
  /** Empty for a global setting (`--backend-config=<key>=<value>`). */
  backend: string;
  key: string;
  value: string;
}

export type ModelControlMode = 'none' | 'poll' | 'explicit';

export interface ServerOptions {
  modelRepositories: string[];
  httpPort: number;
  httpAddress: string;
  grpcPort: number;
  grpcAddress: string;
  metricsPort: number;
  /** Defaults to `httpAddress`. */
  metricsAddress: string;
  allowHttp: boolean;
  allowGrpc: boolean;
  allowMetrics: boolean;
  /** False with `--disable-auto-complete-config` or `--strict-model-config=true`. */
  autoCompleteConfig: boolean;
  strictReadiness: boolean;
  exitOnError: boolean;
  /** Never negative (Triton clamps at 0). */
  exitTimeoutSecs: number;
  logVerbose: number;
  modelControlMode: ModelControlMode;
  /** 0 unless `modelControlMode` is poll. */
  repositoryPollSecs: number;
  /** `--load-model` names in order, duplicates dropped; only in explicit mode; `*` alone means all. */
  loadModels: string[];
  /** `--model-config-name`: a config file name other than config.pbtxt, looked for in `<model>/configs/`. */
  modelConfigName?: string;
  backendConfig: BackendConfigSetting[];
  httpMaxInputSize: number;
  help: boolean;
  // Triton flags beyond the core set that the server can honour.
  /** `--id`: the server name reported by server metadata. */
  serverId: string;
  logInfo: boolean;
  logWarning: boolean;
  logError: boolean;
  logFormat: 'default' | 'ISO8601';
  /** Empty: log to the console. */
  logFile: string;
  modelLoadThreadCount: number;
  modelLoadRetryCount: number;
  modelNamespacing: boolean;
  /** False whenever metrics are off. */
  allowGpuMetrics: boolean;
  /** False whenever metrics are off. */
  allowCpuMetrics: boolean;
  metricsIntervalMs: number;
}

/** A command line Triton would refuse; the message is what to print before the usage text. */
export class OptionsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OptionsError';
  }
}

/** The `default-max-batch-size` auto-complete uses when no `--backend-config` sets one. */
export const DEFAULT_MAX_BATCH_SIZE = 4;

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

type ArgKind = 'none' | 'bool' | 'int' | 'int64' | 'float' | 'string';

interface FlagSpec {
  readonly name: string;
  /** Flags sharing an id are aliases (getopt treats them as one option when matching prefixes). */
  readonly id: string;
  readonly kind: ArgKind;
  /** The default as the help text shows it. */
  readonly shown: string;
  readonly help: string;
  readonly apply: (options: ServerOptions, value: string, state: ParseState) => void;
}

/** What parsing needs beyond the options themselves. */
interface ParseState {
  strictModelConfig: boolean;
  disableAutoComplete: boolean;
}

/** Thrown inside a flag's parser; the caller prefixes Triton's `Bad option: "--flag".` line. */
class BadValue extends Error {}

function flag(
  name: string,
  kind: ArgKind,
  shown: string,
  help: string,
  apply: FlagSpec['apply'] = () => undefined,
  id = name,
): FlagSpec {
  return { name, id, kind, shown, help, apply };
}

const FLAGS: readonly FlagSpec[] = [
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
  flag('model-load-retry-count', 'int', '0', 'Number of retries for a failed model load.', (o, v) => {
    o.modelLoadRetryCount = parseInt32(v);
  }),
  flag('model-namespacing', 'bool', 'false', 'Allow models of the same name in different repositories.', (o, v) => {
    o.modelNamespacing = parseBool(v);
  }),
  // HTTP
  flag('allow-http', 'bool', 'true', 'Listen for HTTP requests.', (o, v) => {
    o.allowHttp = parseBool(v);
  }),
  flag('http-address', 'string', '0.0.0.0', 'Address the HTTP server binds to.', (o, v) => {
    o.httpAddress = v;
  }),
  flag('http-port', 'int', '8000', 'Port for HTTP requests.', (o, v) => {
    o.httpPort = parseInt32(v);
  }),
  flag('reuse-http-port', 'bool', 'false', 'Accepted for compatibility; ignored.', (_o, v) => void parseBool(v)),
  flag('http-thread-count', 'int', '8', 'Accepted for compatibility; ignored.', (_o, v) => void parseInt32(v)),
  flag('http-max-input-size', 'int64', '67108864', 'Largest HTTP request body in bytes.', (o, v) => {
    o.httpMaxInputSize = parseInt64(v);
  }),
  // GRPC
  flag('allow-grpc', 'bool', 'true', 'Listen for GRPC requests.', (o, v) => {
    o.allowGrpc = parseBool(v);
  }),
  flag('grpc-address', 'string', '0.0.0.0', 'Address the GRPC server binds to.', (o, v) => {
    o.grpcAddress = v;
  }),
  flag('grpc-port', 'int', '8001', 'Port for GRPC requests.', (o, v) => {
    o.grpcPort = parseInt32(v);
  }),
  flag('reuse-grpc-port', 'bool', 'false', 'Accepted for compatibility; ignored.', (_o, v) => void parseBool(v)),
  flag('grpc-infer-allocation-pool-size', 'int', '8', 'Accepted for compatibility; ignored.', (_o, v) => {
    parseInt32(v);
  }),
  flag('grpc-infer-thread-count', 'int', '2', 'Accepted for compatibility; ignored.', (_o, v) => void parseInt32(v)),
  flag('grpc-max-response-pool-size', 'int', '2147483647', 'Accepted for compatibility; ignored.', (_o, v) => {
    parseInt32(v);
  }),
  flag('grpc-infer-response-compression-level', 'string', 'none', 'Accepted for compatibility; ignored.', (_o, v) => {
    if (!['none', 'low', 'medium', 'high'].includes(v.toLowerCase())) {
      throw new BadValue('invalid argument for --grpc_infer_response_compression_level');
    }
  }),
  // Metrics
  flag('allow-metrics', 'bool', 'true', 'Serve Prometheus metrics.', (o, v) => {
    o.allowMetrics = parseBool(v);
  }),
  flag('allow-gpu-metrics', 'bool', 'true', 'Serve GPU metrics (only with --allow-metrics).', (o, v) => {
    o.allowGpuMetrics = parseBool(v);
  }),
  flag('allow-cpu-metrics', 'bool', 'true', 'Serve CPU metrics (only with --allow-metrics).', (o, v) => {
    o.allowCpuMetrics = parseBool(v);
  }),
  flag('metrics-address', 'string', 'same as --http-address', 'Address the metrics server binds to.', (o, v) => {
    o.metricsAddress = v;
  }),
  flag('metrics-port', 'int', '8002', 'Port for Prometheus metrics.', (o, v) => {
    o.metricsPort = parseInt32(v);
  }),
  flag('metrics-interval-ms', 'int', '2000', 'Milliseconds between metric collections.', (o, v) => {
    o.metricsIntervalMs = parseInt32(v);
  }),
  // Backend
  flag('backend-directory', 'string', '/opt/tritonserver/backends', 'Accepted for compatibility; ignored.'),
  flag('backend-config', 'string', '-', 'Backend setting <backend>,<key>=<value> or global <key>=<value>.', (o, v) => {
    o.backendConfig.push(parseBackendConfig(v));
  }),
  flag('repoagent-directory', 'string', '/opt/tritonserver/repoagents', 'Accepted for compatibility; ignored.'),
  // Rate limiter, memory
  flag('rate-limit', 'string', 'off', 'Accepted for compatibility; ignored ("off" or "execution_count").', (_o, v) => {
    if (!['off', 'execution_count'].includes(v.toLowerCase())) throw new BadValue('invalid argument for --rate-limit');
  }),
  flag('pinned-memory-pool-byte-size', 'int64', '268435456', 'Accepted for compatibility; ignored.', (_o, v) => {
    parseInt64(v);
  }),
  flag('buffer-manager-thread-count', 'int', '0', 'Accepted for compatibility; ignored.', (_o, v) => {
    parseInt32(v);
  }),
  flag('min-supported-compute-capability', 'float', '7.5', 'Accepted for compatibility; ignored.', (_o, v) => {
    parseFloat64(v);
  }),
  // Deprecated
  flag('strict-model-config', 'bool', 'false', 'DEPRECATED: use --disable-auto-complete-config.', (_o, v, s) => {
    s.strictModelConfig = parseBool(v);
  }),
];

const FLAG_BY_NAME = new Map(FLAGS.map((f) => [f.name, f]));

function defaults(): ServerOptions {
  return {
    modelRepositories: [],
    httpPort: 8000,
    httpAddress: '0.0.0.0',
    grpcPort: 8001,
    grpcAddress: '0.0.0.0',
    metricsPort: 8002,
    metricsAddress: '',
    allowHttp: true,
    allowGrpc: true,
    allowMetrics: true,
    autoCompleteConfig: true,
    strictReadiness: true,
    exitOnError: true,
    exitTimeoutSecs: 30,
    logVerbose: 0,
    modelControlMode: 'none',
    repositoryPollSecs: 15,
    loadModels: [],
    backendConfig: [],
    httpMaxInputSize: 64 * 1024 * 1024,
    help: false,
    serverId: 'triton',
    logInfo: true,
    logWarning: true,
    logError: true,
    logFormat: 'default',
    logFile: '',
    modelLoadThreadCount: 4,
    modelLoadRetryCount: 0,
    modelNamespacing: false,
    allowGpuMetrics: true,
    allowCpuMetrics: true,
    metricsIntervalMs: 2000,
  };
}

/**
 * Parses argv (without node and the script). `--help` stops parsing and returns with `help: true` and no further
 * checks (Triton prints the usage at that point). Throws OptionsError for anything Triton would refuse.
 * `defaultModelRepository` applies only when no --model-repository is given (`npm start` serves ./model_repository
 * unless told otherwise).
 */
export function parseOptions(argv: readonly string[], defaultModelRepository?: string): ServerOptions {
  const options = defaults();
  const state: ParseState = { strictModelConfig: false, disableAutoComplete: false };
  let unexpected: string | undefined;

  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      // getopt stops at "--"; whatever follows is a positional argument.
      if (i + 1 < argv.length) unexpected ??= argv[i + 1];
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      // getopt moves positional arguments to the end, so options after one are still parsed first.
      unexpected ??= arg;
      continue;
    }
    if (!arg.startsWith('--')) throw new OptionsError(`invalid option -- '${arg[1]}'`);

    const eq = arg.indexOf('=');
    const key = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
    const spec = lookupFlag(key, arg);
    let value: string;
    if (spec.kind === 'none') {
      if (eq >= 0) throw new OptionsError(`option '--${spec.name}' doesn't allow an argument`);
      value = '';
    } else if (eq >= 0) {
      value = arg.slice(eq + 1);
    } else if (i + 1 < argv.length) {
      value = argv[++i]!;
    } else {
      throw new OptionsError(`option '--${spec.name}' requires an argument`);
    }

    try {
      spec.apply(options, value, state);
    } catch (error) {
      if (error instanceof BadValue) throw new OptionsError(`Bad option: "--${spec.name}".\n${error.message}`);
      throw error;
    }
    if (options.help) break;
  }

  derive(options, state);
  if (options.help) return options;
  if (unexpected !== undefined) throw new OptionsError(`Unexpected argument: ${unexpected}`);
  if (options.modelRepositories.length === 0 && defaultModelRepository !== undefined) {
    options.modelRepositories.push(defaultModelRepository);
  }
  check(options);
  return options;
}

/** Triton's post-parse rules: values that depend on other flags. */
function derive(options: ServerOptions, state: ParseState): void {
  if (options.modelControlMode !== 'poll') options.repositoryPollSecs = 0;
  options.allowGpuMetrics &&= options.allowMetrics;
  options.allowCpuMetrics &&= options.allowMetrics;
  if (options.metricsAddress === '') options.metricsAddress = options.httpAddress;
  // --disable-auto-complete-config overrides the deprecated --strict-model-config (Triton warns when they disagree).
  options.autoCompleteConfig = !(state.disableAutoComplete || state.strictModelConfig);
}

/** Combinations Triton refuses at startup. */
function check(options: ServerOptions): void {
  if (options.httpMaxInputSize <= 0) throw new OptionsError('Error: --http-max-input-size must be greater than 0.');
  if (options.modelRepositories.length === 0) throw new OptionsError('--model-repository must be specified');
  if (options.loadModels.length > 0 && options.modelControlMode !== 'explicit') {
    throw new OptionsError("Error: Use of '--load-model' requires setting '--model-control-mode=explicit' as well.");
  }
  if (options.loadModels.includes('*') && options.loadModels.length > 1) {
    throw new OptionsError("Wildcard model name '*' must be the ONLY startup model if specified at all.");
  }
  checkPortCollision(options);
}

/** Two enabled endpoints on the same address and port cannot both listen. Port 0 (any free port) never collides. */
function checkPortCollision(options: ServerOptions): void {
  const endpoints: [string, string, number][] = [];
  if (options.allowHttp) endpoints.push(['HTTP', options.httpAddress, options.httpPort]);
  if (options.allowGrpc) endpoints.push(['GRPC', options.grpcAddress, options.grpcPort]);
  if (options.allowMetrics) endpoints.push(['metrics', options.metricsAddress, options.metricsPort]);
  for (let i = 0; i < endpoints.length; i++) {
    for (let j = i + 1; j < endpoints.length; j++) {
      const [a, address, port] = endpoints[i]!;
      const [b, otherAddress, otherPort] = endpoints[j]!;
      if (port !== 0 && port === otherPort && address === otherAddress) {
        throw new OptionsError(
          `The server cannot listen to ${a} requests and ${b} requests at the same address and port ${address}:${port}`,
        );
      }
    }
  }
}

/** Exact name first, else a unique prefix as getopt_long allows (aliases of one option count as one). */
function lookupFlag(key: string, arg: string): FlagSpec {
  const exact = FLAG_BY_NAME.get(key);
  if (exact !== undefined) return exact;
  const candidates = key === '' ? [] : FLAGS.filter((f) => f.name.startsWith(key));
  if (candidates.length === 0) throw new OptionsError(`unrecognized option '${arg}'`);
  if (candidates.some((f) => f.id !== candidates[0]!.id)) {
    const possibilities = candidates.map((f) => `'--${f.name}'`).join(' ');
    throw new OptionsError(`option '--${key}' is ambiguous; possibilities: ${possibilities}`);
  }
  return candidates[0]!;
}

function addRepository(options: ServerOptions, value: string): void {
  if (!options.modelRepositories.includes(value)) options.modelRepositories.push(value);
}

function parseBool(value: string): boolean {
  const lower = value.toLowerCase();
  if (lower === 'true' || lower === 'on' || lower === '1') return true;
  if (lower === 'false' || lower === 'off' || lower === '0') return false;
  throw new BadValue(`invalid value for bool option: ${value}`);
}

/** `--log-verbose` also takes true (1) and false (0). */
function parseIntBool(value: string): number {
  const lower = value.toLowerCase();
  if (lower === 'true') return 1;
  if (lower === 'false') return 0;
  return parseInt32(value);
}

const INTEGER = /^\s*[+-]?\d+$/;

function parseInt32(value: string): number {
  if (!INTEGER.test(value)) throw new BadValue(`Invalid option value. Got ${value}`);
  const n = Number(value);
  if (n < INT32_MIN || n > INT32_MAX) throw new BadValue(`Provided option value is out of bound. Got ${value}`);
  return n;
}

function parseInt64(value: string): number {
  if (!INTEGER.test(value)) throw new BadValue(`Invalid option value. Got ${value}`);
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new BadValue(`Provided option value is out of bound. Got ${value}`);
  return n;
}

function parseFloat64(value: string): number {
  const n = value.trim() === '' ? Number.NaN : Number(value);
  if (!Number.isFinite(n)) throw new BadValue(`Invalid option value. Got ${value}`);
  return n;
}

/** Triton's ParseBackendConfigOption: `<backend>,<key>=<value>` or `<key>=<value>`, key and value non-empty. */
function parseBackendConfig(arg: string): BackendConfigSetting {
  const comma = arg.indexOf(',');
  const eq = arg.indexOf('=', comma + 1);
  if (comma === 0) {
    throw new BadValue(
      `No backend specified. --backend-config option format is <backend name>,<setting>=<value> or ` +
        `<setting>=<value>. Got ${arg}`,
    );
  }
  const format = `--backend-config option format is '<backend name>,<setting>=<value>'. Got ${arg}`;
  if (eq < 0) throw new BadValue(format);
  const backend = comma > 0 ? arg.slice(0, comma) : '';
  const key = arg.slice(comma + 1, eq);
  const value = arg.slice(eq + 1);
  if (key === '' || value === '') throw new BadValue(format);
  if (key === 'default-max-batch-size' && !/^\d+$/.test(value)) {
    throw new BadValue(`Invalid option value. Got ${value}`);
  }
  return { backend, key, value };
}

/**
 * The max_batch_size auto-complete gives batchable ONNX models: `--backend-config=onnxruntime,default-max-batch-size=N`
 * wins over the global `--backend-config=default-max-batch-size=N`, the last of each kind counts, default 4.
 */
export function defaultMaxBatchSize(options: ServerOptions): number {
  let global: string | undefined;
  let specific: string | undefined;
  for (const { backend, key, value } of options.backendConfig) {
    if (key !== 'default-max-batch-size') continue;
    if (backend === 'onnxruntime') specific = value;
    else if (backend === '') global = value;
  }
  const chosen = specific ?? global;
  return chosen === undefined ? DEFAULT_MAX_BATCH_SIZE : Number(chosen);
}

/** The usage text `--help` prints: every flag with its argument kind, default and meaning, one line each. */
export function helpText(): string {
  const left = FLAGS.map((f) => `  --${f.name}${f.kind === 'none' ? '' : `=<${argName(f.kind)}>`}`);
  const width = Math.max(...left.map((l) => l.length)) + 2;
  const lines = FLAGS.map((f, i) => `${left[i]!.padEnd(width)}${f.help} (default: ${f.shown})`);
  return ['Usage: nereid --model-repository=<path> [options]', '', ...lines, ''].join('\n');
}

function argName(kind: ArgKind): string {
  switch (kind) {
    case 'bool':
      return 'boolean';
    case 'int':
    case 'int64':
      return 'integer';
    case 'float':
      return 'float';
    default:
      return 'string';
  }
}
