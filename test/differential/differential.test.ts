/**
 * Differential conformance: the corpus (corpus.ts) sent to tritonserver 2.51 and to nereid on the same repository
 * (test-repository.ts; Triton serves its Python-backend twin), over HTTP and gRPC; every difference must be listed
 * in known-differences.ts. Skipped, with the reason, where scripts/install-tritonserver.sh could not install Triton.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { isDeepStrictEqual } from 'node:util';
import { rmSync, writeFileSync } from 'node:fs';

import { tempDir } from '../support/temp-dir.ts';
import { compareGrpc, compareHttp, type Difference } from './compare.ts';
import { cacheCases, classificationCases, grayReleaseCases, datatypeCases, sharedMemoryCases, SHM_KEY, traceCases, SHM_OUT_KEY, shmContents, endpointCases, ensembleCases, sequenceCases, errorCases, mutatedBodyCases, schedulingCases, statisticsCases, zeroTimes, type Case } from './corpus.ts';
import { closeGrpcClients, grpcCall, grpcStream, type GrpcAnswer } from './grpc-probe.ts';
import { httpCall, type HttpAnswer } from './http-probe.ts';
import { fetchMetricsView } from './metrics-compare.ts';
import { emptyReport, record, runCorpus, summary } from './run-corpus.ts';
import { startNereid, startPair, startTriton, tritonUnavailable, type RunningServer } from './servers.ts';
import { BATCHED_PREFERRED, QUEUE_MAX_SIZE, writeDifferentialRepository } from './test-repository.ts';
import { writeTwinRepository } from './twin-repository.ts';

const unavailable = tritonUnavailable();
if (unavailable !== undefined) console.log(`# differential tests skipped: ${unavailable}`);

describe('differential conformance against tritonserver 2.51', { skip: unavailable }, () => {
  let triton: RunningServer;
  let nereid: RunningServer;
  const report = emptyReport();

  before(async () => {
    const repository = tempDir('nereid-diff-');
    writeDifferentialRepository(repository);
    const twin = tempDir('nereid-diff-twin-');
    const twins = writeTwinRepository(repository, twin);
    assert.deepEqual(twins.skipped, [], 'every model of the test repository has a twin');
    // The shared-memory object the shm cases register (both servers map the same one).
    for (const key of [SHM_KEY, SHM_OUT_KEY, `${SHM_OUT_KEY}_2`]) writeFileSync(`/dev/shm${key}`, shmContents());
    // Both with a response cache of 1 MiB (add_sub_cached uses it).
    const cache = '--cache-config=local,size=1048576';
    [triton, nereid] = await startPair(() => startTriton(twin, [cache]), () => startNereid(repository, [cache]));
  });

  after(async () => {
    closeGrpcClients();
    for (const key of [SHM_KEY, SHM_OUT_KEY, `${SHM_OUT_KEY}_2`]) rmSync(`/dev/shm${key}`, { force: true });
    await Promise.all([triton?.stop(), nereid?.stop()]);
    console.log(summary(report));
  });

  it('answers every endpoint, datatype and input error as Triton does, over HTTP and gRPC', async () => {
    const cases: Case[] = [...endpointCases(), ...errorCases(), ...schedulingCases(), ...ensembleCases(), ...sequenceCases(), ...classificationCases(), ...cacheCases(), ...grayReleaseCases(), ...sharedMemoryCases(), ...traceCases(), ...datatypeCases(20260521, 4), ...mutatedBodyCases(7, 240)];
    await runCorpus(cases, triton, nereid, report);
    assert.deepEqual(report.unexpected, [], summary(report));
  });

  it('answers a gRPC stream of good and bad requests as Triton does (the stream survives errors)', async () => {
    const fp32 = (id: string, datatype = 'FP32') => ({
      model_name: 'identity_fp32', id,
      inputs: [{ name: 'INPUT0', datatype, shape: [1, 3], contents: datatype === 'FP32' ? { fp32_contents: [1.5, -2, 3] } : { int_contents: [1, 2, 3] } }],
    });
    const requests = [fp32('s1'), fp32('s2', 'INT32'), { model_name: 'nope', id: 's3' }, fp32('s4')];
    const [t, n] = await Promise.all([grpcStream(triton.grpc, requests), grpcStream(nereid.grpc, requests)]);
    const before = report.unexpected.length;
    record(report, compareGrpc('stream of 4 [grpc]', { code: t.code, details: t.details, message: { messages: t.messages } },
      { code: n.code, details: n.details, message: { messages: n.messages } }));
    assert.deepEqual(report.unexpected.slice(before), [], summary(report));
  });

  it('refuses requests beyond max_queue_size as Triton does, and runs a request whose timeout passes in a pending batch', async () => {
    // add_sub_queue holds its queue for seconds waiting for a batch of 8: of 2 × max_queue_size requests sent at once,
    // max_queue_size are queued and the rest refused (which ones depends on arrival, so answers are compared sorted).
    const ones = Array(16).fill(1).join(',');
    const body = (parameters: string) =>
      `{"parameters":{${parameters}},"inputs":[{"name":"INPUT0","datatype":"FP32","shape":[1,16],"data":[${ones}]},` +
      `{"name":"INPUT1","datatype":"FP32","shape":[1,16],"data":[${ones}]}]}`;
    const post = (server: RunningServer, parameters = '') =>
      httpCall(server.http, { method: 'POST', path: '/v2/models/add_sub_queue/infer', body: body(parameters) });
    const fp = (name: string) => ({ name, datatype: 'FP32', shape: [1, 16], contents: { fp32_contents: Array(16).fill(1) } });
    const grpcInfer = (server: RunningServer) =>
      grpcCall(server.grpc, 'ModelInfer', { model_name: 'add_sub_queue', id: 'q', inputs: [fp('INPUT0'), fp('INPUT1')] });
    const burst = <T>(send: () => Promise<T>) => Promise.all(Array.from({ length: 2 * QUEUE_MAX_SIZE }, send));
    const before = report.unexpected.length;

    const byAnswer = (a: HttpAnswer, b: HttpAnswer) => a.status - b.status || a.body.compare(b.body);
    const [t, n] = await Promise.all([burst(() => post(triton)), burst(() => post(nereid))]);
    const [ts, ns] = [t.sort(byAnswer), n.sort(byAnswer)];
    ts.forEach((answer, i) => record(report, compareHttp(`queue full ${i} [http]`, answer, ns[i]!)));
    assert.deepEqual(ns.map((a) => a.status), [...Array(QUEUE_MAX_SIZE).fill(200), ...Array(QUEUE_MAX_SIZE).fill(503)]);

    const byCode = (a: GrpcAnswer, b: GrpcAnswer) => a.code - b.code || a.details.localeCompare(b.details);
    const [tg, ng] = await Promise.all([burst(() => grpcInfer(triton)), burst(() => grpcInfer(nereid))]);
    const [tgs, ngs] = [tg.sort(byCode), ng.sort(byCode)];
    tgs.forEach((answer, i) => record(report, compareGrpc(`queue full ${i} [grpc]`, answer, ngs[i]!)));
    assert.deepEqual(ngs.map((a) => a.code), [...Array(QUEUE_MAX_SIZE).fill(0), ...Array(QUEUE_MAX_SIZE).fill(14)]);

    // Triton checks a request's timeout as it joins the pending batch, not while the batch waits: a request alone in
    // the queue with a 1 ms timeout still runs after the 2 s delay (nereid likewise).
    const [te, ne] = await Promise.all([post(triton, '"timeout":1000'), post(nereid, '"timeout":1000')]);
    record(report, compareHttp('queue timeout shorter than the batching delay [http]', te, ne));
    assert.deepEqual(report.unexpected.slice(before), [], summary(report));
  });

  it('counts everything before it alike in statistics and metrics', async () => {
    const before = report.unexpected.length;
    await runCorpus(statisticsCases(), triton, nereid, report);
    const [t, n] = await Promise.all([fetchMetricsView(triton.metrics), fetchMetricsView(nereid.metrics)]);
    const differences: Difference[] = [];
    for (const aspect of ['families', 'counters'] as const) {
      if (!isDeepStrictEqual(t[aspect], n[aspect])) {
        differences.push({
          caseId: 'metrics [http]', aspect: `metrics-${aspect}`,
          triton: JSON.stringify(t[aspect]), nereid: JSON.stringify(n[aspect]), tritonValue: t[aspect], nereidValue: n[aspect],
        });
      }
    }
    record(report, differences);
    assert.deepEqual(report.unexpected.slice(before), [], summary(report));
  });

  it('answers a burst of concurrent requests alike and batches the same requests (last: it changes statistics)', async () => {
    // 4 × preferred requests of batch 1 at once; the batches formed are compared as a distribution (known-differences).
    const body = (i: number): string =>
      `{"id":"c${i}","inputs":[{"name":"INPUT0","datatype":"FP32","shape":[1,16],"data":[${Array(16).fill(i).join(',')}]},` +
      `{"name":"INPUT1","datatype":"FP32","shape":[1,16],"data":[${Array(16).fill(1).join(',')}]}]}`;
    const burst = (server: RunningServer) =>
      Promise.all(Array.from({ length: 4 * BATCHED_PREFERRED }, (_, i) =>
        httpCall(server.http, { method: 'POST', path: '/v2/models/add_sub_batched/infer', body: body(i) })));
    const [t, n] = await Promise.all([burst(triton), burst(nereid)]);
    const before = report.unexpected.length;
    t.forEach((answer, i) => record(report, compareHttp(`concurrent ${i} [http]`, answer, n[i]!)));
    await runCorpus(
      [{ id: 'statistics add_sub_batched after a burst', http: { method: 'GET', path: '/v2/models/add_sub_batched/stats' }, normalize: zeroTimes }],
      triton, nereid, report,
    );
    assert.deepEqual(report.unexpected.slice(before), [], summary(report));
  });
});
