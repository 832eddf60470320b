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
  flag('trace-config', 'string', '-', 'Trace setting [triton,]<setting>=<value>: rate, level, count, mode; triton,file and triton,log-frequency.', (o, v) => {
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
 * and `triton,<setting>=<value>` for the trace file and its log frequency. The OpenTelemetry mode is not carried out
 * yet and is refused, naming it.
 */
function applyTraceConfig(trace: TraceOptions, value: string): void {
  const comma = value.indexOf(',');
  const mode = comma < 0 ? '' : value.slice(0, comma);
  const setting = comma < 0 ? value : value.slice(comma + 1);
  if (mode === 'opentelemetry') throw new BadValue('--trace-config: the opentelemetry trace mode is not supported yet; nereid traces in the triton mode only');
  if (mode !== '' && mode !== 'triton') throw new BadValue(`--trace-config: unknown trace mode '${mode}'`);
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
    if (text === 'opentelemetry') throw new BadValue('--trace-config: the opentelemetry trace mode is not supported yet; nereid traces in the triton mode only');
    if (text !== 'triton') throw new BadValue(`--trace-config: unknown trace mode '${text}'`);
  } else if (mode === 'triton' && key === 'file') trace.file = text;
  else if (mode === 'triton' && key === 'log-frequency') trace.logFrequency = parseInt32(text);
  else throw new BadValue(`--trace-config: unknown setting '${mode === '' ? key : `${mode},${key}`}'`);
}
