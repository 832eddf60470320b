/**
 * Read-only questions about served models that both transports answer: metadata, config, readiness. Transport-neutral
 * results; each transport only changes their wire form.
 */
import { modelConfigToJson } from '../config/config-json.ts';
import type { ModelConfig } from '../config/model-config.ts';
import type { Datatype } from '../protocol/datatypes.ts';
import type { ModelLookup, ServableVersion } from './model-lookup.ts';
import type { TensorPlan } from './model-plan.ts';

export interface TensorMetadata {
  readonly name: string;
  readonly datatype: Datatype;
  /** With a leading -1 when the model batches. */
  readonly shape: readonly number[];
}

export interface ModelMetadata {
  readonly name: string;
  /** With a version asked for: only that one; otherwise every READY version. Decimal strings. */
  readonly versions: readonly string[];
  /** config.platform, or config.backend when no platform is set. */
  readonly platform: string;
  readonly inputs: readonly TensorMetadata[];
  readonly outputs: readonly TensorMetadata[];
}

function tensorMetadata(tensor: TensorPlan): TensorMetadata {
  return { name: tensor.name, datatype: tensor.datatype, shape: tensor.fullShape };
}

export class ModelQueries {
  constructor(private readonly lookup: ModelLookup) {}

  /** Throws the lookup's NOT_FOUND / UNAVAILABLE errors. */
  metadata(name: string, version?: string): ModelMetadata {
    const servable = this.lookup.resolve(name, version);
    const versions = version ? [String(servable.plan.version)] : this.lookup.readyVersions(name).map(String);
    return {
      name,
      versions,
      platform: servable.config.platform || servable.config.backend,
      inputs: servable.plan.inputs.map(tensorMetadata),
      outputs: servable.plan.outputs.map(tensorMetadata),
    };
  }

  /** The normalized config (the plain form that protobuf serializers take). */
  config(name: string, version?: string): Readonly<ModelConfig> {
    return this.lookup.resolve(name, version).config;
  }

  /** The normalized config in Triton's JSON form (protocol.md §1.2). */
  configJson(name: string, version?: string): Record<string, unknown> {
    return modelConfigToJson(this.config(name, version));
  }

  /** Resolves when the version is servable; throws the lookup's errors otherwise. */
  ready(name: string, version?: string): ServableVersion {
    return this.lookup.resolve(name, version);
  }

  /** The inputs of a model as a raw binary request needs them: name, datatype, full shape, whether it batches. */
  rawInputs(name: string, version?: string): readonly (TensorMetadata & { readonly batched: boolean })[] {
    const { plan } = this.lookup.resolve(name, version);
    return plan.inputs.map((tensor) => ({ ...tensorMetadata(tensor), batched: plan.maxBatchSize > 0 }));
  }

  serverReady(): boolean {
    return this.lookup.allReady();
  }
}
