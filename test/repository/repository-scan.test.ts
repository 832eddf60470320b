import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { addModel, corruptModelBytes, writeModelDir } from '../../scripts/onnx/test-models.ts';
import { setLogSink } from '../../src/observe/log.ts';
import { listVersionDirs } from '../../src/repository/scanner.ts';
import { loadRepository, statusesOf } from '../support/repository.ts';
import { tempDir } from '../support/temp-dir.ts';

/** config.pbtxt for addModel()'s default tensors (INPUT0, INPUT1 → OUTPUT0, float [batch, 4]). */
function addConfig(extra = '', name?: string): string {
  return `${name === undefined ? '' : `name: "${name}"\n`}backend: "onnxruntime"
max_batch_size: 8
input [ { name: "INPUT0" data_type: TYPE_FP32 dims: [ 4 ] }, { name: "INPUT1" data_type: TYPE_FP32 dims: [ 4 ] } ]
output [ { name: "OUTPUT0" data_type: TYPE_FP32 dims: [ 4 ] } ]
instance_group [ { count: 1 kind: KIND_CPU } ]
${extra}`;
}

function captureLog(): { lines: string[]; restore(): void } {
  const lines: string[] = [];
  const previous = setLogSink((line) => lines.push(line));
  return { lines, restore: () => setLogSink(previous) };
}

describe('version directories', () => {
  it('counts only directories named as non-negative integers without leading zeros; 0 is a version', () => {
    const repo = tempDir();
    const dir = writeModelDir(repo, 'm', addModel(), { version: 0, config: addConfig() });
    for (const name of ['3', '01', '007', 'abc', 'v1', '1abc', '-1', '.git', 'warmup', 'configs', 'initial_state']) {
      mkdirSync(path.join(dir, name));
    }
    writeFileSync(path.join(dir, '2'), 'a file is never a version');
    const { versions, ignored } = listVersionDirs(dir);
    assert.deepEqual(versions, [0, 3]);
    assert.deepEqual([...ignored].sort(), ['-1', '.git', '007', '01', '1abc', 'abc', 'v1']);
  });

  it('loads the highest version by default and warns about ignored directory names', async () => {
    const repo = tempDir();
    const dir = writeModelDir(repo, 'm', addModel(), { version: 1, config: addConfig() });
    writeModelDir(repo, 'm', addModel(), { version: 2 });
    mkdirSync(path.join(dir, 'v3'));
    const log = captureLog();
    const repository = await loadRepository([repo]);
    log.restore();
    assert.deepEqual(statusesOf(repository, 'm'), [{ name: 'm', version: 2, state: 'READY', reason: '' }]);
    assert.ok(log.lines.some((l) => l.startsWith('W') && l.includes("ignoring 'v3' in model 'm'")), log.lines.join('\n'));
  });
});

describe('version policies', () => {
  async function withPolicy(policy: string, versions: number[]) {
    const repo = tempDir();
    for (const v of versions) writeModelDir(repo, 'm', addModel(), { version: v, config: addConfig(`version_policy: ${policy}`) });
    return statusesOf(await loadRepository([repo]), 'm');
  }

  it('latest { num_versions: 2 } serves the two highest', async () => {
    const rows = await withPolicy('{ latest { num_versions: 2 } }', [1, 2, 3]);
    assert.deepEqual(rows.map((r) => [r.version, r.state]), [[2, 'READY'], [3, 'READY']]);
  });

  it('all {} serves every version', async () => {
    const rows = await withPolicy('{ all { } }', [1, 2, 3]);
    assert.deepEqual(rows.map((r) => [r.version, r.state]), [[1, 'READY'], [2, 'READY'], [3, 'READY']]);
  });

  it('specific serves the listed versions that exist and logs the missing ones', async () => {
    const log = captureLog();
    const rows = await withPolicy('{ specific { versions: [1, 3, 7] } }', [1, 2, 3]);
    log.restore();
    assert.deepEqual(rows.map((r) => [r.version, r.state]), [[1, 'READY'], [3, 'READY']]);
    assert.ok(log.lines.some((l) => l.includes("version 7 is specified for model 'm', but the version directory is not present")));
  });

  it('latest { } (num_versions 0) selects nothing, which fails the model', async () => {
    const rows = await withPolicy('{ latest { } }', [1]);
    assert.deepEqual(rows, [{
      name: 'm', state: 'UNAVAILABLE',
      reason: "Invalid argument: at least one version must be available under the version policy of model 'm'",
    }]);
  });
});

