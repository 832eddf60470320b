/**
 * Request tracing in Triton's own mode (`--trace-config triton,file=...`): every trace_rate-th request to a model is
 * traced while its trace_count lasts; a trace collects TIMESTAMPS (steady-clock nanoseconds, as Triton's) and/or
 * TENSORS, and is written to the trace file in Triton's JSON shape, each entry as tritonserver 2.51 writes it:
 *   {"id":1,"timestamps":[{"name":"HTTP_RECV_START","ns":...}]}        one per timestamp
 *   {"id":1,"model_name":"m","model_version":1,"request_id":"r"}       when the request reaches its model
 *   {"id":1,"activity":"TENSOR_QUEUE_INPUT","tensor":{"name":..,"data":"1,2","shape":"1,2","dtype":"FP32"}}
 * in the order Triton writes them (its compute timestamps come last, when the request is released). With
 * log_frequency 0 the traces are written together at shutdown; with N, every N traces go to `<file>.<k>`. As in
 * tritonserver 2.51, traces collected under settings that have since changed keep the log frequency they were taken
 * under (those taken at 0 are written to the file itself at shutdown).
 * While no model traces, the data path pays one property read per request.
 */
import { writeFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import type { Datatype } from '../protocol/datatypes.ts';
import type { RunTimings } from '../protocol/execution.ts';
import { formatTensorValues } from './trace-tensor-text.ts';
import type { TraceSettings } from './trace-settings.ts';

/** Where a traced request came from: its transport's timestamps are named after it. */
export type TraceProtocol = 'HTTP' | 'GRPC';

type Entry = Record<string, unknown>;

/** Steady-clock nanoseconds (CLOCK_MONOTONIC, the clock Triton's trace timestamps read). */
export function traceNow(): bigint {
  return process.hrtime.bigint();
}

/** The steady clock's reading at a wall-clock time (ms since the epoch), for times measured in the workers. */
function steadyAt(epochMs: number): bigint {
  const nowEpochNs = BigInt(Math.round((performance.timeOrigin + performance.now()) * 1e6));
  return traceNow() - (nowEpochNs - BigInt(Math.round(epochMs * 1e6)));
}

/** Where a finished trace goes instead of the trace file (the OpenTelemetry exporter). */
export interface TraceExporter {
  export(trace: RequestTrace): void;
  /** Sends what is still batched (shutdown). */
  shutdown(): Promise<void>;
}

/** One traced request. */
export class RequestTrace {
  /** Every timestamp by name, for exporters that shape spans from them. */
  readonly times = new Map<string, bigint>();
  /** The model it reached: name, version and request id. */
  modelInfo: { readonly name: string; readonly version: number; readonly requestId?: string } | undefined;
  private readonly head: Entry[] = [];
  private readonly early: Entry[] = [];
  private readonly late: Entry[] = [];
  private readonly transport: Entry[] = [];
  private readonly tensors: Entry[] = [];
  private model: Entry | undefined;

  constructor(
    readonly id: number,
    readonly protocol: TraceProtocol,
    readonly timestamps: boolean,
    readonly tensorsToo: boolean,
    private readonly done: (trace: RequestTrace) => void,
    /** The W3C `traceparent` the client sent (OpenTelemetry context propagation), if any. */
    readonly traceparent?: string,
  ) {}

  private stamp(into: Entry[], name: string, ns: bigint): void {
    if (!this.timestamps) return;
    into.push({ id: this.id, timestamps: [{ name, ns }] });
    this.times.set(name, ns);
  }

  /** The transport received the request (HTTP_RECV_* / GRPC_WAITREAD_*). */
  received(startNs: bigint, endNs: bigint): void {
    const prefix = this.protocol === 'HTTP' ? 'HTTP_RECV' : 'GRPC_WAITREAD';
    this.stamp(this.protocol === 'HTTP' ? this.head : this.transport, `${prefix}_START`, startNs);
    this.stamp(this.protocol === 'HTTP' ? this.head : this.transport, `${prefix}_END`, endNs);
  }

  /** The request reached its model: REQUEST_START, and QUEUE_START once validated. */
  reachedModel(name: string, version: number, requestId: string | undefined, startNs: bigint): void {
    this.model = { id: this.id, model_name: name, model_version: version, ...(requestId ? { request_id: requestId } : {}) };
    this.modelInfo = { name, version, ...(requestId ? { requestId } : {}) };
    this.stamp(this.early, 'REQUEST_START', startNs);
  }

  queued(): void {
    this.stamp(this.early, 'QUEUE_START', traceNow());
  }

  tensor(activity: 'TENSOR_QUEUE_INPUT' | 'TENSOR_BACKEND_OUTPUT', name: string, datatype: Datatype, shape: readonly number[], data: Uint8Array): void {
    if (!this.tensorsToo) return;
    this.tensors.push({ id: this.id, activity, tensor: { name, data: formatTensorValues(datatype, data), shape: shape.join(','), dtype: datatype } });
  }

  /** The response is ready: INFER_RESPONSE_COMPLETE, and the execution's compute times (written after the send). */
  responded(timings: RunTimings | undefined): void {
    this.stamp(this.transport, 'INFER_RESPONSE_COMPLETE', traceNow());
    if (timings !== undefined && timings.startedAtMs > 0) {
      const start = steadyAt(timings.startedAtMs);
      const inputEnd = start + BigInt(timings.computeInputNs);
      this.stamp(this.late, 'COMPUTE_START', start);
      this.stamp(this.late, 'COMPUTE_INPUT_END', inputEnd);
      this.stamp(this.late, 'COMPUTE_OUTPUT_START', inputEnd + BigInt(timings.computeInferNs));
      this.stamp(this.late, 'COMPUTE_END', steadyAt(timings.endedAtMs));
    }
    this.stamp(this.late, 'REQUEST_END', traceNow());
  }

  /** The transport sent the response (HTTP_SEND_* / GRPC_SEND_*); the trace is complete. */
  sent(startNs: bigint, endNs: bigint): void {
    this.stamp(this.transport, `${this.protocol}_SEND_START`, startNs);
    this.stamp(this.transport, `${this.protocol}_SEND_END`, endNs);
    if (this.model !== undefined) this.done(this);
  }

  /** Its entries in the order tritonserver 2.51 writes them. */
  entries(): Entry[] {
    if (this.model === undefined) return [];
    const model = this.timestamps ? [this.model] : [];
    return [...this.head, ...model, ...this.early, ...this.transport, ...this.late, ...this.tensors];
  }
}

export class Tracer {
  private nextId = 1;
  /** Requests seen per model since tracing was last configured, for trace_rate. */
  private readonly seen = new Map<string, number>();
  private pending: RequestTrace[] = [];
  /** The settings generation the pending traces were taken under. */
  private pendingGeneration = 0;
  /** Traces taken under earlier settings with log_frequency 0: written to the trace file at shutdown. */
  private retired: RequestTrace[] = [];
  private fileIndex = 0;
  private writing: Promise<void> = Promise.resolve();

  /** `exporter`: the OpenTelemetry mode's destination; without it traces go to the trace file (Triton's mode). */
  constructor(
    readonly settings: TraceSettings,
    private readonly exporter?: TraceExporter,
  ) {}

  /**
   * A trace for this request to `model` when it is sampled, else undefined (nearly free while tracing is off). In the
   * OpenTelemetry mode a request that carries a `traceparent` is traced whatever the rate and count, as in Triton.
   */
  start(model: string, protocol: TraceProtocol, traceparent?: string): RequestTrace | undefined {
    if (!this.settings.active) return undefined;
    const values = this.settings.values(model);
    if (values.level.length === 0) return undefined;
    const propagated = this.exporter !== undefined && traceparent !== undefined;
    if (!propagated) {
      if (values.count === 0) return undefined;
      const seen = (this.seen.get(model) ?? 0) + 1;
      this.seen.set(model, seen);
      if (values.rate === 0 || seen % values.rate !== 0) return undefined;
      this.settings.takeOne(model);
    }
    const done = (trace: RequestTrace): void => (this.exporter === undefined ? this.finished(trace, model) : this.exporter.export(trace));
    return new RequestTrace(this.nextId++, protocol, values.level.includes('TIMESTAMPS'), values.level.includes('TENSORS'), done, traceparent);
  }

  /** Sends what the OpenTelemetry exporter still holds (shutdown). */
  async shutdown(): Promise<void> {
    await this.exporter?.shutdown();
  }

  private finished(trace: RequestTrace, model: string): void {
    const { logFrequency, file } = this.settings.values(model);
    if (this.pendingGeneration !== this.settings.generation) {
      // The settings changed: what was pending goes as its old settings said.
      if (this.pendingLogFrequency === 0) this.retired.push(...this.pending);
      else if (this.pending.length > 0) this.write(`${file}.${this.fileIndex++}`, this.pending);
      this.pending = [];
      this.pendingGeneration = this.settings.generation;
    }
    this.pendingLogFrequency = logFrequency;
    this.pending.push(trace);
    if (logFrequency > 0 && this.pending.length >= logFrequency) {
      this.write(`${file}.${this.fileIndex++}`, this.pending);
      this.pending = [];
    }
  }

  private pendingLogFrequency = 0;

  private write(path: string, traces: readonly RequestTrace[]): void {
    const text = traceJson(traces);
    this.writing = this.writing.then(() => writeFile(path, text)).catch(() => undefined);
  }

  /** Writes what is left (shutdown): into the trace file itself with log_frequency 0, else the next `<file>.<k>`. */
  flush(): void {
    const { file } = this.settings.values();
    if (file === '') return;
    const toFile = this.pendingLogFrequency === 0 ? [...this.retired, ...this.pending] : this.retired;
    if (this.pendingLogFrequency > 0 && this.pending.length > 0) writeFileSync(`${file}.${this.fileIndex++}`, traceJson(this.pending));
    if (toFile.length > 0) writeFileSync(file, traceJson(toFile));
    this.pending = [];
    this.retired = [];
  }
}

/** The traces' entries as one JSON array; nanosecond timestamps (bigints) as plain integers. */
function traceJson(traces: readonly RequestTrace[]): string {
  const text = JSON.stringify(traces.flatMap((t) => t.entries()), (_key, value: unknown) => (typeof value === 'bigint' ? `\u0000${value}` : value));
  return text.replace(/"\\u0000(\d+)"/g, '$1');
}
