/**
 * TraceSetting: reads and changes the trace settings through the data plane, global or a model's (`model_name`).
 * Each setting arrives as a list of strings; an empty list clears it, as in Triton's gRPC frontend. The answer is every
 * setting after the change, each as a list.
 */
import type { DataPlane } from '../../core/data-plane.ts';
import type { TraceSettingsView } from '../../core/trace-settings.ts';
import { unary } from './unary.ts';

interface TraceSettingRequest {
  settings: Record<string, { value: string[] }>;
  model_name: string;
}

export function traceSettingRpc(plane: DataPlane) {
  return {
    TraceSetting: unary((request: TraceSettingRequest) => {
      const model = request.model_name === '' ? undefined : request.model_name;
      const entries = Object.entries(request.settings ?? {});
      const view = entries.length === 0
        ? plane.traceSettingsView(model)
        : plane.updateTraceSettings(Object.fromEntries(entries.map(([name, { value }]) => [name, value.length === 0 ? null : value])), model);
      return { settings: asLists(view) };
    }),
  };
}

function asLists(view: TraceSettingsView): Record<string, { value: string[] }> {
  return Object.fromEntries(Object.entries(view).map(([name, value]) => [name, { value: Array.isArray(value) ? [...value] : [String(value)] }]));
}
