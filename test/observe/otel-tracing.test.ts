/**
 * The OpenTelemetry trace mode against a local OTLP/HTTP receiver (a listener in the test that decodes what the
 * official exporter sends): the three spans Triton exports per request (InferRequest, the model, compute) with their
 * events and nesting, the resource attributes from --trace-config, and W3C trace context propagated from an HTTP
 * header and from gRPC metadata (the client's trace and parent span), traced whatever the rate, as Triton does.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { addModel, writeModelDir } from '../../scripts/onnx/test-models.ts';
import type { DataPlane } from '../../src/core/data-plane.ts';
import { OtelTraceExporter } from '../../src/observe/otel-trace-exporter.ts';
import { StatisticsStore } from '../../src/observe/statistics.ts';
import { ModelRepository } from '../../src/repository/model-repository.ts';
import { GrpcEndpoint } from '../../src/transport/grpc/grpc-endpoint.ts';
import { HttpEndpoint } from '../../src/transport/http/http-endpoint.ts';
import { closeGrpcClients, grpcCall } from '../differential/grpc-probe.ts';
import { testDataPlane } from '../support/data-plane.ts';
import { tempDir } from '../support/temp-dir.ts';

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  events?: { name: string }[];
  attributes?: { key: string; value: Record<string, unknown> }[];
}

const received: { resource: unknown; spans: OtlpSpan[] }[] = [];
let receiver: Server;
let repository: ModelRepository;
let plane: DataPlane;
let http: HttpEndpoint;
let grpc: GrpcEndpoint;
const statistics = new StatisticsStore();
const HTTP_PARENT = '00-0af7651916cd43dd8448eb211c12666c-b7ad6b7169242424-01';
const GRPC_PARENT = '00-11111111111111111111111111111111-2222222222222222-01';

before(async () => {
  receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const message = JSON.parse(body) as { resourceSpans: { resource: unknown; scopeSpans: { spans: OtlpSpan[] }[] }[] };
      for (const rs of message.resourceSpans) received.push({ resource: rs.resource, spans: rs.scopeSpans.flatMap((s) => s.spans) });
      res.writeHead(200, { 'Content-Type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const url = `127.0.0.1:${(receiver.address() as AddressInfo).port}/v1/traces`;
  const repo = tempDir();
  writeModelDir(repo, 'traced', addModel(), {
    config: 'backend: "onnxruntime"\nmax_batch_size: 8\ninput [ { name: "INPUT0" data_type: TYPE_FP32 dims: [ 4 ] }, { name: "INPUT1" data_type: TYPE_FP32 dims: [ 4 ] } ]\n' +
      'output [ { name: "OUTPUT0" data_type: TYPE_FP32 dims: [ 4 ] } ]\ninstance_group [ { count: 1 kind: KIND_CPU } ]',
  });
  repository = new ModelRepository({ repositories: [repo], pipeline: { autoComplete: true, defaultMaxBatchSize: 4, devices: { gpus: [] } } });
  await repository.loadAll();
  const traceExporter = new OtelTraceExporter({
    url, resource: { 'service.name': 'nereid_test', 'test.key': 'test.value' }, bspMaxQueueSize: 2048, bspScheduleDelayMs: 60_000, bspMaxExportBatchSize: 512,
  });
  // A rate no request reaches: only the requests with a propagated context are traced.
  plane = testDataPlane(repository, statistics, { trace: { level: ['TIMESTAMPS'], rate: 1_000_000, count: -1, logFrequency: 0, file: '' }, traceExporter });
  http = await HttpEndpoint.start({ dataPlane: plane }, { port: 0, address: '127.0.0.1', maxInputSize: 1 << 20 });
  grpc = await GrpcEndpoint.start({ dataPlane: plane }, { port: 0, address: '127.0.0.1' });
});

after(async () => {
  closeGrpcClients();
  await Promise.all([http.close(), grpc.close()]);
  await repository.unloadAll();
  statistics.close();
  receiver.close();
});

const BODY = '{"id":"otel-1","inputs":[{"name":"INPUT0","datatype":"FP32","shape":[1,4],"data":[1,2,3,4]},{"name":"INPUT1","datatype":"FP32","shape":[1,4],"data":[1,1,1,1]}]}';

describe('tracing (opentelemetry mode)', () => {
  it('exports InferRequest, model and compute spans with their events, in the trace the client propagated', async () => {
    assert.equal(plane.traceSettingsView().trace_mode, 'opentelemetry');
    const plain = await fetch(`http://127.0.0.1:${http.port}/v2/models/traced/infer`, { method: 'POST', body: BODY });
    assert.equal(plain.status, 200, 'a request without context is not sampled at this rate');
    const traced = await fetch(`http://127.0.0.1:${http.port}/v2/models/traced/infer`, { method: 'POST', body: BODY, headers: { traceparent: HTTP_PARENT } });
    assert.equal(traced.status, 200);
    const answer = await grpcCall(`127.0.0.1:${grpc.port}`, 'ModelInfer', {
      model_name: 'traced',
      inputs: [0, 1].map((k) => ({ name: `INPUT${k}`, datatype: 'FP32', shape: [1, 4], contents: { fp32_contents: [1, 2, 3, 4] } })),
    }, { traceparent: GRPC_PARENT });
    assert.equal(answer.code, 0);
    await plane.close(); // shuts the exporter down: every batched span is sent

    const spans = received.flatMap((r) => r.spans);
    assert.equal(spans.length, 6, 'two traced requests, three spans each');
    const attributes = received[0]!.resource as { attributes: { key: string; value: { stringValue: string } }[] };
    assert.deepEqual(
      attributes.attributes.filter((a) => a.key === 'service.name' || a.key === 'test.key').map((a) => [a.key, a.value.stringValue]).sort(),
      [['service.name', 'nereid_test'], ['test.key', 'test.value']],
    );
    for (const [parent, protocol] of [[HTTP_PARENT, 'HTTP'], [GRPC_PARENT, 'GRPC']] as const) {
      const [, traceId, parentSpanId] = parent.split('-');
      const inTrace = spans.filter((s) => s.traceId === traceId);
      const byName = new Map(inTrace.map((s) => [s.name, s]));
      assert.deepEqual([...byName.keys()].sort(), ['InferRequest', 'compute', 'traced']);
      const root = byName.get('InferRequest')!;
      assert.equal(root.parentSpanId, parentSpanId, 'InferRequest is a child of the client span');
      assert.equal(byName.get('traced')!.parentSpanId, root.spanId);
      assert.equal(byName.get('compute')!.parentSpanId, byName.get('traced')!.spanId);
      const events = (name: string): string[] => (byName.get(name)!.events ?? []).map((e) => e.name);
      const recv = protocol === 'HTTP' ? ['HTTP_RECV_START', 'HTTP_RECV_END'] : ['GRPC_WAITREAD_START', 'GRPC_WAITREAD_END'];
      assert.deepEqual(events('InferRequest'), [...recv, 'INFER_RESPONSE_COMPLETE', `${protocol}_SEND_START`, `${protocol}_SEND_END`]);
      assert.deepEqual(events('traced'), ['REQUEST_START', 'QUEUE_START', 'REQUEST_END']);
      assert.deepEqual(events('compute'), ['COMPUTE_START', 'COMPUTE_INPUT_END', 'COMPUTE_OUTPUT_START', 'COMPUTE_END']);
      const modelAttributes = Object.fromEntries((byName.get('traced')!.attributes ?? []).map((a) => [a.key, Object.values(a.value)[0]]));
      assert.equal(modelAttributes.model_name, 'traced');
    }
  });
});
