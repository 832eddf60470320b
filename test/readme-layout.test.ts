/**
 * The README's "Layout" section against the tree: every folder of src/ (at any depth), every file at the top of src/
 * and every folder of the repository is described, nothing described is gone, and the src/ folders are listed
 * bottom-up by the layer table, so the section cannot go stale again.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { LAYERS } from './support/layers.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** Repository folders that are not part of the layout: installed or built. */
const NOT_SOURCE = new Set(['node_modules', 'dist']);

/** The paths the Layout block names, in order: the first column of each entry, commas separating several. */
function layoutPaths(): string[] {
  const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const section = /^## Layout\n([\s\S]*?)(?=^## )/m.exec(readme)?.[1];
  assert.ok(section !== undefined, 'README.md has no "## Layout" section');
  const block = /^```\n([\s\S]*?)^```/m.exec(section)?.[1];
  assert.ok(block !== undefined, 'the Layout section has no fenced block');
  return block
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith(' '))
    .flatMap((line) => line.split(/\s{2,}/)[0]!.split(',').map((p) => p.trim()));
}

function folders(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir), { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .flatMap((e) => [`${dir}/${e.name}/`, ...folders(`${dir}/${e.name}`)]);
}

const listed = layoutPaths();

describe('README layout section', () => {
  it('describes every folder of src/ and every file at its top', () => {
    const topFiles = readdirSync(path.join(ROOT, 'src'), { withFileTypes: true }).filter((e) => e.isFile()).map((e) => `src/${e.name}`);
    const missing = [...folders('src'), ...topFiles].filter((p) => !listed.includes(p));
    assert.deepEqual(missing, [], 'add these to the README "Layout" block');
  });

  it('describes every folder of the repository', () => {
    const top = readdirSync(ROOT, { withFileTypes: true })
      .filter((e) => e.isDirectory() && !e.name.startsWith('.') && !NOT_SOURCE.has(e.name))
      .map((e) => `${e.name}/`);
    assert.deepEqual(top.filter((p) => !listed.some((l) => l.startsWith(p))), [], 'add these to the README "Layout" block');
  });

  it('names nothing that is gone', () => {
    assert.deepEqual(listed.filter((p) => !existsSync(path.join(ROOT, p))), []);
  });

  it('lists the src/ folders bottom-up: each after every layer it may import', () => {
    const order = listed.filter((p) => /^src\/[^/]+\/$/.test(p)).map((p) => p.split('/')[1]!);
    assert.deepEqual([...order].sort(), Object.keys(LAYERS).filter((l) => l !== 'log').sort(), 'one entry per layer');
    const folderOf = (layer: string): string => (layer === 'log' ? 'observe' : layer);
    order.forEach((layer, i) => {
      for (const below of LAYERS[layer]!) {
        if (folderOf(below) === layer) continue;
        assert.ok(order.indexOf(folderOf(below)) < i, `src/${layer}/ imports ${below}: list src/${folderOf(below)}/ above it`);
      }
    });
  });
});
