/**
 * `/v2/logging` over a real socket, against what tritonserver 2.51 answers (checked on this machine): GET and POST
 * bodies, TritonJson's type errors (500), the log_file refusal (501), a bad log_format (503), partial application in
 * Triton's order, 405 for other methods, and the change seen through gRPC LogSettings on the same data plane.
 */
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import { after, afterEach, before, describe, it } from 'node:test';
import { logSettings, updateLogSettings } from '../../src/observe/log.ts';
import { inferenceServiceDefinition } from '../../src/transport/grpc/grpc-protos.ts';
import { controlTestRepository, startControlServers, type ControlServers } from '../support/control-servers.ts';

const DEFAULTS = '{"log_file":"","log_info":true,"log_warning":true,"log_error":true,"log_verbose_level":0,"log_format":"default"}';

let servers: ControlServers;
const initial = logSettings();
before(async () => {
  servers = await startControlServers({ repositories: [controlTestRepository()], controlMode: 'explicit' });
});
afterEach(() => void updateLogSettings(initial));

async function send(method: string, body?: string): Promise<{ status: number; type: string | null; text: string }> {
  const response = await fetch(`${servers.httpUrl}/v2/logging`, { method, ...(body === undefined ? {} : { body }) });
  return { status: response.status, type: response.headers.get('content-type'), text: await response.text() };
}

describe('/v2/logging', () => {
  it('GET answers every setting in Triton\'s order; POST {} and bodies that name nothing known change nothing', async () => {
    assert.deepEqual(await send('GET'), { status: 200, type: 'application/json', text: DEFAULTS });
    for (const body of ['{}', '[1]', '{"unknown":1}', '{"log_info":null,"log_file":null}']) {
      assert.deepEqual(await send('POST', body), { status: 200, type: 'application/json', text: DEFAULTS }, body);
    }
  });

  it('POST changes the settings and answers them; the change is what gRPC LogSettings reads', async () => {
    const posted = await send('POST', '{"log_verbose_level":2,"log_info":false,"log_format":"ISO8601"}');
    assert.equal(posted.status, 200);
    assert.equal(posted.text, '{"log_file":"","log_info":false,"log_warning":true,"log_error":true,"log_verbose_level":2,"log_format":"ISO8601"}');
    assert.equal((await send('GET')).text, posted.text);

    const Client = grpc.makeClientConstructor(inferenceServiceDefinition, 'GRPCInferenceService');
    const client = new Client(servers.grpcHostPort, grpc.credentials.createInsecure()) as grpc.Client & Record<string, Function>;
    after(() => client.close());
    const read = await new Promise<{ settings: Record<string, Record<string, unknown>> }>((resolve, reject) =>
      client.LogSettings!({}, (error: grpc.ServiceError | null, response: never) => (error ? reject(error) : resolve(response))));
    assert.equal(read.settings.log_verbose_level!.uint32_param, 2);
    assert.equal(read.settings.log_info!.bool_param, false);
    assert.equal(read.settings.log_format!.string_param, 'ISO8601');
  });

  it('refuses bad values with Triton\'s statuses and texts', async () => {
    const cases: [string, number, string][] = [
      ['', 500, 'failed to parse the request JSON buffer: The document is empty. at 0'],
      ['not json', 500, 'failed to parse the request JSON buffer: Invalid value. at 1'],
      ['{"log_info":"yes"}', 500, 'attempt to access JSON non-boolean as boolean'],
      ['{"log_error":1}', 500, 'attempt to access JSON non-boolean as boolean'],
      ['{"log_verbose_level":-1}', 500, 'attempt to access JSON non-unsigned-integer as unsigned-integer'],
      ['{"log_verbose_level":1.5}', 500, 'attempt to access JSON non-unsigned-integer as unsigned-integer'],
      ['{"log_verbose_level":"2"}', 500, 'attempt to access JSON non-unsigned-integer as unsigned-integer'],
      ['{"log_format":1}', 500, 'attempt to access JSON non-string as string'],
      ['{"log_format":"xml"}', 503, 'invalid argument for --log_format, got: xml'],
      ['{"log_file":"x"}', 501, 'log file location can not be updated through network protocol'],
      ['{"log_file":""}', 501, 'log file location can not be updated through network protocol'],
    ];
    for (const [body, status, message] of cases) {
      assert.deepEqual(await send('POST', body), { status, type: 'application/json', text: JSON.stringify({ error: message }) }, body);
    }
    assert.equal((await send('GET')).text, DEFAULTS);
  });

  it('applies settings in Triton\'s order up to a failing one, which leaves the earlier ones applied', async () => {
    const failed = await send('POST', '{"log_format":"bad","log_warning":false}');
    assert.equal(failed.status, 503);
    assert.equal(logSettings().log_warning, false);
    // log_error comes before log_verbose_level: the bad log_error stops the change before the level.
    assert.equal((await send('POST', '{"log_verbose_level":3,"log_error":"x"}')).status, 500);
    assert.equal(logSettings().log_verbose_level, 0);
    // A level above INT32_MAX is cast to int32 as in Triton (2^32 + 1 → 1; 2^31 → negative → 0).
    assert.match((await send('POST', '{"log_verbose_level":4294967297}')).text, /"log_verbose_level":1,/);
    assert.match((await send('POST', '{"log_verbose_level":2147483648}')).text, /"log_verbose_level":0,/);
  });

  it('answers 405 to other methods', async () => {
    for (const method of ['PUT', 'DELETE']) {
      assert.deepEqual(await send(method), { status: 405, type: 'application/json', text: '{"error":"Method Not Allowed"}' });
    }
  });
});
