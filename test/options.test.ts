import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { defaultMaxBatchSize, helpText, OptionsError, parseOptions, type ServerOptions } from '../src/options.ts';

const REPO = '--model-repository=/models';

/** Parses with a repository added so only the flags under test matter. */
function parse(...args: string[]): ServerOptions {
  return parseOptions([REPO, ...args]);
}

/** Triton's wrapping of a flag's value error. */
function bad(flag: string, message: string): string {
  return `Bad option: "--${flag}".\n${message}`;
}

function fails(args: string[], message: string): void {
  assert.throws(
    () => parseOptions(args),
    (e: unknown) => {
      assert.ok(e instanceof OptionsError, `expected OptionsError, got ${String(e)}`);
      assert.equal(e.message, message);
      return true;
    },
  );
}

describe('parseOptions: defaults', () => {
  it("uses Triton's defaults", () => {
    const o = parseOptions([REPO]);
    assert.deepEqual(o.modelRepositories, ['/models']);
    assert.equal(o.httpPort, 8000);
    assert.equal(o.grpcPort, 8001);
    assert.equal(o.metricsPort, 8002);
    assert.equal(o.httpAddress, '0.0.0.0');
    assert.equal(o.grpcAddress, '0.0.0.0');
    assert.equal(o.metricsAddress, '0.0.0.0');
    assert.equal(o.allowHttp, true);
    assert.equal(o.allowGrpc, true);
    assert.equal(o.allowMetrics, true);
    assert.equal(o.autoCompleteConfig, true);
    assert.equal(o.strictReadiness, true);
    assert.equal(o.exitOnError, true);
    assert.equal(o.exitTimeoutSecs, 30);
    assert.equal(o.logVerbose, 0);
    assert.equal(o.modelControlMode, 'none');
    assert.equal(o.repositoryPollSecs, 0, 'poll interval is forced to 0 outside poll mode');
    assert.deepEqual(o.loadModels, []);
    assert.equal(o.modelConfigName, undefined);
    assert.deepEqual(o.backendConfig, []);
    assert.equal(o.httpMaxInputSize, 67108864);
    assert.equal(o.help, false);
    assert.equal(o.serverId, 'triton');
    assert.deepEqual([o.logInfo, o.logWarning, o.logError, o.logFormat, o.logFile], [true, true, true, 'default', '']);
    assert.deepEqual([o.modelLoadThreadCount, o.modelLoadRetryCount, o.modelNamespacing], [4, 0, false]);
    assert.deepEqual([o.allowGpuMetrics, o.allowCpuMetrics, o.metricsIntervalMs], [true, true, 2000]);
  });
});

describe('parseOptions: argument forms', () => {
  it('accepts --flag=value and --flag value', () => {
    assert.equal(parse('--http-port=9000').httpPort, 9000);
    assert.equal(parse('--http-port', '9001').httpPort, 9001);
    assert.deepEqual(parseOptions(['--model-repository', '/a']).modelRepositories, ['/a']);
  });

  it('takes the next argument as the value even when it starts with --', () => {
    assert.equal(parse('--id', '--weird').serverId, '--weird');
  });

  it('keeps everything after the first = as the value', () => {
    assert.equal(parse('--http-address=a=b').httpAddress, 'a=b');
  });

  it('accepts unambiguous prefixes, aliases of one option counting as one', () => {
    assert.equal(parse('--http-po=1234').httpPort, 1234);
    assert.deepEqual(parseOptions(['--model-repo=/r']).modelRepositories, ['/r']);
    assert.equal(parse('--strict-m=true').autoCompleteConfig, false);
  });

  it('rejects an ambiguous prefix', () => {
    fails(
      [REPO, '--http=x'],
      "option '--http' is ambiguous; possibilities: '--http-address' '--http-port' '--http-thread-count' " +
        "'--http-max-input-size'",
    );
  });

  it('rejects a prefix shared by distinct options', () => {
    fails([REPO, '--allow=1'], "option '--allow' is ambiguous; possibilities: '--allow-http' '--allow-grpc' " +
      "'--allow-metrics' '--allow-gpu-metrics' '--allow-cpu-metrics'");
  });

  it('rejects an unknown flag, naming it', () => {
    fails([REPO, '--no-such-flag=3'], "unrecognized option '--no-such-flag=3'");
    fails([REPO, '--=x'], "unrecognized option '--=x'");
  });

  it('rejects short options', () => {
    fails([REPO, '-p', '8000'], "invalid option -- 'p'");
  });

  it('rejects a missing value', () => {
    fails([REPO, '--http-port'], "option '--http-port' requires an argument");
  });

  it('rejects positional arguments, after parsing the options', () => {
    fails([REPO, 'extra', '--http-port=1'], 'Unexpected argument: extra');
    fails([REPO, 'extra', '--http-port=x'], bad('http-port', 'Invalid option value. Got x'));
    fails([REPO, '--', '--http-port=1'], 'Unexpected argument: --http-port=1');
  });

  it('accepts a trailing --', () => {
    assert.equal(parseOptions([REPO, '--']).httpPort, 8000);
  });
});

