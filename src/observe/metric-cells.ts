/**
 * Metric families whose labelled series are plain mutable cells, registered in a prom-client Registry (which only
 * asks a metric for `name`, `get()` and `reset()`, and renders the text format). prom-client's own labelled children
 * hash their label set into a string on every `inc()`/`observe()`; these cells are created once per series, cached
 * by their owner, and updated with a field write, so the data path allocates nothing.
 */
import type { Metric, Registry } from 'prom-client';

export type Labels = Readonly<Record<string, string>>;

interface Sample {
  labels: Labels;
  value: number;
  metricName?: string;
}

interface Snapshot {
  name: string;
  help: string;
  type: 'counter' | 'gauge' | 'histogram';
  aggregator: 'sum';
  values: Sample[];
}

/** One counter or gauge series. */
export class ValueCell {
  value = 0;

  constructor(readonly labels: Labels) {}

  inc(amount: number): void {
    this.value += amount;
  }

  set(value: number): void {
    this.value = value;
  }
}

/** One histogram series: per-bucket (non-cumulative) counts, sum and count. */
export class HistogramCell {
  private readonly counts: Float64Array;
  sum = 0;
  count = 0;

  constructor(
    readonly labels: Labels,
    private readonly bounds: readonly number[],
  ) {
    this.counts = new Float64Array(bounds.length);
  }

  observe(value: number): void {
    const bounds = this.bounds;
    let i = 0;
    while (i < bounds.length && value > bounds[i]!) i++;
    if (i < bounds.length) this.counts[i] += 1;
    this.sum += value;
    this.count++;
  }

  /** Cumulative count of observations <= bounds[i]. */
  cumulative(i: number): number {
    let total = 0;
    for (let j = 0; j <= i; j++) total += this.counts[j]!;
    return total;
  }

  clear(): void {
    this.counts.fill(0);
    this.sum = 0;
    this.count = 0;
  }
}

abstract class CellFamily<Cell> {
  readonly aggregator = 'sum' as const;
  protected readonly cells: Cell[] = [];

  constructor(
    registry: Registry,
    readonly name: string,
    readonly help: string,
    readonly type: Snapshot['type'],
  ) {
    // The registry's TS type names prom-client's classes, but it only calls name, get() and reset().
    registry.registerMetric(this as unknown as Metric);
  }

  /** The family's rendering, read by the registry at scrape time. */
  async get(): Promise<Snapshot> {
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values: this.samples() };
  }

  abstract reset(): void;
  protected abstract samples(): Sample[];
}

/** A counter or gauge family. */
export class ValueFamily extends CellFamily<ValueCell> {
  constructor(registry: Registry, name: string, help: string, type: 'counter' | 'gauge') {
    super(registry, name, help, type);
  }

  /** A new series; the caller keeps it. Label keys in the order they are to be printed. */
  cell(labels: Labels): ValueCell {
    const cell = new ValueCell(labels);
    this.cells.push(cell);
    return cell;
  }

  reset(): void {
    for (const cell of this.cells) cell.value = 0;
  }

  protected samples(): Sample[] {
    return this.cells.map((cell) => ({ labels: cell.labels, value: cell.value }));
  }
}

/** A histogram family with fixed upper bounds (a `+Inf` bucket is implied). */
export class HistogramFamily extends CellFamily<HistogramCell> {
  private readonly bounds: readonly number[];

  constructor(registry: Registry, name: string, help: string, bounds: readonly number[]) {
    super(registry, name, help, 'histogram');
    this.bounds = Object.freeze([...bounds].sort((a, b) => a - b));
  }

  cell(labels: Labels): HistogramCell {
    const cell = new HistogramCell(labels, this.bounds);
    this.cells.push(cell);
    return cell;
  }

  reset(): void {
    for (const cell of this.cells) cell.clear();
  }

  protected samples(): Sample[] {
    const out: Sample[] = [];
    const bucket = `${this.name}_bucket`;
    for (const cell of this.cells) {
      this.bounds.forEach((bound, i) => {
        out.push({ metricName: bucket, labels: { ...cell.labels, le: String(bound) }, value: cell.cumulative(i) });
      });
      out.push({ metricName: bucket, labels: { ...cell.labels, le: '+Inf' }, value: cell.count });
      out.push({ metricName: `${this.name}_sum`, labels: cell.labels, value: cell.sum });
      out.push({ metricName: `${this.name}_count`, labels: cell.labels, value: cell.count });
    }
    return out;
  }
}
