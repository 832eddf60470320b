/**
 * The flag table's last groups, in Triton's usage order: backend, rate limiter and memory, deprecated.
 */
import { parseBackendConfig } from './backend-config.ts';
import { flag, type FlagSpec } from './flag-spec.ts';
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
