/**
 * Test helpers for the observers: real model plans, a small in-memory ModelLookup (the repository's contract, without
 * loading anything), reusable mutable events published on the real channels, and a strict parse of the Prometheus text
 * exposition format.
 */
import assert from 'node:assert/strict';
import { configObjectFromMessage, ModelConfigType } from '../../src/config/model-config-schema.ts';
import type { ModelConfig } from '../../src/config/model-config.ts';
import {
  executionChannel,
  modelLoadChannel,
  requestChannel,
  type ExecutionEvent,
  type FailureReason,
  type ModelLoadEvent,
  type RequestEvent,
} from '../../src/core/inference-events.ts';
import type { ModelLookup, ModelStatus, ServableVersion, VersionState } from '../../src/core/model-lookup.ts';
import { buildModelPlan, type ModelPlan } from '../../src/core/model-plan.ts';
import { notFound, unavailable } from '../../src/protocol/errors.ts';
import type { Scheduler } from '../../src/core/scheduler-port.ts';

export function configOf(name: string): ModelConfig {
  return configObjectFromMessage(
    ModelConfigType.fromObject({
      name,
      max_batch_size: 8,
      input: [{ name: 'IN', data_type: 'TYPE_FP32', dims: [4] }],
      output: [{ name: 'OUT', data_type: 'TYPE_FP32', dims: [4] }],
    }),
  ) as unknown as ModelConfig;
}

export function planOf(name: string, version: number): ModelPlan {
  return buildModelPlan(configOf(name), version);
}

const idleScheduler: Scheduler = {
  enqueue: () => Promise.reject(new Error('not used')),
  inflight: 0,
  pending: 0,
  drained: () => Promise.resolve(),
};

/** Versions set by hand, answering like the repository (same texts for the lookups the observers make). */
export class TestLookup implements ModelLookup {
  private readonly rows = new Map<string, Map<number, { state: VersionState; plan: ModelPlan }>>();

  release(): undefined {
    return undefined;
  }

  set(plan: ModelPlan, state: VersionState = 'READY'): this {
    let versions = this.rows.get(plan.name);
    if (versions === undefined) this.rows.set(plan.name, (versions = new Map()));
    versions.set(plan.version, { state, plan });
    return this;
  }

  resolve(name: string, version?: string): ServableVersion {
    const versions = this.rows.get(name);
    if (versions === undefined) throw notFound(`Request for unknown model: '${name}' is not found`);
    const v = version === undefined || version === '' ? Math.max(...this.readyVersions(name)) : Number(version);
    const row = versions.get(v);
    if (row === undefined || row.state !== 'READY') throw unavailable(`'${name}' version ${v} is not at ready state`);
    return { plan: row.plan, config: configOf(name), scheduler: idleScheduler };
  }

  readyVersions(name: string): number[] {
    const versions = this.rows.get(name) ?? new Map();
    return [...versions].filter(([, r]) => r.state === 'READY').map(([v]) => v).sort((a, b) => a - b);
  }

  allReady(): boolean {
    return this.statuses().every((s) => s.state === 'READY');
  }

  statuses(): ModelStatus[] {
    // Deliberately not sorted: the observers must order what they report themselves.
    const out: ModelStatus[] = [];
    for (const [name, versions] of this.rows) {
      for (const [version, row] of versions) out.push({ name, version, state: row.state, reason: '' });
    }
    return out;
  }
}

/** One mutable event of each kind, reused for every publish as the data path does. */
const request: RequestEvent = {
  plan: undefined as unknown as ModelPlan,
  ok: true,
  failureReason: 'OTHER',
  durationNs: 0,
  queueNs: 0,
  computeInputNs: 0,
  computeInferNs: 0,
  computeOutputNs: 0,
  endedAtMs: 0,
  cache: 'none',
  cacheNs: 0,
};
const execution: ExecutionEvent = {
  plan: undefined as unknown as ModelPlan,
  batchSize: 0,
  requestCount: 0,
  paddingRows: 0,
  computeInputNs: 0,
  computeInferNs: 0,
  computeOutputNs: 0,
};
const load: ModelLoadEvent = { plan: undefined as unknown as ModelPlan, seconds: 0 };

/** Publishes a successful request, then scribbles over the reused event (observers must have copied). */
export function publishSuccess(
  plan: ModelPlan,
  t: { durationNs: number; queueNs: number; inputNs: number; inferNs: number; outputNs: number; endedAtMs: number },
): void {
  Object.assign(request, {
    plan,
    ok: true,
    failureReason: 'OTHER',
    durationNs: t.durationNs,
    queueNs: t.queueNs,
    computeInputNs: t.inputNs,
    computeInferNs: t.inferNs,
    computeOutputNs: t.outputNs,
    endedAtMs: t.endedAtMs,
  });
  requestChannel.publish(request);
  scribble(request);
}

