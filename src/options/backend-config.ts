/**
 * `--backend-config` settings: parsing one argument, and the `default-max-batch-size` they give auto-complete.
 */
import { BadValue } from './flag-values.ts';
import type { BackendConfigSetting, ServerOptions } from './server-options.ts';

/** The `default-max-batch-size` auto-complete uses when no `--backend-config` sets one. */
export const DEFAULT_MAX_BATCH_SIZE = 4;

/**
 * Triton's ParseBackendConfigOption: `<backend>,<key>=<value>` or `<key>=<value>`, key and value non-empty.
 * Throws BadValue otherwise.
 */
export function parseBackendConfig(arg: string): BackendConfigSetting {
  const comma = arg.indexOf(',');
  const eq = arg.indexOf('=', comma + 1);
  if (comma === 0) {
    throw new BadValue(
      `No backend specified. --backend-config option format is <backend name>,<setting>=<value> or ` +
        `<setting>=<value>. Got ${arg}`,
    );
  }
  const format = `--backend-config option format is '<backend name>,<setting>=<value>'. Got ${arg}`;
  if (eq < 0) throw new BadValue(format);
  const backend = comma > 0 ? arg.slice(0, comma) : '';
  const key = arg.slice(comma + 1, eq);
  const value = arg.slice(eq + 1);
  if (key === '' || value === '') throw new BadValue(format);
  if (key === 'default-max-batch-size' && !/^\d+$/.test(value)) {
    throw new BadValue(`Invalid option value. Got ${value}`);
  }
  return { backend, key, value };
}

/**
 * The max_batch_size auto-complete gives batchable ONNX models: `--backend-config=onnxruntime,default-max-batch-size=N`
 * wins over the global `--backend-config=default-max-batch-size=N`, the last of each kind counts, default 4.
 */
export function defaultMaxBatchSize(options: ServerOptions): number {
  let global: string | undefined;
  let specific: string | undefined;
  for (const { backend, key, value } of options.backendConfig) {
    if (key !== 'default-max-batch-size') continue;
    if (backend === 'onnxruntime') specific = value;
    else if (backend === '') global = value;
  }
  const chosen = specific ?? global;
  return chosen === undefined ? DEFAULT_MAX_BATCH_SIZE : Number(chosen);
}