describe('parseOptions: value types', () => {
  it('parses bools as true/on/1/false/off/0 in any case', () => {
    for (const v of ['true', 'TRUE', 'On', '1']) assert.equal(parse(`--allow-http=${v}`).allowHttp, true, v);
    for (const v of ['false', 'False', 'OFF', '0']) assert.equal(parse(`--allow-http=${v}`).allowHttp, false, v);
  });

  it('rejects other bool values', () => {
    fails([REPO, '--allow-http=yes'], bad('allow-http', 'invalid value for bool option: yes'));
  });

  it('rejects ints that do not parse, and ints out of range', () => {
    fails([REPO, '--http-port=abc'], bad('http-port', 'Invalid option value. Got abc'));
    fails([REPO, '--http-port=1.5'], bad('http-port', 'Invalid option value. Got 1.5'));
    fails([REPO, '--http-port='], bad('http-port', 'Invalid option value. Got '));
    const tooBig = bad('http-port', 'Provided option value is out of bound. Got 99999999999');
    fails([REPO, '--http-port=99999999999'], tooBig);
  });

  it('accepts signed ints', () => {
    assert.equal(parse('--model-load-retry-count=+2').modelLoadRetryCount, 2);
  });
});

describe('parseOptions: each flag', () => {
  it('--model-repository / --model-store are repeatable, duplicates dropped', () => {
    const o = parseOptions(['--model-repository=/a', '--model-store', '/b', '--model-repository=/a']);
    assert.deepEqual(o.modelRepositories, ['/a', '/b']);
  });

  it('ports and addresses', () => {
    const o = parse(
      '--http-port=1',
      '--grpc-port=2',
      '--metrics-port=3',
      '--http-address=127.0.0.1',
      '--grpc-address=::1',
      '--metrics-address=10.0.0.1',
    );
    assert.deepEqual([o.httpPort, o.grpcPort, o.metricsPort], [1, 2, 3]);
    assert.deepEqual([o.httpAddress, o.grpcAddress, o.metricsAddress], ['127.0.0.1', '::1', '10.0.0.1']);
  });

  it('--metrics-address defaults to --http-address', () => {
    assert.equal(parse('--http-address=127.0.0.1').metricsAddress, '127.0.0.1');
  });

  it('--allow-http / --allow-grpc / --allow-metrics', () => {
    const o = parse('--allow-http=false', '--allow-grpc=0', '--allow-metrics=off');
    assert.deepEqual([o.allowHttp, o.allowGrpc, o.allowMetrics], [false, false, false]);
  });

  it('--allow-gpu-metrics / --allow-cpu-metrics, forced off without metrics', () => {
    assert.deepEqual(
      [parse('--allow-gpu-metrics=false').allowGpuMetrics, parse('--allow-cpu-metrics=false').allowCpuMetrics],
      [false, false],
    );
    const off = parse('--allow-metrics=false', '--allow-gpu-metrics=true', '--allow-cpu-metrics=true');
    assert.deepEqual([off.allowGpuMetrics, off.allowCpuMetrics], [false, false]);
  });

  it('--metrics-interval-ms', () => {
    assert.equal(parse('--metrics-interval-ms=500').metricsIntervalMs, 500);
  });

  it('--disable-auto-complete-config takes no value and turns auto-complete off', () => {
    assert.equal(parse('--disable-auto-complete-config').autoCompleteConfig, false);
    fails(
      [REPO, '--disable-auto-complete-config=true'],
      "option '--disable-auto-complete-config' doesn't allow an argument",
    );
  });

  it('--disable-auto-complete-config does not consume the next argument', () => {
    const o = parseOptions(['--disable-auto-complete-config', REPO]);
    assert.deepEqual(o.modelRepositories, ['/models']);
  });

  it('--strict-model-config (deprecated bool)', () => {
    assert.equal(parse('--strict-model-config=true').autoCompleteConfig, false);
    assert.equal(parse('--strict-model-config=false').autoCompleteConfig, true);
    assert.equal(parse('--strict-model-config=false', '--disable-auto-complete-config').autoCompleteConfig, false);
    fails([REPO, '--strict-model-config=maybe'], bad('strict-model-config', 'invalid value for bool option: maybe'));
  });

  it('--strict-readiness / --exit-on-error', () => {
    const o = parse('--strict-readiness=false', '--exit-on-error=false');
    assert.deepEqual([o.strictReadiness, o.exitOnError], [false, false]);
  });

  it('--exit-timeout-secs, clamped at 0', () => {
    assert.equal(parse('--exit-timeout-secs=5').exitTimeoutSecs, 5);
    assert.equal(parse('--exit-timeout-secs=-3').exitTimeoutSecs, 0);
  });

  it('--log-verbose takes an int, true or false', () => {
    assert.equal(parse('--log-verbose=2').logVerbose, 2);
    assert.equal(parse('--log-verbose=true').logVerbose, 1);
    assert.equal(parse('--log-verbose=FALSE').logVerbose, 0);
    fails([REPO, '--log-verbose=loud'], bad('log-verbose', 'Invalid option value. Got loud'));
  });

  it('--log-info / --log-warning / --log-error / --log-file', () => {
    const o = parse('--log-info=false', '--log-warning=0', '--log-error=off', '--log-file=/tmp/x.log');
    assert.deepEqual([o.logInfo, o.logWarning, o.logError, o.logFile], [false, false, false, '/tmp/x.log']);
  });

  it('--log-format is default or ISO8601', () => {
    assert.equal(parse('--log-format=ISO8601').logFormat, 'ISO8601');
    fails([REPO, '--log-format=iso8601'], bad('log-format', 'invalid argument for --log-format'));
  });

  it('--id', () => {
    assert.equal(parse('--id=nereid-1').serverId, 'nereid-1');
  });

  it('--model-control-mode, case-insensitive', () => {
    assert.equal(parse('--model-control-mode=EXPLICIT').modelControlMode, 'explicit');
    assert.equal(parse('--model-control-mode=none').modelControlMode, 'none');
    fails([REPO, '--model-control-mode=auto'], bad('model-control-mode', 'invalid argument for --model-control-mode'));
  });

  it('--repository-poll-secs is kept only in poll mode', () => {
    assert.equal(parse('--model-control-mode=poll').repositoryPollSecs, 15);
    assert.equal(parse('--model-control-mode=poll', '--repository-poll-secs=3').repositoryPollSecs, 3);
    assert.equal(parse('--repository-poll-secs=3').repositoryPollSecs, 0);
    assert.equal(parse('--model-control-mode=explicit', '--repository-poll-secs=3').repositoryPollSecs, 0);
  });

  it('--load-model in explicit mode, repeatable, duplicates dropped', () => {
    const o = parse('--model-control-mode=explicit', '--load-model=a', '--load-model', 'b', '--load-model=a');
    assert.deepEqual(o.loadModels, ['a', 'b']);
    assert.deepEqual(parse('--model-control-mode=explicit', '--load-model=*').loadModels, ['*']);
  });

  it('--load-model outside explicit mode is an error', () => {
    const message = "Error: Use of '--load-model' requires setting '--model-control-mode=explicit' as well.";
    fails([REPO, '--load-model=a'], message);
    fails([REPO, '--model-control-mode=poll', '--load-model=a'], message);
  });

  it("'*' must be the only startup model", () => {
    fails(
      [REPO, '--model-control-mode=explicit', '--load-model=*', '--load-model=a'],
      "Wildcard model name '*' must be the ONLY startup model if specified at all.",
    );
  });

  it('--model-config-name', () => {
    assert.equal(parse('--model-config-name=h100').modelConfigName, 'h100');
  });

  it('--model-load-thread-count / --model-load-retry-count / --model-namespacing', () => {
    const o = parse('--model-load-thread-count=2', '--model-load-retry-count=3', '--model-namespacing=true');
    assert.deepEqual([o.modelLoadThreadCount, o.modelLoadRetryCount, o.modelNamespacing], [2, 3, true]);
  });

  it('--http-max-input-size (int64, > 0)', () => {
    assert.equal(parse('--http-max-input-size=8589934592').httpMaxInputSize, 8589934592);
    fails([REPO, '--http-max-input-size=0'], 'Error: --http-max-input-size must be greater than 0.');
    fails([REPO, '--http-max-input-size=-1'], 'Error: --http-max-input-size must be greater than 0.');
    fails([REPO, '--http-max-input-size=big'], bad('http-max-input-size', 'Invalid option value. Got big'));
  });

  it('accepts compatibility flags and still checks their values', () => {
    parse(
      '--reuse-http-port=true',
      '--reuse-grpc-port=false',
      '--http-thread-count=4',
      '--grpc-infer-allocation-pool-size=16',
      '--grpc-infer-thread-count=2',
      '--grpc-max-response-pool-size=8',
      '--grpc-infer-response-compression-level=High',
      '--backend-directory=/opt/x',
      '--repoagent-directory=/opt/y',
      '--rate-limit=execution_count',
      '--pinned-memory-pool-byte-size=0',
      '--buffer-manager-thread-count=0',
      '--min-supported-compute-capability=6.0',
    );
    fails([REPO, '--rate-limit=fast'], bad('rate-limit', 'invalid argument for --rate-limit'));
    fails([REPO, '--http-thread-count=x'], bad('http-thread-count', 'Invalid option value. Got x'));
    fails(
      [REPO, '--min-supported-compute-capability=abc'],
      bad('min-supported-compute-capability', 'Invalid option value. Got abc'),
    );
    fails(
      [REPO, '--grpc-infer-response-compression-level=max'],
      bad('grpc-infer-response-compression-level', 'invalid argument for --grpc_infer_response_compression_level'),
    );
  });
});

