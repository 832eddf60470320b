/**
 * Offline checks of deploy/kserve: the ClusterServingRuntime declares what KServe matches on (onnx and triton formats,
 * the v2 protocols) and runs nereid with flags the real option parser accepts on KServe's ports and model path; the
 * example InferenceService selects that runtime; the probe paths answer on a real HTTP endpoint.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { parseOptions } from '../../src/options/parse-options.ts';
import { startTestServer } from '../support/http-server.ts';
import { tempDir } from '../support/temp-dir.ts';

// Manifests are untyped YAML; the assertions below are what checks their shape.
type Doc = any;

const DIR = fileURLToPath(new URL('../../deploy/kserve/', import.meta.url));

/** The single document of a manifest file; fails on YAML errors or on several documents. */
function load(file: string): Doc {
  const docs = parseAllDocuments(readFileSync(DIR + file, 'utf8'));
  assert.ok(Array.isArray(docs), `${file}: empty`);
  assert.equal(docs.length, 1, `${file}: one document expected`);
  assert.deepEqual(docs[0]!.errors, [], `${file}: YAML errors`);
  return docs[0]!.toJS();
}

const runtime = load('servingruntime.yaml');
const isvc = load('inferenceservice-example.yaml');
const container = runtime.spec.containers[0];
const options = parseOptions(container.args);

describe('deploy/kserve ClusterServingRuntime', () => {
  it('is a serving.kserve.io/v1alpha1 ClusterServingRuntime named nereid', () => {
    assert.equal(runtime.apiVersion, 'serving.kserve.io/v1alpha1');
    assert.equal(runtime.kind, 'ClusterServingRuntime');
    assert.equal(runtime.metadata.name, 'nereid');
  });

  it('supports onnx (version "1", auto-selected) and triton (version "2") over v2 and grpc-v2', () => {
    const formats = Object.fromEntries(runtime.spec.supportedModelFormats.map((f: Doc) => [f.name, f]));
    assert.equal(formats.onnx?.version, '1');
    assert.equal(formats.onnx?.autoSelect, true);
    assert.equal(formats.triton?.version, '2');
    assert.deepEqual(runtime.spec.protocolVersions, ['v2', 'grpc-v2']);
  });

  it('the container is kserve-container, with args the real option parser accepts, on KServe\'s conventions', () => {
    assert.equal(container.name, 'kserve-container');
    assert.ok(!container.command, 'the image entrypoint runs the server; only args are given');
    assert.deepEqual(options.modelRepositories, ['/mnt/models']);
    assert.deepEqual([options.httpPort, options.grpcPort], [8080, 9000]);
    assert.equal(options.allowHttp && options.allowGrpc && options.allowMetrics, true);
  });

  it('declares the REST port and points the probes at it', () => {
    assert.deepEqual(container.ports.map((p: Doc) => p.containerPort), [options.httpPort]);
    assert.equal(container.readinessProbe.httpGet.path, '/v2/health/ready');
    assert.equal(container.livenessProbe.httpGet.path, '/v2/health/live');
    for (const probe of [container.readinessProbe, container.livenessProbe]) {
      assert.equal(probe.httpGet.port, options.httpPort);
    }
  });

  it('the probe paths answer 200 on a real nereid HTTP endpoint', async () => {
    const server = await startTestServer({ repositories: [tempDir()] });
    for (const probe of [container.readinessProbe, container.livenessProbe]) {
      assert.equal((await fetch(server.url + probe.httpGet.path)).status, 200, probe.httpGet.path);
    }
  });

  it('the prometheus annotations point at the metrics port', () => {
    assert.equal(Number(runtime.spec.annotations['prometheus.kserve.io/port']), options.metricsPort);
    assert.equal(runtime.spec.annotations['prometheus.kserve.io/path'], '/metrics');
  });
});

describe('deploy/kserve InferenceService example', () => {
  it('is a serving.kserve.io/v1beta1 InferenceService of an onnx model on the nereid runtime over v2', () => {
    assert.equal(isvc.apiVersion, 'serving.kserve.io/v1beta1');
    assert.equal(isvc.kind, 'InferenceService');
    const model = isvc.spec.predictor.model;
    assert.equal(model.modelFormat.name, 'onnx');
    assert.equal(model.runtime, runtime.metadata.name);
    assert.equal(model.protocolVersion, 'v2');
    assert.ok(runtime.spec.protocolVersions.includes(model.protocolVersion));
    assert.ok(runtime.spec.supportedModelFormats.some((f: Doc) => f.name === model.modelFormat.name));
    assert.match(model.storageUri, /^(s3|gs|pvc|https?):\/\//);
  });
});
