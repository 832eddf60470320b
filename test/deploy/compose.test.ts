/**
 * docker-compose.yml, the Prometheus scrape config, Grafana's provisioning and the dashboard, checked offline (no
 * Docker engine): the files are parsed and cross-checked against each other and against the metric families a real
 * nereid `Metrics` registry exports.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { parse } from 'yaml';
import { Metrics } from '../../src/observe/metrics.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
type Doc = Record<string, any>;

function yamlAt(path: string): Doc {
  return parse(readFileSync(join(ROOT, path), 'utf8')) as Doc;
}

const compose = yamlAt('docker-compose.yml');
const services = compose.services as Doc;

/** A short-syntax volume `source:target[:mode]` of a service, by container target. */
function volume(service: string, target: string): { source: string; mode: string } | undefined {
  for (const v of (services[service].volumes ?? []) as string[]) {
    const [source, to, mode = 'rw'] = v.split(':');
    if (to === target) return { source: source!, mode };
  }
  return undefined;
}

test('compose defines nereid, prometheus and grafana', () => {
  assert.deepEqual(Object.keys(services).sort(), ['grafana', 'nereid', 'prometheus']);
  const build = services.nereid.build;
  const context = typeof build === 'string' ? build : build.context;
  assert.equal(context, '.');
  const dockerfile = typeof build === 'string' ? 'Dockerfile' : (build.dockerfile ?? 'Dockerfile');
  assert.ok(existsSync(join(ROOT, context, dockerfile)), `${dockerfile} exists`);
  assert.match(services.prometheus.image, /^prom\/prometheus(:|$)/);
  assert.match(services.grafana.image, /^grafana\/grafana(:|$)/);
});

test('nereid publishes HTTP 8000, gRPC 8001 and metrics 8002', () => {
  const ports = (services.nereid.ports as string[]).map(String).sort();
  assert.deepEqual(ports, ['8000:8000', '8001:8001', '8002:8002']);
});

test('the model repository is mounted read-only at /models', () => {
  const mount = volume('nereid', '/models');
  assert.ok(mount, 'a volume targets /models');
  assert.equal(mount.source, './model_repository');
  assert.equal(mount.mode, 'ro');
  assert.ok(existsSync(join(ROOT, 'model_repository')), 'the mounted directory exists in the repo');
  // Extra args pass through to nereid and must not override the repository.
  for (const arg of (services.nereid.command ?? []) as string[]) assert.doesNotMatch(arg, /model-repository|model-store/);
});

test('prometheus scrapes nereid:8002/metrics with the mounted config', () => {
  const mount = volume('prometheus', '/etc/prometheus/prometheus.yml');
  assert.ok(mount, 'the config is mounted where prometheus reads it');
  assert.equal(mount.source, './deploy/prometheus/prometheus.yml');
  assert.equal(mount.mode, 'ro');
  const command = (services.prometheus.command ?? []) as string[];
  assert.ok(command.includes('--config.file=/etc/prometheus/prometheus.yml'));
  const config = yamlAt(mount.source);
  const jobs = config.scrape_configs as Doc[];
  const nereid = jobs.find((j) => j.job_name === 'nereid');
  assert.ok(nereid, 'a nereid scrape job');
  assert.equal(nereid.metrics_path ?? '/metrics', '/metrics');
  assert.equal(nereid.scheme ?? 'http', 'http');
  const targets = (nereid.static_configs as Doc[]).flatMap((c) => c.targets as string[]);
  assert.deepEqual(targets, ['nereid:8002']);
  assert.ok(services.nereid.ports.includes('8002:8002'), 'the scraped port is nereid\'s metrics port');
});

test('grafana provisions the prometheus datasource and the dashboard folder', () => {
  const provisioning = volume('grafana', '/etc/grafana/provisioning');
  assert.deepEqual(provisioning, { source: './deploy/grafana/provisioning', mode: 'ro' });
  const datasources = yamlAt('deploy/grafana/provisioning/datasources/prometheus.yml').datasources as Doc[];
  assert.equal(datasources.length, 1);
  const [ds] = datasources;
  assert.equal(ds!.type, 'prometheus');
  const url = new URL(ds!.url);
  assert.equal(url.hostname, 'prometheus', 'the compose service name');
  assert.ok(services.prometheus.ports.some((p: string) => p.endsWith(`:${url.port}`)), 'prometheus serves that port');

  const providers = yamlAt('deploy/grafana/provisioning/dashboards/nereid.yml').providers as Doc[];
  assert.equal(providers.length, 1);
  const dashboardDir = providers[0]!.options.path as string;
  const mount = volume('grafana', dashboardDir);
  assert.deepEqual(mount, { source: './deploy/grafana/dashboards', mode: 'ro' }, 'the provider reads the mounted folder');
  assert.ok(existsSync(join(ROOT, mount.source, 'nereid.json')));

  const dashboard = JSON.parse(readFileSync(join(ROOT, mount.source, 'nereid.json'), 'utf8')) as Doc;
  for (const { title, datasource } of panelsAndTargets(dashboard)) {
    assert.equal(datasource?.uid, ds!.uid, `${title} uses the provisioned datasource`);
  }
});