describe('parseOptions: --backend-config', () => {
  it('parses <backend>,<key>=<value> and global <key>=<value>', () => {
    const o = parse('--backend-config=onnxruntime,default-max-batch-size=8', '--backend-config', 'enable-x=a');
    assert.deepEqual(o.backendConfig, [
      { backend: 'onnxruntime', key: 'default-max-batch-size', value: '8' },
      { backend: '', key: 'enable-x', value: 'a' },
    ]);
  });

  it('splits at the first comma as Triton does, even inside a global value', () => {
    assert.deepEqual(parse('--backend-config=onnxruntime,k=a,b=c').backendConfig, [
      { backend: 'onnxruntime', key: 'k', value: 'a,b=c' },
    ]);
    assert.deepEqual(parse('--backend-config=k=a,b=c').backendConfig, [{ backend: 'k=a', key: 'b', value: 'c' }]);
  });

  it('rejects a missing backend name before the comma', () => {
    fails(
      [REPO, '--backend-config=,default-max-batch-size=3'],
      bad('backend-config', 'No backend specified. --backend-config option format is <backend name>,') +
        '<setting>=<value> or <setting>=<value>. Got ,default-max-batch-size=3',
    );
  });

  it('rejects a missing =, an empty key or an empty value', () => {
    const args = [
      'default-max-batch-size',
      'default-max-batch-size=',
      'onnxruntime,default-max-batch-size',
      'onnxruntime,=3',
      'onnxruntime,k=',
    ];
    for (const arg of args) {
      fails(
        [REPO, `--backend-config=${arg}`],
        bad('backend-config', `--backend-config option format is '<backend name>,<setting>=<value>'. Got ${arg}`),
      );
    }
  });

  it('rejects a default-max-batch-size that is not a non-negative integer', () => {
    fails([REPO, '--backend-config=default-max-batch-size=-1'], bad('backend-config', 'Invalid option value. Got -1'));
    fails(
      [REPO, '--backend-config=onnxruntime,default-max-batch-size=x'],
      bad('backend-config', 'Invalid option value. Got x'),
    );
  });
});

