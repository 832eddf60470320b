/** ServerMetadata, ModelMetadata and ModelConfig: the core's answers in their protobuf form. */
import type { ModelQueries } from '../../core/model-queries.ts';
import { serverMetadata } from '../../core/server-metadata.ts';
import { unary } from './unary.ts';

interface ModelRef {
  name: string;
  version: string;
}

export function metadataRpcs(queries: ModelQueries, serverId: string) {
  return {
    ServerMetadata: unary(() => serverMetadata(serverId)),
    ModelMetadata: unary((request: ModelRef) => queries.metadata(request.name, request.version)),
    ModelConfig: unary((request: ModelRef) => ({ config: queries.config(request.name, request.version) })),
  };
}
