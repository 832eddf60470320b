import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseOptions } from '../../src/options/parse-options.ts';
import { bad, fails, parse, REPO } from './support.ts';

describe('parseOptions: server, logging and model repository flags', () => {
  it('--model-repository / --model-store are repeatable, duplicates dropped', () => {
    const o = parseOptions(['--model-repository=/a', '--model-store', '/b', '--model-repository=/a']);
    assert.deepEqual(o.modelRepositories, ['/a', '/b']);
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

  it('--instance-workers sets the instance workers per device (default: unset, one per core); at least 1', () => {
    assert.equal(parse().instanceWorkers, undefined);
    assert.equal(parse('--instance-workers=3').instanceWorkers, 3);
    fails([REPO, '--instance-workers=0'], bad('instance-workers', 'invalid argument for --instance-workers: it must be at least 1'));
  });
});
