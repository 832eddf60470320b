/**
 * Offline checks of deploy/kubernetes: every manifest parses, the pieces agree with each other (labels and selectors,
 * named ports, the PVC, the HPA target), and with nereid itself (the container args pass the real option parser, the
 * probe paths answer on a real HTTP endpoint, the HPA metric is one nereid exports).
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { Metrics } from '../../src/observe/metrics.ts';
import { parseOptions } from '../../src/options/parse-options.ts';
import { startTestServer } from '../support/http-server.ts';
import { tempDir } from '../support/temp-dir.ts';

// Manifests are untyped YAML; the assertions below are what checks their shape.
type Doc = any;

const DIR = fileURLToPath(new URL('../../deploy/kubernetes/', import.meta.url));

/** The single document of a manifest file; fails on YAML errors or on several documents. */
function load(file: string): Doc {
  const docs = parseAllDocuments(readFileSync(DIR + file, 'utf8'));
  assert.ok(Array.isArray(docs), `${file}: empty`);
  assert.equal(docs.length, 1, `${file}: one document expected`);
  assert.deepEqual(docs[0]!.errors, [], `${file}: YAML errors`);
  return docs[0]!.toJS();
}

const deployment = load('deployment.yaml');
const service = load('service.yaml');
const hpa = load('hpa.yaml');
const pvc = load('pvc.yaml');
const kustomization = load('kustomization.yaml');
const pod = deployment.spec.template.spec;
const container = pod.containers[0];
const options = parseOptions(container.args);

/** A probe's or targetPort's port: a number, or the name of one of the container's ports. */
function portNumber(port: number | string): number {
  if (typeof port === 'number') return port;
  const named = container.ports.find((p: Doc) => p.name === port);
  assert.ok(named, `no container port named ${port}`);
  return named.containerPort;
}

/** Every key/value of `subset` is in `labels`. */
function assertSelects(subset: Record<string, string>, labels: Record<string, string>, what: string): void {
  assert.ok(Object.keys(subset).length > 0, `${what}: empty selector`);
  for (const [key, value] of Object.entries(subset)) assert.equal(labels[key], value, `${what}: label ${key}`);
}

