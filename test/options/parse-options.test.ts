import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseOptions } from '../../src/options/parse-options.ts';
import { bad, fails, parse, REPO } from './support.ts';

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
        "'--http-max-input-size' '--http-restricted-api' '--http-cors-origin' '--http-use-ssl' '--http-use-ssl-mutual' " +
        "'--http-server-cert' '--http-server-key' '--http-root-cert'",
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

describe('parseOptions: --help', () => {
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
});

describe('default model repository (npm start)', () => {
  it('applies only when no --model-repository is given', () => {
    assert.deepEqual(parseOptions([], './model_repository').modelRepositories, ['./model_repository']);
    assert.deepEqual(parseOptions(['--model-repository=/models'], './model_repository').modelRepositories, ['/models']);
    assert.throws(() => parseOptions([]), /--model-repository must be specified/);
  });
});
