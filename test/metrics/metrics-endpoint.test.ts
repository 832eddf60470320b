import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ModelPlan } from '../../src/core/model-plan.ts';
import { Metrics } from '../../src/observe/metrics.ts';
import { MetricsEndpoint } from '../../src/transport/metrics/metrics-endpoint.ts';
import { parseExposition, planOf, publishSuccess, sampleValue } from '../observe/support.ts';

describe('MetricsEndpoint', () => {
  const plan = planOf('m_endpoint', 1);
  let pending: () => Iterable<{ plan: ModelPlan; pending: number }> = () => [{ plan, pending: 4 }];
  let metrics: Metrics;
  let endpoint: MetricsEndpoint;
  let base: string;

  before(async () => {
    metrics = new Metrics({ pending: () => pending() });
    endpoint = await MetricsEndpoint.start(metrics, { port: 0, address: '127.0.0.1' });
    base = `http://127.0.0.1:${endpoint.port}`;
  });
  after(async () => {
    await endpoint.close();
    metrics.close();
  });

  it('answers GET /metrics with the registry in the text format', async () => {
    publishSuccess(plan, { durationNs: 5000, queueNs: 0, inputNs: 0, inferNs: 0, outputNs: 0, endedAtMs: 1 });
    const res = await fetch(`${base}/metrics`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'text/plain; charset=utf-8');
    const families = parseExposition(await res.text());
    assert.equal(sampleValue(families, 'nv_inference_request_success', { model: 'm_endpoint', version: '1' }), 1);
    assert.equal(sampleValue(families, 'nv_inference_request_duration_us', { model: 'm_endpoint', version: '1' }), 5);
    assert.equal(sampleValue(families, 'nv_inference_pending_request_count', { model: 'm_endpoint', version: '1' }), 4);
  });

  it('accepts a trailing slash and ignores the query string', async () => {
    for (const path of ['/metrics/', '/metrics?name=x', '/metrics/?x']) {
      const res = await fetch(base + path);
      assert.equal(res.status, 200, path);
      assert.match(await res.text(), /^# HELP nv_inference_request_success /);
    }
  });

  it('refuses other methods on the metrics paths with 405 and Triton\'s JSON error', async () => {
    for (const [method, path] of [['POST', '/metrics'], ['PUT', '/metrics/'], ['DELETE', '/metrics'], ['HEAD', '/metrics']] as const) {
      const res = await fetch(base + path, { method });
      assert.equal(res.status, 405, `${method} ${path}`);
      assert.equal(res.headers.get('content-type'), 'application/json');
      if (method !== 'HEAD') assert.deepEqual(await res.json(), { error: 'Method Not Allowed' });
    }
  });

  it('answers any other path with 404 and Triton\'s JSON error', async () => {
    for (const path of ['/', '/metric', '/metrics/x', '/metrics//', '/v2/metrics']) {
      const res = await fetch(base + path);
      assert.equal(res.status, 404, path);
      assert.equal(res.headers.get('content-type'), 'application/json');
      assert.deepEqual(await res.json(), { error: 'Not Found' });
    }
  });

  it('answers 500 with a JSON error when collecting fails', async () => {
    pending = () => {
      throw new Error('pending count unavailable');
    };
    try {
      const res = await fetch(`${base}/metrics`);
      assert.equal(res.status, 500);
      assert.deepEqual(await res.json(), { error: 'pending count unavailable' });
    } finally {
      pending = () => [{ plan, pending: 4 }];
    }
    assert.equal((await fetch(`${base}/metrics`)).status, 200);
  });
});
