import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { writeDifferentialRepository } from './test/differential/test-repository.ts';
import { writeTwinRepository } from './test/differential/twin-repository.ts';
import { startTriton } from './test/differential/servers.ts';
async function main() {
  const src = mkdtempSync('/tmp/orc/src-'); const twin = mkdtempSync('/tmp/orc/twin-');
  writeDifferentialRepository(src);
  const cfg = `${src}/add_sub/config.pbtxt`;
  writeFileSync(cfg, readFileSync(cfg, 'utf8') + 'response_cache { enable: true }\n');
  writeTwinRepository(src, twin);
  for (const args of [['--cache-config=local,size=1048576'], []]) {
    const t = await startTriton(twin, ['--model-control-mode=explicit', '--load-model=add_sub', '--load-model=add_sub_ext', ...args]);
    const body = JSON.stringify({ inputs: [{ name: 'INPUT0', datatype: 'FP32', shape: [1, 16], data: Array(16).fill(1) }, { name: 'INPUT1', datatype: 'FP32', shape: [1, 16], data: Array(16).fill(2) }] });
    const body2 = JSON.stringify({ inputs: [{ name: 'INPUT0', datatype: 'FP32', shape: [1, 16], data: Array(16).fill(1) }, { name: 'INPUT1', datatype: 'FP32', shape: [1, 16], data: Array(16).fill(2) }], outputs: [{ name: 'OUTPUT1' }] });
    for (const b of [body, body, body2, body2]) {
      const r = await fetch(`http://${t.http}/v2/models/add_sub/infer`, { method: 'POST', body: b });
      console.log(args, r.status, (await r.text()).slice(0, 160));
    }
    const idx = await fetch(`http://${t.http}/v2/repository/index`, { method: 'POST', body: '{}' });
    console.log(await idx.text());
    const s = await fetch(`http://${t.http}/v2/models/add_sub/stats`);
    console.log(await s.text());
    const m = await fetch(`http://${t.metrics}/metrics`);
    console.log((await m.text()).split('\n').filter((l) => /cache|nv_inference_request_success|nv_inference_count|exec_count/.test(l)).join('\n'));
    console.log(t.output().split('\n').filter((l) => /cache|Cache/.test(l)).join('\n'));
    await t.stop();
  }
}
main();
