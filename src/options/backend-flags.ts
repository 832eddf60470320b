/**
 * The flag table's last groups, in Triton's usage order: backend, rate limiter and memory, deprecated.
 */
import { parseBackendConfig } from './backend-config.ts';
import { flag, type FlagSpec } from './flag-spec.ts';
import type { TraceOptions } from './server-options.ts';
import { BadValue, parseBool, parseFloat64, parseInt32, parseInt64 } from './flag-values.ts';

/** Backend, rate limiter, memory and deprecated flags. */
export const BACKEND_FLAGS: readonly FlagSpec[] = [
  // Backend
  flag('backend-directory', 'string', '/opt/tritonserver/backends', 'Accepted for compatibility; ignored.'),
  flag('backend-config', 'string', '-', 'Backend setting <backend>,<key>=<value> or global <key>=<value>.', (o, v) => {
    o.backendConfig.push(parseBackendConfig(v));
  }),
  flag('repoagent-directory', 'string', '/opt/tritonserver/repoagents', 'Accepted for compatibility; ignored.'),
  // Response cache
  flag('cache-config', 'string', '-', 'Response cache setting <cache>,<key>=<value>: the built-in "local" cache and its "size" in bytes.', (o, v) => {
    o.responseCacheBytes = parseCacheConfig(v);
  }),
  // Tracing
  flag('trace-config', 'string', '-', 'Trace setting [<mode>,]<setting>=<value>: rate, level, count, mode; triton,file|log-frequency; opentelemetry,url|resource|bsp_*.', (o, v) => {
    applyTraceConfig(o.trace, v);
  }),
  flag('trace-file', 'string', '-', 'DEPRECATED: use --trace-config triton,file=<path>.', (o, v) => applyTraceConfig(o.trace, `triton,file=${v}`)),
  flag('trace-level', 'string', 'OFF', 'DEPRECATED: use --trace-config level=<level>.', (o, v) => applyTraceConfig(o.trace, `level=${v}`)),
  flag('trace-rate', 'int', '1000', 'DEPRECATED: use --trace-config rate=<rate>.', (o, v) => applyTraceConfig(o.trace, `rate=${v}`)),
  flag('trace-count', 'int', '-1', 'DEPRECATED: use --trace-config count=<count>.', (o, v) => applyTraceConfig(o.trace, `count=${v}`)),
  flag('trace-log-frequency', 'int', '0', 'DEPRECATED: use --trace-config triton,log-frequency=<n>.', (o, v) => applyTraceConfig(o.trace, `triton,log-frequency=${v}`)),
  flag('cache-directory', 'string', '/opt/tritonserver/caches', 'Accepted for compatibility; ignored (the local cache is built in).'),
  // Rate limiter, memory
  flag('rate-limit', 'string', 'off', 'Accepted for compatibility; ignored ("off" or "execution_count").', (_o, v) => {
    if (!['off', 'execution_count'].includes(v.toLowerCase())) throw new BadValue('invalid argument for --rate-limit');
  }),
  flag('pinned-memory-pool-byte-size', 'int64', '268435456', 'Accepted for compatibility; ignored.', (_o, v) => {
    parseInt64(v);
  }),
  flag('buffer-manager-thread-count', 'int', '0', 'Accepted for compatibility; ignored.', (_o, v) => {
    parseInt32(v);
  }),
  flag('min-supported-compute-capability', 'float', '7.5', 'Accepted for compatibility; ignored.', (_o, v) => {
    parseFloat64(v);
  }),
  // Deprecated
  flag('strict-model-config', 'bool', 'false', 'DEPRECATED: use --disable-auto-complete-config.', (_o, v, s) => {
    s.strictModelConfig = parseBool(v);
  }),
];

/**
 * One --cache-config value as Triton takes it, `<cache>,<key>=<value>`: nereid has the "local" cache only, whose one
 * setting is "size" (bytes); anything else is refused, naming it.
 */
function parseCacheConfig(value: string): number {
  const comma = value.indexOf(',');
  const name = comma < 0 ? value : value.slice(0, comma);
  if (name !== 'local') throw new BadValue(`--cache-config: cache '${name}' is not supported; nereid has the built-in 'local' cache only`);
  const setting = comma < 0 ? '' : value.slice(comma + 1);
  const equals = setting.indexOf('=');
  const key = equals < 0 ? setting : setting.slice(0, equals);
  if (key !== 'size') throw new BadValue(`--cache-config: setting '${key}' of the local cache is not supported; only 'size' (bytes) is`);
  return parseInt64(setting.slice(equals + 1));
}

/**
 * One --trace-config value as Triton takes it: `<setting>=<value>` for the global settings (rate, level, count, mode)
 * `triton,<setting>=<value>` for the trace file and its log frequency, and `opentelemetry,<setting>=<value>` for the
 * OTLP exporter (url, resource, the batch span processor's bsp_max_queue_size, bsp_schedule_delay and
 * bsp_max_export_batch_size). Anything else is refused, naming it.
 */
function applyTraceConfig(trace: TraceOptions, value: string): void {
  const comma = value.indexOf(',');
  const mode = comma < 0 ? '' : value.slice(0, comma);
  const setting = comma < 0 ? value : value.slice(comma + 1);
  if (mode !== '' && mode !== 'triton' && mode !== 'opentelemetry') throw new BadValue(`--trace-config: unknown trace mode '${mode}'`);
  const equals = setting.indexOf('=');
  if (equals < 0) throw new BadValue(`--trace-config: expected <setting>=<value>, got '${setting}'`);
  const key = setting.slice(0, equals);
  const text = setting.slice(equals + 1);
  const global = mode === '';
  if (global && key === 'rate') trace.rate = parseInt32(text);
  else if (global && key === 'count') {
    const count = parseInt32(text);
    if (count < -1) throw new BadValue(`--trace-config: count must be >= -1, got ${text}`);
    trace.count = count;
  } else if (global && key === 'level') {
    const level = text.toUpperCase();
    if (level === 'OFF') trace.levels = [];
    else if (level === 'TIMESTAMPS' || level === 'TENSORS') {
      if (!trace.levels.includes(level)) trace.levels.push(level);
    } else throw new BadValue(`--trace-config: unknown trace level '${text}'`);
  } else if (global && key === 'mode') {
    if (text !== 'triton' && text !== 'opentelemetry') throw new BadValue(`--trace-config: unknown trace mode '${text}'`);
    trace.mode = text;
  } else if (mode === 'triton' && key === 'file') trace.file = text;
  else if (mode === 'opentelemetry' && key === 'url') trace.otel.url = text;
  else if (mode === 'opentelemetry' && key === 'resource') {
    const inner = text.indexOf('=');
    if (inner <= 0) throw new BadValue(`--trace-config: opentelemetry,resource expects <key>=<value>, got '${text}'`);
    trace.otel.resource[text.slice(0, inner)] = text.slice(inner + 1);
  } else if (mode === 'opentelemetry' && key === 'bsp_max_queue_size') trace.otel.bspMaxQueueSize = parseInt32(text);
  else if (mode === 'opentelemetry' && key === 'bsp_schedule_delay') trace.otel.bspScheduleDelayMs = parseInt32(text);
  else if (mode === 'opentelemetry' && key === 'bsp_max_export_batch_size') trace.otel.bspMaxExportBatchSize = parseInt32(text);
  else if (mode === 'triton' && key === 'log-frequency') trace.logFrequency = parseInt32(text);
  else throw new BadValue(`--trace-config: unknown setting '${mode === '' ? key : `${mode},${key}`}'`);
}
