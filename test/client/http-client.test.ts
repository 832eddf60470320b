/**
 * HttpClient against nereid and against tritonserver 2.51 with the same expectations (conformance-suite.ts), both
 * started through their real command lines in explicit mode on test/client/client-repository.ts (Triton on its
 * Python-backend twins). Where tritonserver cannot run here, its half is skipped with the reason printed.
 */
import { after, before, describe } from 'node:test';
import { HttpClient } from '../../packages/client/src/index.ts';
import { startNereid, startTriton, tritonUnavailable, type RunningServer } from '../differential/servers.ts';
import { writeTwinRepository } from '../differential/twin-repository.ts';
import { tempDir } from '../support/temp-dir.ts';
import { writeClientRepository } from './client-repository.ts';
import { clientSuite } from './conformance-suite.ts';

const EXPLICIT = ['--model-control-mode=explicit', '--load-model=*'];

function serverSuite(name: 'nereid' | 'triton', start: (repository: string) => Promise<RunningServer>): void {
  let server: RunningServer;
  let client: HttpClient;
  before(async () => {
    const repository = tempDir('nereid-client-');
    writeClientRepository(repository);
    let served = repository;
    if (name === 'triton') {
      served = tempDir('nereid-client-twin-');
      writeTwinRepository(repository, served);
    }
    server = await start(served);
    client = new HttpClient({ url: server.http });
  });
  after(async () => {
    client?.close();
    await server?.stop();
  });
  clientSuite(() => client, { transport: 'http', tag: `http_${name}` });
}

describe('HttpClient against nereid', () => serverSuite('nereid', (repository) => startNereid(repository, EXPLICIT)));

const unavailable = tritonUnavailable();
describe('HttpClient against tritonserver 2.51', { skip: unavailable }, () => serverSuite('triton', (repository) => startTriton(repository, EXPLICIT)));
