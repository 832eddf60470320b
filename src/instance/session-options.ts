/**
 * Turns a config's session plan (src/config/ort-options.ts) into onnxruntime-node's SessionOptions and RunOptions,
 * refusing what onnxruntime-node cannot do instead of ignoring it.
 */
import type { SessionPlan } from '../config/ort-options.ts';
import { invalidArg, unsupported } from '../protocol/errors.ts';
import { log } from '../observe/log.ts';
import type { SessionOptionsData } from './messages.ts';

export interface OrtOptions {
  readonly session: SessionOptionsData;
  /** Options passed to every run (run config entries), undefined when there are none. */
  readonly run?: SessionOptionsData;
}

/**
 * `intraOpThreads` is the default split of the cores between the model's instances; the config's
 * intra_op_thread_count wins when set. inter-op threads default to 1 (sequential execution has no use for more).
 */
export function ortOptionsFor(plan: SessionPlan, intraOpThreads: number, modelName: string): OrtOptions {
  if (plan.customOpLibraries.length > 0) {
    throw unsupported(
      `model '${modelName}': model_operations.op_library_filename is not supported: onnxruntime-node cannot register custom operator libraries`,
    );
  }
  if (plan.shareSessionBetweenInstances) {
    log.warn(`model '${modelName}': share_session_between_instances is ignored: every instance owns its session`);
  }
  const executionProviders = plan.executionProviders.map((provider) => {
    if (provider.name === 'openvino') throw invalidArg(`unknown Execution Accelerator 'openvino' is requested`);
    return provider.deviceId === undefined ? { ...provider } : { ...provider, deviceId: provider.deviceId };
  });
  const session: SessionOptionsData = {
    graphOptimizationLevel: plan.graphOptimizationLevel,
    executionMode: plan.executionMode,
    intraOpNumThreads: plan.intraOpNumThreads ?? intraOpThreads,
    interOpNumThreads: plan.interOpNumThreads ?? 1,
    enableCpuMemArena: plan.enableCpuMemArena,
    enableMemPattern: plan.enableMemPattern,
    executionProviders,
    ...(Object.keys(plan.sessionConfigEntries).length > 0 ? { extra: nestDotted(plan.sessionConfigEntries) } : {}),
  };
  const hasRunEntries = Object.keys(plan.runConfigEntries).length > 0;
  return hasRunEntries ? { session, run: { extra: nestDotted(plan.runConfigEntries) } } : { session };
}

/** onnxruntime-node takes config entries as nested objects that it joins with dots: {a: {b: '1'}} is "a.b" = "1". */
function nestDotted(entries: Readonly<Record<string, string>>): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(entries)) {
    const parts = key.split('.');
    let node = root;
    for (const part of parts.slice(0, -1)) node = (node[part] ??= {}) as Record<string, unknown>;
    node[parts[parts.length - 1]!] = value;
  }
  return root;
}
