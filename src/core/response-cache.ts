/**
 * The response cache (Triton's `--cache-config local,size=<bytes>` with `response_cache { enable: true }` per model):
 * a request whose model version and inputs hash to a stored response is answered from it without executing. As in
 * Triton 2.51 (checked on tritonserver):
 * - the key covers the model version and each input's name, datatype, shape and bytes (in name order), not the
 *   outputs asked for. Triton then answers a hit with every output stored, asked for or not, and misses outputs the
 *   stored response lacks; nereid answers only the outputs asked for, and an entry that lacks one is a miss (the
 *   request runs and its response replaces the entry);
 * - entries are evicted least recently used first, so that the outputs' bytes stay within the size; a response larger
 *   than the whole cache is not stored.
 * Entries belong to one loaded version (its plan): a reloaded version never hits the entries of the one it replaced,
 * which age out.
 */
import { createHash } from 'node:crypto';
import type { OutputTensor } from '../protocol/inference.ts';
import type { WireTensor } from '../protocol/wire-tensor.ts';
import type { ModelPlan } from './model-plan.ts';

interface Entry {
  readonly outputs: readonly OutputTensor[];
  readonly bytes: number;
}

/** What the cache holds and has done, for nv_cache_* metrics. */
export interface ResponseCacheCounts {
  readonly capacityBytes: number;
  readonly usedBytes: number;
  readonly entries: number;
  readonly lookups: number;
  readonly hits: number;
  readonly misses: number;
  readonly evictions: number;
  readonly lookupNs: number;
  readonly insertionNs: number;
}

export class ResponseCache {
  /** In least recently used order (a Map iterates in insertion order; a hit moves its entry to the end). */
  private readonly entries = new Map<string, Entry>();
  private readonly planIds = new WeakMap<ModelPlan, number>();
  private nextPlanId = 1;
  private used = 0;
  private lookups = 0;
  private hits = 0;
  private misses = 0;
  private evictions = 0;
  private lookupNs = 0;
  private insertionNs = 0;

  constructor(readonly capacityBytes: number) {}

  /** The key of a request to `plan` with `inputs` (as the model receives them). */
  key(plan: ModelPlan, inputs: readonly WireTensor[]): string {
    let id = this.planIds.get(plan);
    if (id === undefined) {
      id = this.nextPlanId++;
      this.planIds.set(plan, id);
    }
    const hash = createHash('sha256');
    hash.update(`${id}\u0000${plan.name}\u0000${plan.version}`);
    for (const input of [...inputs].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      hash.update(`\u0000${input.name}\u0000${input.datatype}\u0000${input.shape.join(',')}\u0000${input.data.byteLength}\u0000`);
      hash.update(input.data);
    }
    return hash.digest('base64');
  }

  /** The stored outputs for `key` when `usable` takes them, or undefined (a miss). */
  lookup(key: string, usable: (outputs: readonly OutputTensor[]) => boolean = () => true): readonly OutputTensor[] | undefined {
    const startedAt = performance.now();
    this.lookups++;
    let entry = this.entries.get(key);
    if (entry !== undefined && !usable(entry.outputs)) entry = undefined;
    if (entry === undefined) this.misses++;
    else {
      this.hits++;
      this.entries.delete(key);
      this.entries.set(key, entry);
    }
    this.lookupNs += Math.round((performance.now() - startedAt) * 1e6);
    return entry?.outputs;
  }

  /** Stores a copy of `outputs` under `key`, evicting the least recently used entries to make room. */
  insert(key: string, outputs: readonly OutputTensor[]): void {
    const startedAt = performance.now();
    const bytes = outputs.reduce((n, o) => n + o.data.byteLength, 0);
    const replaced = this.entries.get(key);
    if (replaced !== undefined) {
      this.entries.delete(key);
      this.used -= replaced.bytes;
    }
    if (bytes <= this.capacityBytes) {
      for (const [oldest, entry] of this.entries) {
        if (this.used + bytes <= this.capacityBytes) break;
        this.entries.delete(oldest);
        this.used -= entry.bytes;
        this.evictions++;
      }
      // Copied: a response's outputs may view a whole batch's buffer.
      this.entries.set(key, { outputs: outputs.map((o) => ({ ...o, shape: [...o.shape], data: o.data.slice() })), bytes });
      this.used += bytes;
    }
    this.insertionNs += Math.round((performance.now() - startedAt) * 1e6);
  }

  counts(): ResponseCacheCounts {
    return {
      capacityBytes: this.capacityBytes,
      usedBytes: this.used,
      entries: this.entries.size,
      lookups: this.lookups,
      hits: this.hits,
      misses: this.misses,
      evictions: this.evictions,
      lookupNs: this.lookupNs,
      insertionNs: this.insertionNs,
    };
  }
}
