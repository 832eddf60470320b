/**
 * Differential conformance of the model lifecycle in explicit mode with restricted repository APIs
 * (lifecycle-corpus.ts), against tritonserver 2.51 on the twin repository. Skipped where Triton cannot run.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { tempDir } from '../support/temp-dir.ts';
import { closeGrpcClients } from './grpc-probe.ts';
import { lifecycleCases, RESTRICTED_FLAGS, writeLifecycleRepository } from './lifecycle-corpus.ts';
import { emptyReport, runCorpus, summary } from './run-corpus.ts';
import { startNereid, startPair, startTriton, tritonUnavailable, type RunningServer } from './servers.ts';
import { writeTwinRepository } from './twin-repository.ts';

const unavailable = tritonUnavailable();
if (unavailable !== undefined) console.log(`# differential lifecycle tests skipped: ${unavailable}`);

describe('differential lifecycle (explicit mode, restricted repository API) against tritonserver 2.51', { skip: unavailable }, () => {
  let triton: RunningServer;
  let nereid: RunningServer;
  const report = emptyReport();

  before(async () => {
    const repository = tempDir('nereid-diff-life-');
    writeLifecycleRepository(repository);
    const twin = tempDir('nereid-diff-life-twin-');
    writeTwinRepository(repository, twin);
    [triton, nereid] = await startPair(() => startTriton(twin, RESTRICTED_FLAGS), () => startNereid(repository, RESTRICTED_FLAGS));
  });

  after(async () => {
    closeGrpcClients();
    await Promise.all([triton?.stop(), nereid?.stop()]);
    console.log(summary(report));
  });

  it('loads, unloads, overrides and refuses as Triton does, over HTTP and gRPC', async () => {
    await runCorpus(lifecycleCases(), triton, nereid, report);
    assert.deepEqual(report.unexpected, [], summary(report));
  });
});