/** Every panel and query target, with the datasource each names. */
function panelsAndTargets(dashboard: Doc): { title: string; datasource?: Doc; expr?: string }[] {
  const out: { title: string; datasource?: Doc; expr?: string }[] = [];
  for (const panel of dashboard.panels as Doc[]) {
    if (panel.type === 'row') continue;
    out.push({ title: panel.title, datasource: panel.datasource });
    for (const t of panel.targets as Doc[]) out.push({ title: panel.title, datasource: t.datasource, expr: t.expr });
  }
  return out;
}

const KEYWORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'bool', 'offset', 'and', 'or', 'unless']);

/** The metric names a PromQL expression selects: identifiers that are not functions, keywords, label lists,
 *  label matchers, strings, ranges or numbers. */
function metricNames(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const names: string[] = [];
  for (const m of stripped.matchAll(/[A-Za-z_:][A-Za-z0-9_:]*/g)) {
    const after = stripped.slice(m.index + m[0].length).trimStart();
    if (after.startsWith('(') || KEYWORDS.has(m[0])) continue;
    if (/^\d/.test(stripped.slice(m.index - 1, m.index))) continue; // exponent of a number such as 1e3
    names.push(m[0]);
  }
  return names;
}

/** The series names nereid exposes, from a real registry: histograms expose _bucket, _sum and _count. */
async function exportedNames(): Promise<Set<string>> {
  const metrics = new Metrics({ pending: () => [] });
  try {
    const names = new Set<string>();
    for (const { name, type } of await metrics.registry.getMetricsAsJSON()) {
      if (String(type) === 'histogram') for (const s of ['_bucket', '_sum', '_count']) names.add(name + s);
      else names.add(name);
    }
    return names;
  } finally {
    metrics.close();
  }
}

test('metricNames extracts selectors only', () => {
  assert.deepEqual(
    metricNames('histogram_quantile(0.99, sum by (le, model) (rate(a_bucket{model=~"$model"}[$__rate_interval]))) / b'),
    ['a_bucket', 'b'],
  );
  assert.deepEqual(metricNames('sum without (reason) (x offset 5m) > bool 1e3'), ['x']);
});

test('every dashboard expression names only metrics nereid exports', async () => {
  const exported = await exportedNames();
  assert.ok(exported.has('nv_inference_request_success') && exported.has('nereid_batch_size_bucket'));
  const dashboard = JSON.parse(readFileSync(join(ROOT, 'deploy/grafana/dashboards/nereid.json'), 'utf8')) as Doc;
  const used = new Set<string>();
  const exprs = panelsAndTargets(dashboard).filter((t) => t.expr !== undefined);
  assert.ok(exprs.length > 0);
  for (const { title, expr } of exprs) {
    const names = metricNames(expr!);
    assert.ok(names.length > 0, `${title}: ${expr} selects a metric`);
    for (const n of names) {
      assert.ok(exported.has(n), `${title}: ${n} is not exported by nereid`);
      used.add(n);
    }
  }
  for (const v of dashboard.templating.list as Doc[]) {
    const query = typeof v.query === 'string' ? v.query : v.query.query;
    const m = /^label_values\(([^,]+),\s*(\w+)\)$/.exec(query);
    assert.ok(m, `${v.name}: label_values query`);
    for (const n of metricNames(m[1]!)) assert.ok(exported.has(n), `variable ${v.name}: ${n} is not exported`);
    assert.equal(m[2], v.name, 'the variable lists the label it filters');
  }
  // The panels the deployment promises.
  for (const n of [
    'nv_inference_request_success',
    'nereid_inference_request_duration_us_bucket',
    'nv_inference_queue_duration_us',
    'nv_inference_compute_infer_duration_us',
    'nereid_batch_size_bucket',
    'nv_inference_request_failure',
    // The gray-release row.
    'nereid_release_routed_total',
    'nereid_shadow_max_abs_diff_bucket',
    'nereid_shadow_argmax_agreement_sum',
    'nereid_shadow_requests_total',
    'nereid_release_rolled_back',
    'nereid_release_rollbacks_total',
  ]) {
    assert.ok(used.has(n), `the dashboard charts ${n}`);
  }
});

test('the dashboard shows p50/p95/p99 latency, failures by reason, per model and version', () => {
  const dashboard = JSON.parse(readFileSync(join(ROOT, 'deploy/grafana/dashboards/nereid.json'), 'utf8')) as Doc;
  const targets = panelsAndTargets(dashboard).filter((t) => t.expr !== undefined);
  const request = targets.map((t) => t.expr!).filter((e) => e.includes('nereid_inference_request_duration_us_bucket'));
  for (const p of ['0.5', '0.95', '0.99']) {
    assert.ok(request.some((e) => e.startsWith(`histogram_quantile(${p},`) && /by \(le\b/.test(e)), `p${p} quantile`);
  }
  const failures = targets.filter((t) => t.title.startsWith('Failures')).map((t) => t.expr!);
  assert.ok(failures.length > 0 && failures.every((e) => /by \([^)]*\breason\b/.test(e)), 'failures split by reason');
  const names = (dashboard.templating.list as Doc[]).map((v) => v.name);
  assert.deepEqual(names, ['model', 'version']);
  for (const { title, expr } of targets) {
    assert.match(expr!, /model=~"\$model"/, `${title} filters by $model`);
    assert.match(expr!, /version=~"\$version"/, `${title} filters by $version`);
  }
});
