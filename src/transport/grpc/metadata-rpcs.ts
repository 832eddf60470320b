/** ServerMetadata, ModelMetadata, ModelConfig and ModelStatistics: the data plane's answers in their protobuf form. */
import type { DataPlane } from '../../core/data-plane.ts';
import { unary } from './unary.ts';

interface ModelRef {
  name: string;
  version: string;
}

export function metadataRpcs(dataPlane: DataPlane) {
  return {
    ServerMetadata: unary(() => dataPlane.serverMetadata()),
    ModelMetadata: unary((request: ModelRef) => dataPlane.modelMetadata(request.name, request.version)),
    ModelConfig: unary((request: ModelRef) => ({ config: dataPlane.modelConfig(request.name, request.version) })),
    ModelStatistics: unary((request: ModelRef) => ({ model_stats: dataPlane.modelStatistics(request.name, request.version) })),
  };
}
