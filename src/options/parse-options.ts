/**
 * tritonserver-style command line options. Flags, defaults, value rules and error texts follow Triton's
 * command_line_parser.cc (GNU getopt_long underneath): `--flag=value` or `--flag value`, unambiguous prefixes of flag
 * names, bools as true/on/1/false/off/0 in any case, and the post-parse rules (poll interval only in poll mode,
 * `--load-model` only in explicit mode, `*` alone, metrics address defaulting to the HTTP address, ...).
 */
import type { ParseState } from './flag-spec.ts';
import { BadValue } from './flag-values.ts';
import { lookupFlag } from './flags.ts';
import { defaults, OptionsError, type ServerOptions } from './server-options.ts';

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
