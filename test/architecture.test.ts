import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';

const SRC = fileURLToPath(new URL('../src', import.meta.url));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sourceFiles(p) : /\.(ts|mjs)$/.test(e.name) ? [p] : [];
  });
}

/** Value imports (not `import type`) of each file, as [specifier, isTypeOnly]. */
function imports(file: string): { specifier: string; typeOnly: boolean }[] {
  const text = readFileSync(file, 'utf8');
  const out: { specifier: string; typeOnly: boolean }[] = [];
  for (const m of text.matchAll(/^(?:import|export)\s+(type\s+)?[^'";]*?from\s+'([^']+)'/gm)) out.push({ specifier: m[2]!, typeOnly: m[1] !== undefined });
  return out;
}

const files = sourceFiles(SRC);
const rel = (f: string): string => path.relative(SRC, f);

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
    const importers = files.filter((f) => imports(f).some((i) => i.specifier === 'onnxruntime-node' && !i.typeOnly)).map(rel).sort();
    assert.deepEqual(importers, ['instance/ort-tensors.ts', 'instance/worker-entry.ts']);
  });

  it('keeps the core free of transports and of the repository, and the protocol vocabulary a leaf', () => {
    for (const file of files) {
      const where = rel(file).split(path.sep)[0];
      for (const { specifier } of imports(file)) {
        if (where === 'core') assert.doesNotMatch(specifier, /repository\/|transport\//, `${rel(file)} imports ${specifier}`);
        if (where === 'protocol') assert.ok(!specifier.startsWith('..'), `${rel(file)} imports ${specifier}`);
      }
    }
  });
});
