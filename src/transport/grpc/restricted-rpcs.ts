/**
 * `--grpc-restricted-protocol` on the gRPC endpoint, as Triton's handlers do it: each RPC belongs to one category; a
 * call to a restricted RPC whose metadata lacks the key (already carrying Triton's `triton-grpc-protocol-` prefix) or
 * has another value ends at once with UNAVAILABLE `This protocol is restricted, expecting header '<key>'`. A stream is
 * refused before any message is read. Only the RPCs of restricted categories are wrapped, so the rest pay nothing.
 */
import type { Metadata } from '@grpc/grpc-js';
import type { RestrictedCategory, Restriction, Restrictions } from '../../options/restricted-features.ts';
import { unavailable } from '../../protocol/errors.ts';
import { toGrpcError } from './grpc-status.ts';

/** Triton's category of every RPC it serves (grpc_server.cc, infer_handler.cc, stream_infer_handler.cc). */
export const RPC_CATEGORY: Readonly<Record<string, RestrictedCategory>> = {
  Check: 'health', // grpc.health.v1.Health
  ServerLive: 'health',
  ServerReady: 'health',
  ModelReady: 'health',
  ServerMetadata: 'metadata',
  ModelMetadata: 'metadata',
  ModelInfer: 'inference',
  ModelStreamInfer: 'inference',
  ModelConfig: 'model-config',
  SystemSharedMemoryStatus: 'shared-memory',
  SystemSharedMemoryRegister: 'shared-memory',
  SystemSharedMemoryUnregister: 'shared-memory',
  CudaSharedMemoryStatus: 'shared-memory',
  CudaSharedMemoryRegister: 'shared-memory',
  CudaSharedMemoryUnregister: 'shared-memory',
  RepositoryIndex: 'model-repository',
  RepositoryModelLoad: 'model-repository',
  RepositoryModelUnload: 'model-repository',
  ModelRelease: 'model-repository',
  ModelStatistics: 'statistics',
  TraceSetting: 'trace',
  LogSettings: 'logging',
};

type Handler = (call: { metadata: Metadata; emit(event: 'error', error: unknown): boolean }, callback?: (error: unknown) => void) => void;

/**
 * `rpcs` with each RPC of a restricted category wrapped in its check. Unary handlers get the refusal through their
 * callback; streaming handlers (no callback) through an 'error' event, which grpc-js sends as the status.
 */
export function restrictRpcs<T extends object>(rpcs: T, restrictions: Restrictions): T {
  if (Object.keys(restrictions).length === 0) return rpcs;
  const wrapped: Record<string, unknown> = { ...(rpcs as Record<string, unknown>) };
  for (const [name, handler] of Object.entries(rpcs)) {
    const category = RPC_CATEGORY[name];
    const restriction = category === undefined ? undefined : restrictions[category];
    if (restriction === undefined || typeof handler !== 'function') continue;
    wrapped[name] = guarded(handler as Handler, restriction);
  }
  return wrapped as T;
}

function guarded(handler: Handler, restriction: Restriction): Handler {
  // gRPC metadata keys are lowercase on the wire and Triton looks the key up as given, so a key with capitals
  // can never be satisfied (as in Triton).
  const matchable = restriction.header === restriction.header.toLowerCase();
  const refusal = `This protocol is restricted, expecting header '${restriction.header}'`;
  return (call, callback) => {
    const sent = matchable ? call.metadata.get(restriction.header)[0] : undefined;
    const value = typeof sent === 'string' || sent === undefined ? sent : sent.toString('latin1');
    if (value === restriction.value) {
      handler(call, callback);
      return;
    }
    const error = toGrpcError(unavailable(refusal));
    if (callback !== undefined) callback(error);
    else call.emit('error', error);
  };
}
