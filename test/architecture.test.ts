import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { LAYERS, layerOf } from './support/layers.ts';

const SRC = fileURLToPath(new URL('../src', import.meta.url));

/**
 * Upward imports that are known and on their way out, as `importer → imported` (paths under src/), each with why. An
 * entry that no longer matches an import fails the test, so the list only shrinks.
 */
const PENDING: Readonly<Record<string, string>> = {
  'transport/metrics/metrics-endpoint.ts → observe/metrics.ts': 'the metrics endpoint could take a text source defined in core',
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sourceFiles(p) : /\.(ts|mjs)$/.test(e.name) ? [p] : [];
  });
}

/** Static imports and re-exports of each file, as [specifier, isTypeOnly]. */
function imports(file: string): { specifier: string; typeOnly: boolean }[] {
  const text = readFileSync(file, 'utf8');
  const out: { specifier: string; typeOnly: boolean }[] = [];
  for (const m of text.matchAll(/^(?:import|export)\s+(type\s+)?[^'";]*?from\s+'([^']+)'/gm)) out.push({ specifier: m[2]!, typeOnly: m[1] !== undefined });
  return out;
}

/** Every module a file refers to: static imports, side-effect imports, `import('…')` (also in types), `new URL('…', import.meta.url)`. */
function references(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const dynamic = [...text.matchAll(/(?:^import\s+|\bimport\(\s*|\bnew URL\(\s*)'([^']+)'/gm)].map((m) => m[1]!);
  return [...imports(file).map((i) => i.specifier), ...dynamic];
}

const files = sourceFiles(SRC);
const rel = (f: string): string => path.relative(SRC, f).split(path.sep).join('/');

/** Why `from` (under src/) may not refer to `to` (under src/), or undefined when the table allows it. */
function violation(from: string, to: string): string | undefined {
  const [a, b] = [layerOf(from), layerOf(to)];
  if (a === '' || a === b) return undefined;
  if (LAYERS[a]?.includes(b)) return undefined;
  return `${from} → ${to}: ${a} may import only [${(LAYERS[a] ?? []).join(', ')}]`;
}

/** Every reference in src/ that goes against the table, as `importer → imported` (relative to src/). */
function upwardReferences(): Map<string, string> {
  const found = new Map<string, string>();
  for (const file of files) {
    for (const specifier of references(file)) {
      if (!specifier.startsWith('.')) continue;
      const target = path.relative(SRC, path.resolve(path.dirname(file), specifier));
      if (target.startsWith('..')) continue; // protos/, package.json
      const to = target.split(path.sep).join('/');
      const why = violation(rel(file), to);
      if (why !== undefined) found.set(`${rel(file)} → ${to}`, why);
    }
  }
  return found;
}

describe('architecture', () => {
  it('has no import cycles in src/', () => {
    const graph = new Map<string, string[]>();
    for (const file of files) {
      graph.set(file, imports(file).filter((i) => i.specifier.startsWith('.')).map((i) => path.resolve(path.dirname(file), i.specifier)));
    }
    const state = new Map<string, 'visiting' | 'done'>();
    const stack: string[] = [];
    const visit = (file: string): void => {
      if (state.get(file) === 'done') return;
      if (state.get(file) === 'visiting') {
        assert.fail(`import cycle: ${[...stack.slice(stack.indexOf(file)), file].map(rel).join(' → ')}`);
      }
      state.set(file, 'visiting');
      stack.push(file);
      for (const next of graph.get(file) ?? []) visit(next);
      stack.pop();
      state.set(file, 'done');
    };
    for (const file of files) visit(file);
  });

  it('runs ONNX Runtime only in worker threads: value imports of onnxruntime-node live in the worker modules', () => {
    const ort = (specifier: string): boolean => specifier === 'onnxruntime-node' || specifier.startsWith('onnxruntime-node/');
    const importers = files.filter((f) => imports(f).some((i) => ort(i.specifier) && !i.typeOnly)).map(rel).sort();
    assert.deepEqual(importers, ['instance/ort-session.ts', 'instance/ort-tensors.ts']);
  });

  it('keeps the core free of transports and of the repository, and the protocol vocabulary a leaf', () => {
    for (const file of files) {
      const where = layerOf(rel(file));
      for (const specifier of references(file)) {
        if (where === 'core') assert.doesNotMatch(specifier, /repository\/|transport\//, `${rel(file)} imports ${specifier}`);
        if (where === 'protocol') assert.ok(!specifier.startsWith('..'), `${rel(file)} imports ${specifier}`);
      }
    }
  });

  it('places every folder of src/ in the layer table, and the table runs one way', () => {
    const folders = readdirSync(SRC, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
    for (const folder of folders) assert.ok(folder in LAYERS, `src/${folder}/ is not in the LAYERS table of test/architecture.test.ts`);
    const state = new Map<string, 'visiting' | 'done'>();
    const visit = (layer: string, trail: string[]): void => {
      if (state.get(layer) === 'done') return;
      assert.notEqual(state.get(layer), 'visiting', `the layer table has a cycle: ${[...trail, layer].join(' → ')}`);
      state.set(layer, 'visiting');
      for (const below of LAYERS[layer] ?? assert.fail(`unknown layer '${layer}'`)) visit(below, [...trail, layer]);
      state.set(layer, 'done');
    };
    for (const layer of Object.keys(LAYERS)) visit(layer, []);
  });

  it('lets each layer import only the layers below it (type-only imports too)', () => {
    const upward = upwardReferences();
    const unexpected = [...upward].filter(([edge]) => !(edge in PENDING)).map(([, why]) => why);
    assert.deepEqual(unexpected, [], `upward imports:\n${unexpected.join('\n')}`);
    const stale = Object.keys(PENDING).filter((edge) => !upward.has(edge));
    assert.deepEqual(stale, [], 'these PENDING entries are gone from the code: delete them from test/architecture.test.ts');
  });

  it('catches an upward import (the rule is live)', () => {
    assert.match(violation('core/inference-service.ts', 'scheduler/dynamic-batcher.ts') ?? '', /core may import only \[protocol, config\]/);
    assert.match(violation('instance/model-instance.ts', 'observe/metrics.ts') ?? '', /instance may import only/);
    assert.equal(violation('instance/model-instance.ts', 'observe/log.ts'), undefined);
    assert.equal(violation('app.ts', 'transport/http/http-endpoint.ts'), undefined);
    assert.equal(violation('scheduler/fifo.ts', 'scheduler/batch-queue.ts'), undefined);
  });
});