export function publishFailure(plan: ModelPlan, reason: FailureReason, durationNs: number, endedAtMs: number): void {
  Object.assign(request, {
    plan,
    ok: false,
    failureReason: reason,
    durationNs,
    queueNs: 0,
    computeInputNs: 0,
    computeInferNs: 0,
    computeOutputNs: 0,
    endedAtMs,
  });
  requestChannel.publish(request);
  scribble(request);
}

export function publishExecution(
  plan: ModelPlan,
  batchSize: number,
  t: { inputNs: number; inferNs: number; outputNs: number } = { inputNs: 0, inferNs: 0, outputNs: 0 },
): void {
  Object.assign(execution, {
    plan,
    batchSize,
    requestCount: batchSize,
    paddingRows: 0,
    computeInputNs: t.inputNs,
    computeInferNs: t.inferNs,
    computeOutputNs: t.outputNs,
  });
  executionChannel.publish(execution);
  scribble(execution);
}

export function publishLoad(plan: ModelPlan, seconds: number): void {
  Object.assign(load, { plan, seconds });
  modelLoadChannel.publish(load);
  scribble(load);
}

function scribble(event: RequestEvent | ExecutionEvent | ModelLoadEvent): void {
  for (const key of Object.keys(event) as (keyof typeof event)[]) {
    if (typeof event[key] === 'number') (event as unknown as Record<string, number>)[key] = 987654321;
  }
  (event as { plan: ModelPlan }).plan = planOf('scribbled', 99);
}

export interface Sample {
  name: string;
  labels: Record<string, string>;
  /** Label names in printed order. */
  labelOrder: string[];
  value: number;
}

export interface Family {
  name: string;
  help: string;
  type: string;
  samples: Sample[];
}

const SAMPLE_LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/;
const LABEL = /^([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(?:,|$)/;

/** A strict parse of the text exposition format: HELP then TYPE before samples, samples within their family. */
export function parseExposition(text: string): Map<string, Family> {
  assert.ok(text.endsWith('\n'), 'the text ends with a newline');
  const families = new Map<string, Family>();
  let current: Family | undefined;
  for (const line of text.slice(0, -1).split('\n')) {
    if (line === '') continue;
    const help = /^# HELP (\S+) (.*)$/.exec(line);
    if (help !== null) {
      assert.ok(!families.has(help[1]!), `family ${help[1]} appears once`);
      current = { name: help[1]!, help: help[2]!, type: '', samples: [] };
      families.set(current.name, current);
      continue;
    }
    const type = /^# TYPE (\S+) (counter|gauge|histogram|summary|untyped)$/.exec(line);
    if (type !== null) {
      assert.equal(type[1], current?.name, `TYPE follows the HELP of ${type[1]}`);
      current!.type = type[2]!;
      continue;
    }
    const sample = SAMPLE_LINE.exec(line);
    assert.ok(sample !== null, `a sample line: ${line}`);
    assert.ok(current !== undefined && current.type !== '', `sample inside a typed family: ${line}`);
    const name = sample[1]!;
    const allowed =
      current.type === 'histogram' ? ['_bucket', '_sum', '_count'].map((s) => current!.name + s) : [current.name];
    assert.ok(allowed.includes(name), `${name} belongs to ${current.name}`);
    const labels: Record<string, string> = {};
    const labelOrder: string[] = [];
    let rest = sample[2] ?? '';
    while (rest !== '') {
      const label = LABEL.exec(rest);
      assert.ok(label !== null, `well-formed labels: ${line}`);
      labels[label[1]!] = label[2]!;
      labelOrder.push(label[1]!);
      rest = rest.slice(label[0].length);
    }
    const value = Number(sample[3]);
    assert.ok(!Number.isNaN(value) || sample[3] === 'NaN', `numeric value: ${line}`);
    current.samples.push({ name, labels, labelOrder, value });
  }
  return families;
}

/** The one sample of `family` (or its `_bucket`/`_sum`/`_count` series) whose labels are exactly `labels`. */
export function sampleValue(
  families: Map<string, Family>,
  family: string,
  labels: Record<string, string>,
  name: string = family,
): number | undefined {
  const key = (l: Record<string, string>): string => JSON.stringify(Object.entries(l).sort());
  const found = families.get(family)?.samples.filter((s) => s.name === name && key(s.labels) === key(labels));
  assert.ok(found === undefined || found.length <= 1, `at most one ${name} series with ${JSON.stringify(labels)}`);
  return found?.[0]?.value;
}