describe('broken models are UNAVAILABLE with their reason, and the rest still load', () => {
  it('reports each failure in the status rows', async () => {
    const repo = tempDir();
    writeModelDir(repo, 'good', addModel(), { config: addConfig() });
    writeModelDir(repo, 'broken_onnx', corruptModelBytes(), { config: addConfig() });
    writeModelDir(repo, 'wrong_name', addModel(), { config: addConfig('', 'other_name') });
    mkdirSync(path.join(repo, 'no_file', '1'), { recursive: true });
    writeFileSync(path.join(repo, 'no_file', 'config.pbtxt'), addConfig());
    writeModelDir(repo, 'bad_pbtxt', addModel(), { config: 'max_batch_size: 8 max_batch_size: 4' });
    const repository = await loadRepository([repo]);
    const byName = new Map(repository.statuses().map((s) => [s.name, s]));

    assert.equal(byName.get('good')!.state, 'READY');
    const broken = byName.get('broken_onnx')!;
    assert.equal(broken.state, 'UNAVAILABLE');
    assert.match(broken.reason, /^Internal: onnx runtime error: /);
    assert.deepEqual(byName.get('wrong_name'), {
      name: 'wrong_name', state: 'UNAVAILABLE',
      reason: "Invalid argument: unexpected directory name 'wrong_name' for model 'other_name', directory name must equal model name",
    });
    const noFile = byName.get('no_file')!;
    assert.equal(noFile.state, 'UNAVAILABLE');
    assert.equal(noFile.reason, `Unavailable: unable to find '${path.join(repo, 'no_file', '1', 'model.onnx')}' for model instance 'no_file'`);
    const badText = byName.get('bad_pbtxt')!;
    assert.equal(badText.state, 'UNAVAILABLE');
    assert.match(badText.reason, /^Internal: failed to read text proto from .*bad_pbtxt\/config\.pbtxt: line 1, column \d+: Non-repeated field "max_batch_size" is specified multiple times\./);
    assert.equal(repository.allReady(), false);
  });

  it('does not load a model that appears in two repositories', async () => {
    const a = tempDir();
    const b = tempDir();
    writeModelDir(a, 'twice', addModel(), { config: addConfig() });
    writeModelDir(b, 'twice', addModel(), { config: addConfig() });
    writeModelDir(b, 'once', addModel(), { config: addConfig() });
    const repository = await loadRepository([a, b]);
    assert.deepEqual(statusesOf(repository, 'twice'), [{ name: 'twice', state: 'UNAVAILABLE', reason: 'model appears in two or more repositories' }]);
    assert.equal(statusesOf(repository, 'once')[0]!.state, 'READY');
  });

  it('serves a model without config.pbtxt through auto-complete, and refuses it when auto-complete is off', async () => {
    const repo = tempDir();
    writeModelDir(repo, 'no_config', addModel());
    assert.equal(statusesOf(await loadRepository([repo]), 'no_config')[0]!.state, 'READY');
    const strict = statusesOf(await loadRepository([repo], { autoComplete: false }), 'no_config');
    assert.equal(strict[0]!.state, 'UNAVAILABLE');
    assert.match(strict[0]!.reason, /no config\.pbtxt/);
  });

  it('uses configs/<name>.pbtxt with --model-config-name', async () => {
    const repo = tempDir();
    const dir = writeModelDir(repo, 'm', addModel(), { config: 'this is not a valid config' });
    mkdirSync(path.join(dir, 'configs'));
    writeFileSync(path.join(dir, 'configs', 'prod.pbtxt'), addConfig());
    assert.equal(statusesOf(await loadRepository([repo], { modelConfigName: 'prod' }), 'm')[0]!.state, 'READY');
  });
});
