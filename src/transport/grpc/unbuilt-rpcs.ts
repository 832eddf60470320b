/**
 * RPCs whose features are not built yet answer as a Triton build without them does: tracing is UNAVAILABLE.
 */
import { unavailable } from '../../protocol/errors.ts';
import { unary } from './unary.ts';

export function unbuiltRpcs() {
  return {
    TraceSetting: unary(() => {
      throw unavailable('the server does not support tracing');
    }),
  };
}