describe('deploy/kubernetes', () => {
  it('kustomization lists exactly the manifests in the folder, and each has apiVersion and kind', () => {
    assert.equal(kustomization.kind, 'Kustomization');
    const files = readdirSync(DIR).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml');
    assert.deepEqual([...kustomization.resources].sort(), files.sort());
    const kinds = Object.fromEntries(files.map((f) => [f, `${load(f).apiVersion} ${load(f).kind}`]));
    assert.deepEqual(kinds, {
      'deployment.yaml': 'apps/v1 Deployment',
      'hpa.yaml': 'autoscaling/v2 HorizontalPodAutoscaler',
      'pvc.yaml': 'v1 PersistentVolumeClaim',
      'service.yaml': 'v1 Service',
    });
  });

  it('the container args are flags the real option parser accepts, with the intended values', () => {
    assert.ok(!container.command, 'the image entrypoint runs the server; only args are given');
    assert.deepEqual(options.modelRepositories, ['/models']);
    assert.equal(options.modelControlMode, 'poll');
    assert.equal(options.repositoryPollSecs, 15);
    assert.equal(options.strictReadiness, true);
    assert.equal(options.exitTimeoutSecs, 30);
    assert.deepEqual([options.httpPort, options.grpcPort, options.metricsPort], [8000, 8001, 8002]);
  });

  it('declares the ports the server listens on, named http, grpc and metrics', () => {
    const ports = Object.fromEntries(container.ports.map((p: Doc) => [p.name, p.containerPort]));
    assert.deepEqual(ports, { http: options.httpPort, grpc: options.grpcPort, metrics: options.metricsPort });
  });

  it('the Deployment selector and the Service selector both match the pod labels', () => {
    const podLabels = deployment.spec.template.metadata.labels;
    assertSelects(deployment.spec.selector.matchLabels, podLabels, 'Deployment selector');
    assertSelects(service.spec.selector, podLabels, 'Service selector');
  });

  it('the Service exposes 8000/8001/8002 onto the matching container ports', () => {
    const rows = service.spec.ports.map((p: Doc) => [p.name, p.port, portNumber(p.targetPort)]);
    assert.deepEqual(rows, [
      ['http', 8000, options.httpPort],
      ['grpc', 8001, options.grpcPort],
      ['metrics', 8002, options.metricsPort],
    ]);
  });

  it('probes: ready, live and a startup probe, all on the HTTP port', () => {
    assert.equal(container.readinessProbe.httpGet.path, '/v2/health/ready');
    assert.equal(container.livenessProbe.httpGet.path, '/v2/health/live');
    assert.ok(container.startupProbe.httpGet.path.startsWith('/v2/health/'));
    // A slow model load gets failureThreshold × periodSeconds before the kubelet restarts the pod.
    assert.ok(container.startupProbe.failureThreshold * container.startupProbe.periodSeconds >= 120);
    for (const probe of [container.readinessProbe, container.livenessProbe, container.startupProbe]) {
      assert.equal(portNumber(probe.httpGet.port), options.httpPort);
    }
  });

  it('the probe paths answer 200 on a real nereid HTTP endpoint', async () => {
    const server = await startTestServer({ repositories: [tempDir()] });
    for (const probe of [container.readinessProbe, container.livenessProbe, container.startupProbe]) {
      const response = await fetch(server.url + probe.httpGet.path);
      assert.equal(response.status, 200, probe.httpGet.path);
    }
  });

  it('the model repository is the nereid-models PVC, mounted read-only where --model-repository points', () => {
    const mount = container.volumeMounts.find((m: Doc) => m.mountPath === options.modelRepositories[0]);
    assert.ok(mount, 'no volume mounted at the model repository');
    assert.equal(mount.readOnly, true);
    const volume = pod.volumes.find((v: Doc) => v.name === mount.name);
    assert.equal(volume.persistentVolumeClaim.claimName, 'nereid-models');
    assert.equal(pvc.metadata.name, 'nereid-models');
  });

  it('terminationGracePeriodSeconds outlasts --exit-timeout-secs', () => {
    assert.ok(pod.terminationGracePeriodSeconds > options.exitTimeoutSecs);
  });

  it('resources set requests and limits', () => {
    assert.ok(container.resources.requests.cpu && container.resources.requests.memory);
    assert.ok(container.resources.limits.cpu && container.resources.limits.memory);
  });

  it('prometheus scrape annotations point at the metrics port', () => {
    const annotations = deployment.spec.template.metadata.annotations;
    assert.equal(annotations['prometheus.io/scrape'], 'true');
    assert.equal(Number(annotations['prometheus.io/port']), options.metricsPort);
    assert.equal(annotations['prometheus.io/path'], '/metrics');
  });

  it('the HPA scales the Deployment on a metric nereid exports, with a CPU fallback', async () => {
    assert.deepEqual(hpa.spec.scaleTargetRef, {
      apiVersion: deployment.apiVersion,
      kind: deployment.kind,
      name: deployment.metadata.name,
    });
    assert.ok(hpa.spec.minReplicas >= 1 && hpa.spec.minReplicas <= hpa.spec.maxReplicas);
    const metrics = new Metrics({ pending: () => [] });
    const exported = new Set((await metrics.registry.getMetricsAsJSON()).map((m) => m.name));
    metrics.close();
    const pods = hpa.spec.metrics.filter((m: Doc) => m.type === 'Pods');
    assert.equal(pods.length, 1);
    assert.equal(pods[0].pods.metric.name, 'nv_inference_pending_request_count');
    assert.ok(exported.has(pods[0].pods.metric.name), 'nereid does not export the HPA metric');
    assert.equal(pods[0].pods.target.type, 'AverageValue');
    const cpu = hpa.spec.metrics.find((m: Doc) => m.type === 'Resource' && m.resource.name === 'cpu');
    assert.equal(cpu.resource.target.type, 'Utilization');
    assert.ok(container.resources.requests.cpu, 'CPU utilisation needs a CPU request');
  });

  it('the HPA comment names prometheus-adapter, which the custom metric needs', () => {
    assert.match(readFileSync(DIR + 'hpa.yaml', 'utf8'), /^#.*prometheus-adapter/m);
  });
});
