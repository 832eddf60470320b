/**
 * RPCs whose features are not built yet answer as a Triton build without them does: tracing is UNAVAILABLE; shared
 * memory has no regions and refuses registration (UNIMPLEMENTED, as with client shared memory turned off). Status and
 * unregister still answer, so clients that clean up first keep working.
 */
import { notFound, ServerError, unavailable } from '../../protocol/errors.ts';
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

export function unbuiltRpcs() {
  return {
    TraceSetting: unary(() => {
      throw unavailable('the server does not support tracing');
    }),
    ...sharedMemoryRpcs('System'),
    ...sharedMemoryRpcs('Cuda'),
  };
}
