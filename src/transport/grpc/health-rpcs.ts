/**
 * ServerLive, ServerReady, ModelReady and grpc.health.v1 Health/Check. Live and ready answer OK with a bool. ModelReady
 * answers ready=false for unknown models and versions, as Triton's core does (InferenceServer::ModelIsReady ignores a
 * failed lookup); only a version that is not a number is an error. Check reports SERVING while the server is ready.
 */
import type { ModelQueries } from '../../core/model-queries.ts';
import { ServerError } from '../../protocol/errors.ts';
import { unary } from './unary.ts';

export interface HealthContext {
  readonly queries: ModelQueries;
  readonly strictReadiness: boolean;
}

interface ModelRef {
  name: string;
  version: string;
}

export function healthRpcs(ctx: HealthContext) {
  const ready = (): boolean => !ctx.strictReadiness || ctx.queries.serverReady();
  return {
    ServerLive: unary(() => ({ live: true })),
    ServerReady: unary(() => ({ ready: ready() })),
    ModelReady: unary((request: ModelRef) => {
      try {
        ctx.queries.ready(request.name, request.version);
        return { ready: true };
      } catch (error) {
        if (error instanceof ServerError && (error.code === 'NOT_FOUND' || error.code === 'UNAVAILABLE')) return { ready: false };
        throw error;
      }
    }),
    Check: unary(() => ({ status: ready() ? 'SERVING' : 'NOT_SERVING' })),
  };
}
