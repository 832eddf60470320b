/**
 * Unloading frees what loading took: 50 explicit-mode load → infer → unload cycles of a model with a 4 MiB weight, run
 * in a child process (unload-memory-child.ts, with --expose-gc) so the test runner's own memory stays out of it. The
 * instance worker threads all end (the OS thread count returns to its post-warm-up value) and RSS stays within a fixed
 * bound of its post-warm-up value.
 *
 * Measured on the 2-core dev machine (matmul 1024×1024 FP32 weight, 1 CPU instance, onnxruntime-node 1.30, Node 20):
 * RSS 89 MiB before any load, 185 MiB with the model loaded, 161 MiB after the warm-up cycle (glibc keeps some freed
 * arena memory), 163 MiB after 50 more cycles: +1.6 MiB in all, +0.03 MiB per cycle. One loaded copy costs about
 * 96 MiB (the instance worker's isolate and ONNX Runtime session, with the weight and its pre-packed copy), so a
 * version that was never freed would add ~4.8 GB over 50 cycles, and a leak of a tenth of it still ~480 MiB; the
 * 64 MiB bound sits far above the noise (other runs of bench/load-unload-memory.ts move ±20–40 MiB between samples,
 * without a trend) and far below either. Threads: 12 before, 16 loaded, 13 after every unload (ONNX Runtime keeps one
 * process-wide thread once it is first loaded).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import type { MemoryReport } from '../../bench/load-unload-memory.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CHILD = fileURLToPath(new URL('./unload-memory-child.ts', import.meta.url));
const CYCLES = 50;
const WEIGHT_SIZE = 1024;
const MiB = 1024 * 1024;
/** Allowed RSS growth over the 50 cycles (see the measurements above). */
const RSS_BOUND = 64 * MiB;
/**
 * Many models (issue 15): 100 copies of the tiny add model, all loaded, inferred once and unloaded per cycle. Measured
 * on the 2-core dev machine: RSS 90–97 MiB before, 204–210 MiB with the 100 loaded (+5 threads: the 2 pool workers and
 * ONNX Runtime's), 153–161 MiB after the warm-up cycle, then +20–37 MiB over 10–30 cycles without a trend (180, 197,
 * 189 MiB at 10, 20, 30). A leaked tenth of the 100 models per cycle would add over 220 MiB in 20 cycles.
 */
const MANY_MODELS = 100;
const MANY_CYCLES = 20;
const MANY_RSS_BOUND = 96 * MiB;
/** Allowed growth of the settled JS heap (measured: about +1 MiB over 50 cycles, most of it in the first 10). */
const HEAP_BOUND = 8 * MiB;

/** Runs the child and returns its report; fails with the child's stderr when it does not produce one. */
function runChild(args: readonly string[] = [String(CYCLES), String(WEIGHT_SIZE)]): Promise<MemoryReport> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', CHILD, ...args], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`the child exited with code ${code}:\n${stderr}`));
      try {
        resolve(JSON.parse(stdout.trim().split('\n').at(-1)!) as MemoryReport);
      } catch (error) {
        reject(new Error(`the child printed no report (${(error as Error).message}):\n${stdout}\n${stderr}`));
      }
    });
  });
}

const mib = (bytes: number): string => `${(bytes / MiB).toFixed(1)} MiB`;

describe('unloading frees memory', () => {
  it(`${CYCLES} load → infer → unload cycles end every worker thread and keep RSS within ${RSS_BOUND / MiB} MiB`, { timeout: 180_000 }, async () => {
    const report = await runChild();
    assert.equal(report.gcExposed, true, 'the child runs with --expose-gc');
    const { initial, loaded, samples } = report;
    assert.deepEqual(samples.map((s) => s.cycle), [0, 10, 20, 30, 40, 50]);
    const base = samples[0]!;
    const last = samples.at(-1)!;
    const figures = `RSS ${mib(initial.rss)} before, ${mib(loaded.rss)} loaded, ${samples.map((s) => `${s.cycle}: ${mib(s.rss)}`).join(', ')}`;

    // The bound means something only when one loaded copy is big: a leaked tenth of a copy per cycle must exceed it.
    const copyCost = loaded.rss - initial.rss;
    assert.ok(copyCost * CYCLES / 10 > RSS_BOUND, `one loaded copy costs only ${mib(copyCost)} (${figures})`);

    if (existsSync('/proc/self/status')) {
      assert.ok(loaded.osThreads > initial.osThreads, `the loaded instance shows as threads (${initial.osThreads} → ${loaded.osThreads})`);
      // ONNX Runtime keeps one process-wide thread from its first load on; nothing else survives an unload.
      assert.ok(base.osThreads <= initial.osThreads + 1, `threads: ${initial.osThreads} before any load, ${base.osThreads} after the warm-up unload`);
      for (const s of samples) assert.equal(s.osThreads, base.osThreads, `threads after cycle ${s.cycle}`);
    }

    assert.ok(last.rss - base.rss < RSS_BOUND, `RSS grew by ${mib(last.rss - base.rss)} over ${CYCLES} cycles (${figures})`);
    assert.ok(last.heapUsed - base.heapUsed < HEAP_BOUND, `heapUsed grew by ${mib(last.heapUsed - base.heapUsed)}`);
  });

  it(`${MANY_MODELS} models loaded together share the pool's workers, and ${MANY_CYCLES} cycles of loading and unloading them all return their memory`, { timeout: 300_000 }, async () => {
    const report = await runChild([String(MANY_CYCLES), '0', 'add', String(MANY_MODELS)]);
    const { initial, loaded, samples } = report;
    const base = samples[0]!;
    const last = samples.at(-1)!;
    const figures = `RSS ${mib(initial.rss)} before, ${mib(loaded.rss)} with ${MANY_MODELS} models loaded, ${samples.map((s) => `${s.cycle}: ${mib(s.rss)}`).join(', ')}`;
    const copyCost = loaded.rss - initial.rss;
    assert.ok(copyCost * MANY_CYCLES / 10 > MANY_RSS_BOUND, `${MANY_MODELS} loaded models cost only ${mib(copyCost)} (${figures})`);
    if (existsSync('/proc/self/status')) {
      // One thread per instance worker (at most one per core) and a few process-wide ones: not one per model.
      const added = loaded.osThreads - initial.osThreads;
      assert.ok(added <= 2 * os.availableParallelism() + 2, `${MANY_MODELS} models added ${added} threads (${initial.osThreads} → ${loaded.osThreads})`);
      for (const s of samples) assert.equal(s.osThreads, base.osThreads, `threads after cycle ${s.cycle}`);
    }
    assert.ok(last.rss - base.rss < MANY_RSS_BOUND, `RSS grew by ${mib(last.rss - base.rss)} over ${MANY_CYCLES} cycles (${figures})`);
  });
});
