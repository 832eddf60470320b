/**
 * The config pipeline after the server-side fill, in Triton's order:
 *   1. model-level normalization and validation (repository poll time; inputs/outputs too when auto-complete is off),
 *   2. instance group normalization and validation (model creation),
 *   3. ORT model-wide session options (the backend's ModelState, before auto-complete),
 *   4. ORT auto-complete (when enabled), then normalization again,
 *   5. full validation (model init), then per instance the execution providers and the config-vs-model checks.
 * The result is deep-frozen: it is the config the server serves and plans from.
 */
import { refuseNotCarriedOut } from './not-carried-out.ts';
import { refuseUnbuiltSequenceFeatures } from './sequence-batching.ts';
import { autoCompleteOnnx } from './autocomplete.ts';
import { expandInstances } from './instance-layout.ts';
import type { ModelConfig } from './model-config.ts';
import type { ModelMetadata } from './model-metadata.ts';
import { type DeviceFacts, normalizeInstanceGroups, normalizeModelLevel } from './normalize.ts';
import { modelSessionOptions, sessionPlanFor } from './ort-options.ts';
import { validateAgainstModel } from './validate-against-model.ts';
import { validateConfig, validateInstanceGroups, validateIoConfig, validateModelConfig } from './validate.ts';

export interface PipelineOptions {
  /** False with `--disable-auto-complete-config`. */
  autoComplete: boolean;
  /** Backend config `default-max-batch-size` (default 4). */
  defaultMaxBatchSize: number;
  devices: DeviceFacts;
}

/**
 * Completes a server-filled config (see `serverFill`) against the model's metadata and returns it deep-frozen. Throws
 * the first ServerError Triton would report while loading the model.
 */
export function completeConfig(
  filled: ModelConfig,
  metadata: ModelMetadata,
  opts: PipelineOptions,
): Readonly<ModelConfig> {
  let config = normalizeModelLevel(filled);
  validateModelConfig(config);
  if (!opts.autoComplete) validateIoConfig(config);

  config = normalizeInstanceGroups(config, opts.devices);
  validateInstanceGroups(config, opts.devices);
  modelSessionOptions(config);

  if (opts.autoComplete) {
    config = autoCompleteOnnx(config, metadata, { defaultMaxBatchSize: opts.defaultMaxBatchSize });
    config = normalizeModelLevel(config);
  }
  validateConfig(config, opts.devices);

  for (const instance of expandInstances(config)) sessionPlanFor(config, instance);
  validateAgainstModel(config, metadata);
  refuseUnbuiltSequenceFeatures(config);
  return deepFreeze(config);
}

/**
 * An ensemble's config (nothing to inspect, no instances): model-level normalization and validation, the I/O checks,
 * then the refusal of what nereid does not carry out. Its steps are checked against the composing models once they
 * have loaded (validate-ensemble-steps.ts).
 */
export function completeEnsembleConfig(filled: ModelConfig): Readonly<ModelConfig> {
  const config = normalizeModelLevel(filled);
  validateModelConfig(config);
  validateIoConfig(config);
  refuseNotCarriedOut(config);
  // Triton sets it while checking the steps (true only with decoupled steps, which nereid refuses).
  config.model_transaction_policy ??= { decoupled: false };
  return deepFreeze(config);
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
