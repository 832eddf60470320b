/**
 * Triton's OpenTelemetry trace mode (`--trace-config mode=opentelemetry`): each finished trace becomes the three spans
 * Triton exports, through the official OpenTelemetry SDK, batched (Batch Span Processor) and sent with the OTLP/HTTP
 * exporter to `opentelemetry,url` (default http://localhost:4318/v1/traces):
 *   InferRequest   the request at the endpoint: HTTP_RECV_* or GRPC_WAITREAD_*, INFER_RESPONSE_COMPLETE, *_SEND_*
 *   <model name>   child of InferRequest: REQUEST_START, QUEUE_START, REQUEST_END; attributes model_name,
 *                  model_version, request_id
 *   compute        child of the model span: COMPUTE_START, COMPUTE_INPUT_END, COMPUTE_OUTPUT_START, COMPUTE_END
 * A W3C `traceparent` sent by the client (HTTP header, gRPC metadata) makes InferRequest its child, in its trace.
 * Timestamps were taken on the steady clock (as Triton's trace file has them); spans carry wall-clock times, as
 * OpenTelemetry's do.
 */
import { context, trace, type Attributes, type Context, type HrTime, type Span, type TextMapGetter } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import type { RequestTrace, TraceExporter } from '../core/tracer.ts';

/** The `opentelemetry,<setting>=<value>` settings of --trace-config, with Triton's defaults. */
export interface OtelSettings {
  readonly url: string;
  readonly resource: Readonly<Record<string, string>>;
  readonly bspMaxQueueSize: number;
  readonly bspScheduleDelayMs: number;
  readonly bspMaxExportBatchSize: number;
}

export const DEFAULT_OTEL_SETTINGS: OtelSettings = {
  url: 'http://localhost:4318/v1/traces',
  resource: { 'service.name': 'triton-inference-server' },
  bspMaxQueueSize: 2048,
  bspScheduleDelayMs: 5000,
  bspMaxExportBatchSize: 512,
};

const ROOT_EVENTS = ['HTTP_RECV_START', 'HTTP_RECV_END', 'GRPC_WAITREAD_START', 'GRPC_WAITREAD_END', 'INFER_RESPONSE_COMPLETE', 'HTTP_SEND_START', 'HTTP_SEND_END', 'GRPC_SEND_START', 'GRPC_SEND_END'];
const MODEL_EVENTS = ['REQUEST_START', 'QUEUE_START', 'REQUEST_END'];
const COMPUTE_EVENTS = ['COMPUTE_START', 'COMPUTE_INPUT_END', 'COMPUTE_OUTPUT_START', 'COMPUTE_END'];

const getter: TextMapGetter<string | undefined> = {
  keys: () => ['traceparent'],
  get: (carrier, key) => (key === 'traceparent' ? carrier : undefined),
};

export class OtelTraceExporter implements TraceExporter {
  private readonly provider: TracerProvider;
  private readonly propagator = new W3CTraceContextPropagator();
  /** Wall-clock minus steady-clock nanoseconds, taken once. */
  private readonly offsetNs = BigInt(Math.round((performance.timeOrigin + performance.now()) * 1e6)) - process.hrtime.bigint();

  constructor(settings: OtelSettings = DEFAULT_OTEL_SETTINGS) {
    const url = /^https?:\/\//.test(settings.url) ? settings.url : `http://${settings.url}`;
    this.provider = new TracerProvider({
      resource: resourceFromAttributes({ ...DEFAULT_OTEL_SETTINGS.resource, ...settings.resource }),
      spanProcessors: [
        new BatchSpanProcessor({
          exporter: new OTLPTraceExporter({ url }),
          maxQueueSize: settings.bspMaxQueueSize,
          scheduledDelayMillis: settings.bspScheduleDelayMs,
          maxExportBatchSize: settings.bspMaxExportBatchSize,
        }),
      ],
    });
  }

  export(traced: RequestTrace): void {
    const tracer = this.provider.getTracer('nereid');
    const times = traced.times;
    const at = (name: string): HrTime | undefined => {
      const ns = times.get(name);
      if (ns === undefined) return undefined;
      const wall = ns + this.offsetNs;
      return [Number(wall / 1_000_000_000n), Number(wall % 1_000_000_000n)];
    };
    const first = (names: readonly string[]): HrTime | undefined => names.map(at).find((t) => t !== undefined);
    const last = (names: readonly string[]): HrTime | undefined => names.map(at).filter((t) => t !== undefined).at(-1);
    const events = (span: Span, names: readonly string[]): void => {
      for (const name of names) {
        const time = at(name);
        if (time !== undefined) span.addEvent(name, time);
      }
    };
    const parent: Context = traced.traceparent === undefined
      ? context.active()
      : this.propagator.extract(context.active(), traced.traceparent, getter);
    const root = tracer.startSpan('InferRequest', { startTime: first(ROOT_EVENTS) ?? first(MODEL_EVENTS) }, parent);
    events(root, ROOT_EVENTS);
    const info = traced.modelInfo;
    const attributes: Attributes = info === undefined ? {} : {
      model_name: info.name,
      model_version: info.version,
      ...(info.requestId === undefined ? {} : { request_id: info.requestId }),
    };
    const model = tracer.startSpan(info?.name ?? 'model', { startTime: at('REQUEST_START'), attributes }, trace.setSpan(parent, root));
    events(model, MODEL_EVENTS);
    if (times.has('COMPUTE_START')) {
      const compute = tracer.startSpan('compute', { startTime: at('COMPUTE_START'), attributes }, trace.setSpan(parent, model));
      events(compute, COMPUTE_EVENTS);
      compute.end(at('COMPUTE_END'));
    }
    model.end(at('REQUEST_END'));
    root.end(last(ROOT_EVENTS));
  }

  async shutdown(): Promise<void> {
    await this.provider.shutdown();
  }
}

