/**
 * How many intra-op threads each instance of a model gets by default: the cores split between the model's
 * instances, so that N instances running at once use the machine once rather than N times over.
 */
import os from 'node:os';

export function intraOpThreadsPerInstance(instanceCount: number, cores: number = os.availableParallelism()): number {
  return Math.max(1, Math.floor(cores / Math.max(1, instanceCount)));
}
