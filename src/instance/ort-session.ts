/**
 * An ONNX Runtime session run synchronously, for the instance worker's loop. onnxruntime-node's public
 * `InferenceSession.run()` calls the same native `run` one setImmediate later and wraps it in two promises: ~7 µs per
 * execution on the 2-core dev machine for add_sub (22 µs against 15 µs, measured with a throwaway loop), and a turn of
 * the event loop the worker otherwise never needs. So this adapter drives onnxruntime-node's native session object
 * (dist/binding.js, typed and documented there as "a simple synchronized inference session object wrap") the way its
 * own session handler (dist/backend.js) does, and repeats what onnxruntime-common does around it so that errors keep
 * their texts: the execution-provider filter at load, the metadata conversion, and the checks of feeds and fetches.
 * Written against onnxruntime-node 1.30.0, which package.json pins exactly. Used in worker threads only.
 */
import type * as ort from 'onnxruntime-node';
import { binding, initOrt } from 'onnxruntime-node/dist/binding.js';

/** onnxruntime-node's type numbers (its backend.js `dataTypeStrings`). */
const TYPE_NAMES: readonly (ort.Tensor.Type | undefined)[] = [
  undefined, 'float32', 'uint8', 'int8', 'uint16', 'int16', 'int32', 'int64', 'string', 'bool', 'float16', 'float64',
  'uint32', 'uint64', undefined, undefined, undefined, undefined, undefined, undefined, undefined, 'uint4', 'int4',
];

type NativeSession = InstanceType<typeof binding.InferenceSession>;
type RawMetadata = NativeSession['inputMetadata'][number];

function convertMetadata(raw: readonly RawMetadata[]): ort.InferenceSession.ValueMetadata[] {
  return raw.map((m) => {
    if (!m.isTensor) return { name: m.name, isTensor: false };
    const type = TYPE_NAMES[m.type];
    if (type === undefined) throw new Error(`Unsupported data type: ${m.type}`);
    const shape = m.shape.map((dim, i) => {
      if (dim === -1) return m.symbolicDimensions[i]!;
      if (dim >= 0) return dim;
      throw new Error(`Invalid dimension: ${dim}`);
    });
    return { name: m.name, isTensor: true, type, shape };
  });
}

/** onnxruntime-common's backend resolution: unavailable providers are dropped with a warning, none at all fails. */
function withAvailableProviders(options: ort.InferenceSession.SessionOptions): ort.InferenceSession.SessionOptions {
  const providers = options.executionProviders ?? [];
  if (providers.length === 0) return options;
  const available = new Set(binding.listSupportedBackends().map((b) => b.name));
  const nameOf = (p: (typeof providers)[number]): string => (typeof p === 'string' ? p : p.name);
  const missing = providers.map(nameOf).filter((name) => !available.has(name));
  if (missing.length === providers.length) {
    throw new Error(`no available backend found. ERR: ${missing.map((name) => `[${name}] backend not found.`).join(', ')}`);
  }
  for (const name of missing) {
    console.warn(`removing requested execution provider "${name}" from session options because it is not available: backend not found.`);
  }
  return { ...options, executionProviders: providers.filter((p) => available.has(nameOf(p))) };
}

export class OrtSession {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  readonly inputMetadata: readonly ort.InferenceSession.ValueMetadata[];
  readonly outputMetadata: readonly ort.InferenceSession.ValueMetadata[];
  private readonly outputSet: ReadonlySet<string>;

  private constructor(private readonly native: NativeSession) {
    this.inputMetadata = convertMetadata(native.inputMetadata);
    this.outputMetadata = convertMetadata(native.outputMetadata);
    this.inputNames = this.inputMetadata.map((m) => m.name);
    this.outputNames = this.outputMetadata.map((m) => m.name);
    this.outputSet = new Set(this.outputNames);
  }

  /** Loads a model file; throws ONNX Runtime's error. */
  static load(modelPath: string, options: ort.InferenceSession.SessionOptions): OrtSession {
    const resolved = withAvailableProviders(options);
    initOrt();
    const native = new binding.InferenceSession();
    native.loadModel(modelPath, resolved);
    return new OrtSession(native);
  }

  /** Releases the native session and its memory now rather than at garbage collection. */
  dispose(): void {
    this.native.dispose();
  }

  /** Runs the session on the calling thread; returns the asked-for outputs by name. */
  run(feeds: Record<string, ort.Tensor>, outputNames: readonly string[], options: ort.InferenceSession.RunOptions): Record<string, ort.Tensor> {
    if (outputNames.length === 0) throw new TypeError("'fetches' cannot be an empty array.");
    const fetches: Record<string, null> = {};
    for (const name of outputNames) {
      if (!this.outputSet.has(name)) throw new RangeError(`'fetches' contains invalid output name: ${name}.`);
      fetches[name] = null;
    }
    for (const name of this.inputNames) {
      if (feeds[name] === undefined) throw new Error(`input '${name}' is missing in 'feeds'.`);
    }
    // The native run returns onnxruntime-common Tensors (initOrt hands it that constructor).
    return this.native.run(feeds, fetches, options) as Record<string, ort.Tensor>;
  }
}