describe('defaultMaxBatchSize', () => {
  it('is 4 by default', () => {
    assert.equal(defaultMaxBatchSize(parse()), 4);
  });

  it('takes the global setting', () => {
    assert.equal(defaultMaxBatchSize(parse('--backend-config=default-max-batch-size=6')), 6);
  });

  it('prefers the onnxruntime setting over the global one, whatever the order', () => {
    const global7 = '--backend-config=default-max-batch-size=7';
    assert.equal(defaultMaxBatchSize(parse(global7, '--backend-config=onnxruntime,default-max-batch-size=8')), 8);
    assert.equal(defaultMaxBatchSize(parse('--backend-config=onnxruntime,default-max-batch-size=0', global7)), 0);
  });

  it('ignores other backends and keys; the last setting wins', () => {
    const o = parse(
      '--backend-config=tensorflow,default-max-batch-size=5',
      '--backend-config=onnxruntime,other=1',
      '--backend-config=default-max-batch-size=2',
      '--backend-config=default-max-batch-size=3',
    );
    assert.equal(defaultMaxBatchSize(o), 3);
  });
});

describe('parseOptions: startup checks', () => {
  it('requires a model repository', () => {
    fails([], '--model-repository must be specified');
    fails(['--http-port=1'], '--model-repository must be specified');
  });

  it('refuses two endpoints on the same address and port', () => {
    fails(
      [REPO, '--grpc-port=8000'],
      'The server cannot listen to HTTP requests and GRPC requests at the same address and port 0.0.0.0:8000',
    );
    fails(
      [REPO, '--metrics-port=8001'],
      'The server cannot listen to GRPC requests and metrics requests at the same address and port 0.0.0.0:8001',
    );
  });

  it('allows the same port on different addresses, on disabled endpoints, or port 0', () => {
    parse('--grpc-port=8000', '--grpc-address=127.0.0.1');
    parse('--grpc-port=8000', '--allow-grpc=false');
    parse('--http-port=0', '--grpc-port=0', '--metrics-port=0');
  });
});

