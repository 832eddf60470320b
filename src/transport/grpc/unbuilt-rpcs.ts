/**
 * RPCs whose features are not built yet answer as a Triton build without them does: statistics and tracing are
 * UNAVAILABLE; shared memory has no regions and refuses registration (UNIMPLEMENTED, as with client shared memory
 * turned off). Status and unregister still answer, so clients that clean up first keep working.
 */
import type { ModelLookup } from '../../core/model-lookup.ts';
import { invalidArg, notFound, ServerError, unavailable } from '../../protocol/errors.ts';
import { unary } from './unary.ts';

interface Named {
  name: string;
}

function sharedMemoryRpcs(kind: 'System' | 'Cuda') {
  const label = kind === 'System' ? 'system' : 'cuda';
  return {
    [`${kind}SharedMemoryStatus`]: unary((request: Named) => {
      if (request.name !== '') throw notFound(`Unable to find ${label} shared memory region: '${request.name}'`);
      return { regions: {} };
    }),
    [`${kind}SharedMemoryRegister`]: unary(() => {
      throw new ServerError('UNSUPPORTED', `${label} shared memory is not supported by this server yet`);
    }),
    [`${kind}SharedMemoryUnregister`]: unary(() => ({})),
  };
}

export function unbuiltRpcs(lookup: ModelLookup) {
  return {
    ModelStatistics: unary((request: { name: string; version: string }) => {
      if (request.name !== '' && lookup.readyVersions(request.name).length === 0) {
        throw invalidArg(`requested model '${request.name}' is not available`);
      }
      throw unavailable('statistics not supported');
    }),
    TraceSetting: unary(() => {
      throw unavailable('the server does not support tracing');
    }),
    ...sharedMemoryRpcs('System'),
    ...sharedMemoryRpcs('Cuda'),
  };
}
