/** The data plane the tests' endpoints serve: a repository, a statistics store and the process's log settings. */
import { DataPlane, type DataPlaneOptions } from '../../src/core/data-plane.ts';
import type { ModelControl } from '../../src/core/model-control.ts';
import type { ModelLookup } from '../../src/core/model-lookup.ts';
import { logSettingsStore } from '../../src/observe/log.ts';
import type { StatisticsStore } from '../../src/observe/statistics.ts';

/** Server id "triton" and strict readiness unless `options` says otherwise. */
export function testDataPlane(models: ModelLookup & ModelControl, statistics: StatisticsStore, options: Partial<DataPlaneOptions> = {}): DataPlane {
  return new DataPlane({ models, statistics, logSettings: logSettingsStore }, { serverId: 'triton', strictReadiness: true, ...options });
}
