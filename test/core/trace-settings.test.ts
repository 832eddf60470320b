/**
 * The trace settings as tritonserver 2.51 keeps them (each answer below seen on it): defaults, string values parsed
 * with its texts, a level that needs a trace file, a trace file that cannot change over the network, per-model
 * overrides that fall back to the global settings when cleared, global settings that fall back to the start-up ones,
 * unknown names and levels ignored, and the count running down.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TraceSettings } from '../../src/core/trace-settings.ts';

function throwsWith(run: () => unknown, code: string, message: string): void {
  assert.throws(run, (error: Error & { code?: string }) => error.code === code && error.message === message);
}

describe('trace settings', () => {
  it("starts OFF at rate 1000, unlimited count, log frequency 0, no file, in Triton's mode", () => {
    assert.deepEqual(new TraceSettings().view(), {
      trace_level: ['OFF'], trace_rate: '1000', trace_count: '-1', log_frequency: '0', trace_file: '', trace_mode: 'triton',
    });
  });

  it("parses values with Triton's texts and refuses a level without a trace file", () => {
    const settings = new TraceSettings();
    assert.equal(settings.update({ trace_rate: ['1'], trace_count: ['5'], log_frequency: ['2'], bogus: ['x'] }).trace_rate, '1');
    throwsWith(() => settings.update({ trace_rate: ['abc'] }), 'INVALID_ARG', "Unable to parse 'trace_rate', got: abc");
    throwsWith(() => settings.update({ trace_count: ['-2'] }), 'INVALID_ARG', "Unable to parse 'trace_count'. Expecting value >= -1, got:-2");
    throwsWith(() => settings.update({ trace_level: ['TIMESTAMPS'] }), 'INVALID_ARG', 'Attempting to set invalid trace setting :trace file name is not given');
    throwsWith(() => settings.update({ trace_file: ['/tmp/x.json'] }), 'UNSUPPORTED', 'trace file location can not be updated through network protocol');
    assert.deepEqual(settings.update({ trace_level: ['BOGUS'] }).trace_level, ['OFF'], 'an unknown level is ignored');
    assert.deepEqual(settings.view(), { trace_level: ['OFF'], trace_rate: '1', trace_count: '5', log_frequency: '2', trace_file: '', trace_mode: 'triton' });
  });

  it('falls back to the start-up value (global) or to the global value (a model) when a setting is cleared', () => {
    const settings = new TraceSettings({ level: ['TIMESTAMPS'], rate: 10, count: -1, logFrequency: 0, file: '/tmp/t.json' });
    settings.update({ trace_rate: ['3'] });
    assert.equal(settings.update({ trace_rate: null }).trace_rate, '10');
    assert.equal(settings.update({ trace_rate: ['7'], trace_level: ['TENSORS', 'TIMESTAMPS'] }, 'm').trace_rate, '7');
    assert.deepEqual(settings.view('m').trace_level, ['TENSORS', 'TIMESTAMPS']);
    assert.equal(settings.view().trace_rate, '10', 'the global settings are untouched');
    assert.equal(settings.update({ trace_rate: null }, 'm').trace_rate, '10');
    assert.deepEqual(settings.update({ trace_level: ['OFF'] }).trace_level, ['OFF']);
    assert.equal(settings.active, true, "the model's own level still traces");
  });

  it('counts traces down to 0, after which nothing is traced', () => {
    const settings = new TraceSettings({ level: ['TIMESTAMPS'], rate: 1, count: 2, logFrequency: 0, file: '/tmp/t.json' });
    settings.takeOne('m');
    assert.equal(settings.view('m').trace_count, '1');
    settings.takeOne('m');
    assert.equal(settings.view().trace_count, '0');
    assert.equal(settings.active, false);
  });
});
