/**
 * Compares nereid with tritonserver 2.51 on any model repository, by hand:
 *
 *   node --import tsx scripts/triton-twin/compare.ts --model-repository=DIR [--twin=OUT] [--seed=N] [-- FLAGS...]
 *
 * Writes the Python-backend twin of DIR (into OUT, or a temporary folder), lists the models it could not twin,
 * starts both servers (FLAGS go to both, e.g. --model-control-mode=explicit), and sends to each: the server
 * endpoints, then for every model the metadata, config, readiness and statistics, and a seeded random inference in
 * JSON, in binary and over gRPC built from the model's metadata (every -1 dim becomes one size in 1..3), for the
 * models both serve (untwinned ones are listed, and differ in the repository index). Prints every difference,
 * marking those known-differences.ts explains; exits 1 when there are unexpected ones.
 * Needs .venv/bin/tritonserver (bash scripts/install-tritonserver.sh).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

import { endpointCases, type Case } from '../../test/differential/corpus.ts';
import { closeGrpcClients } from '../../test/differential/grpc-probe.ts';
import { httpCall } from '../../test/differential/http-probe.ts';
import { emptyReport, runCorpus, summary } from '../../test/differential/run-corpus.ts';
import { startNereid, startPair, startTriton, tritonUnavailable } from '../../test/differential/servers.ts';
import { randomValues, seededRandom } from '../../test/differential/tensor-values.ts';
import { writeTwinRepository } from '../../test/differential/twin-repository.ts';

interface TensorMetadata {
  name: string;
  datatype: string;
  shape: number[];
}

const args = process.argv.slice(2);
const dash = args.indexOf('--');
const own = dash < 0 ? args : args.slice(0, dash);
const serverFlags = dash < 0 ? [] : args.slice(dash + 1);
const option = (name: string): string | undefined => own.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const repository = option('model-repository');
if (repository === undefined) {
  console.error('usage: compare.ts --model-repository=DIR [--twin=OUT] [--seed=N] [-- SERVER FLAGS...]');
  process.exit(2);
}
const unavailable = tritonUnavailable();
if (unavailable !== undefined) {
  console.error(`tritonserver is not available: ${unavailable}`);
  process.exit(2);
}

const twin = resolve(option('twin') ?? mkdtempSync(join(tmpdir(), 'nereid-twin-')));
const twins = writeTwinRepository(resolve(repository), twin);
console.log(`twin repository: ${twin}\n  twinned: ${twins.twinned.join(', ') || '-'}\n  copied: ${twins.copied.join(', ') || '-'}`);
for (const s of twins.skipped) console.log(`  NOT TWINNED ${s.model}: ${s.reason}`);

const [triton, nereid] = await startPair(() => startTriton(twin, serverFlags), () => startNereid(resolve(repository), serverFlags));
const report = emptyReport();
try {
  const random = seededRandom(Number(option('seed') ?? 1));
  const index = JSON.parse((await httpCall(nereid.http, { method: 'POST', path: '/v2/repository/index', body: '{"ready":true}' })).body.toString()) as { name: string }[];
  const cases: Case[] = endpointCases().filter((c) => !c.id.includes('add_sub') && !c.id.includes('bytes'));
  const served = new Set([...twins.twinned, ...twins.copied]);
  for (const model of [...new Set(index.map((m) => m.name))].filter((m) => served.has(m))) {
    const get = (path: string) => ({ method: 'GET', path: `/v2/models/${model}${path}` });
    cases.push(
      { id: `model metadata ${model}`, http: get(''), grpc: { rpc: 'ModelMetadata', request: { name: model } } },
      { id: `model config ${model}`, http: get('/config'), grpc: { rpc: 'ModelConfig', request: { name: model } } },
      { id: `model ready ${model}`, http: get('/ready'), grpc: { rpc: 'ModelReady', request: { name: model } } },
    );
    const metadata = JSON.parse((await httpCall(nereid.http, get(''))).body.toString()) as { inputs?: TensorMetadata[] };
    if (metadata.inputs === undefined) continue;
    const free = 1 + Math.floor(random() * 3); // one size for every -1 dim, so batch dims agree
    const inputs = metadata.inputs.map((input) => {
      const shape = input.shape.map((d) => (d < 0 ? free : d));
      return { input, shape, values: randomValues(input.datatype, shape.reduce((a, b) => a * b, 1), random) };
    });
    if (inputs.every((i) => i.values.json !== undefined)) {
      const body = JSON.stringify({ inputs: inputs.map((i) => ({ name: i.input.name, datatype: i.input.datatype, shape: i.shape, data: '@' })) })
        .split('"@"').map((part, k) => (k === 0 ? part : `[${inputs[k - 1]!.values.json!.join(',')}]${part}`)).join('');
      cases.push({ id: `infer ${model} json`, http: { method: 'POST', path: `/v2/models/${model}/infer`, body } });
    }
    const header = JSON.stringify({
      inputs: inputs.map((i) => ({ name: i.input.name, datatype: i.input.datatype, shape: i.shape, parameters: { binary_data_size: i.values.raw.length } })),
      parameters: { binary_data_output: true },
    });
    cases.push({
      id: `infer ${model} binary`,
      http: {
        method: 'POST', path: `/v2/models/${model}/infer`,
        body: Buffer.concat([Buffer.from(header), ...inputs.map((i) => i.values.raw)]),
        headers: { 'inference-header-content-length': String(Buffer.byteLength(header)) },
      },
      grpc: {
        rpc: 'ModelInfer',
        request: { model_name: model, inputs: inputs.map((i) => ({ name: i.input.name, datatype: i.input.datatype, shape: i.shape })), raw_input_contents: inputs.map((i) => i.values.raw) },
      },
    });
  }
  await runCorpus(cases, triton, nereid, report);
} finally {
  closeGrpcClients();
  await Promise.all([triton.stop(), nereid.stop()]);
}
console.log(summary(report));
for (const k of report.known) console.log(`  known ${k.caseId} ${k.aspect}`);
process.exit(report.unexpected.length === 0 ? 0 : 1);