describe('--help and helpText', () => {
  it('--help needs no repository and stops at once', () => {
    const o = parseOptions(['--help', '--http-port=oops', 'stray']);
    assert.equal(o.help, true);
    assert.deepEqual(o.modelRepositories, []);
  });

  it('errors before --help still count', () => {
    fails(['--http-port=oops', '--help'], bad('http-port', 'Invalid option value. Got oops'));
  });

  it('--help takes no value', () => {
    fails(['--help=1'], "option '--help' doesn't allow an argument");
  });

  it('lists every flag with its default, one line each', () => {
    const text = helpText();
    const names = (
      'help model-repository model-store http-port http-address grpc-port grpc-address metrics-port metrics-address ' +
      'allow-http allow-grpc allow-metrics disable-auto-complete-config strict-model-config strict-readiness ' +
      'exit-on-error exit-timeout-secs log-verbose model-control-mode repository-poll-secs load-model ' +
      'model-config-name backend-config http-max-input-size'
    ).split(' ');
    const lines = text.split('\n');
    for (const name of names) {
      const matching = lines.filter((l) => l.startsWith(`  --${name}=`) || l.startsWith(`  --${name} `));
      assert.equal(matching.length, 1, `one line for --${name}`);
      assert.match(matching[0]!, /\(default: [^)]+\)$/);
    }
    assert.match(text, /--http-port=<integer>\s+.*\(default: 8000\)/);
    assert.match(text, /--disable-auto-complete-config\s+.*\(default: off\)/);
  });
});

describe('default model repository (npm start)', () => {
  it('applies only when no --model-repository is given', () => {
    assert.deepEqual(parseOptions([], './model_repository').modelRepositories, ['./model_repository']);
    assert.deepEqual(parseOptions(['--model-repository=/models'], './model_repository').modelRepositories, ['/models']);
    assert.throws(() => parseOptions([]), /--model-repository must be specified/);
  });
});
