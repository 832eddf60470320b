/**
 * ServerLive, ServerReady, ModelReady and grpc.health.v1 Health/Check. Live and ready answer OK with a bool. ModelReady
 * answers ready=false for unknown models and versions, as Triton's core does (InferenceServer::ModelIsReady ignores a
 * failed lookup); only a version that is not a number is an error. Check reports SERVING while the server is ready.
 */
import type { DataPlane } from '../../core/data-plane.ts';
import { unary } from './unary.ts';

interface ModelRef {
  name: string;
  version: string;
}

/** The health handlers over `dataPlane` (strict readiness and ModelIsReady are decided there). */
export function healthRpcs(dataPlane: DataPlane) {
  return {
    ServerLive: unary(() => ({ live: dataPlane.serverLive() })),
    ServerReady: unary(() => ({ ready: dataPlane.serverReady() })),
    ModelReady: unary((request: ModelRef) => ({ ready: dataPlane.isModelReady(request.name, request.version) })),
    Check: unary(() => ({ status: dataPlane.serverReady() ? 'SERVING' : 'NOT_SERVING' })),
  };
}
