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
