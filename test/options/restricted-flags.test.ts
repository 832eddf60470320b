import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { bad, fails, parse, REPO } from './support.ts';

const FORMAT = (flag: string, arg: string): string =>
  bad(flag, `--${flag} option format is '<config name>:<setting>=<value>'. Got ${arg}`);

describe('--http-restricted-api', () => {
  it('is off by default', () => {
    const o = parse();
    assert.deepEqual([o.httpRestrictedApis, o.grpcRestrictedProtocols], [{}, {}]);
  });

  it('restricts each listed category with its header, and is repeatable', () => {
    const o = parse('--http-restricted-api=health,model-repository:admin-key=s3cret', '--http-restricted-api', 'inference:infer-key=a=b');
    assert.deepEqual(o.httpRestrictedApis, {
      health: { header: 'admin-key', value: 's3cret' },
      'model-repository': { header: 'admin-key', value: 's3cret' },
      // The value runs from the first '=' after the ':' to the end.
      inference: { header: 'infer-key', value: 'a=b' },
    });
  });

  it('takes every Triton category', () => {
    const all = 'health,metadata,inference,shared-memory,model-config,model-repository,statistics,trace,logging';
    assert.equal(Object.keys(parse(`--http-restricted-api=${all}:k=v`).httpRestrictedApis).length, 9);
  });

  it("refuses a malformed group with Triton's text", () => {
    for (const arg of ['health', 'health:key', ':key=value', 'health:=value', 'health:key=', 'health=x:key']) {
      fails([REPO, `--http-restricted-api=${arg}`], FORMAT('http-restricted-api', arg));
    }
  });

  it('refuses an unknown category, an empty one, and a category given twice', () => {
    fails([REPO, '--http-restricted-api=healthz:k=v'], bad('http-restricted-api', "unknown restricted api 'healthz' "));
    fails([REPO, '--http-restricted-api=health,:k=v'], bad('http-restricted-api', "unknown restricted api '' "));
    fails([REPO, '--http-restricted-api=Health:k=v'], bad('http-restricted-api', "unknown restricted api 'Health' "));
    fails(
      [REPO, '--http-restricted-api=health:a=1', '--http-restricted-api=metadata,health:b=2'],
      bad('http-restricted-api', "restricted api 'health' can not be specified in multiple config groups"),
    );
    fails(
      [REPO, '--http-restricted-api=trace,trace:a=1'],
      bad('http-restricted-api', "restricted api 'trace' can not be specified in multiple config groups"),
    );
  });
});

describe('--grpc-restricted-protocol', () => {
  it("puts Triton's metadata prefix before the key", () => {
    const o = parse('--grpc-restricted-protocol=inference,statistics:infer-key=v1', '--grpc-restricted-protocol=health:h=v2');
    assert.deepEqual(o.grpcRestrictedProtocols, {
      inference: { header: 'triton-grpc-protocol-infer-key', value: 'v1' },
      statistics: { header: 'triton-grpc-protocol-infer-key', value: 'v1' },
      health: { header: 'triton-grpc-protocol-h', value: 'v2' },
    });
  });

  it('keeps the two protocols apart: one category may be restricted on both', () => {
    const o = parse('--http-restricted-api=health:a=1', '--grpc-restricted-protocol=health:a=1');
    assert.deepEqual([o.httpRestrictedApis.health?.header, o.grpcRestrictedProtocols.health?.header], ['a', 'triton-grpc-protocol-a']);
  });

  it("refuses what Triton refuses, saying 'protocol'", () => {
    fails([REPO, '--grpc-restricted-protocol=infer:k=v'], bad('grpc-restricted-protocol', "unknown restricted protocol 'infer' "));
    fails(
      [REPO, '--grpc-restricted-protocol=logging:k=v', '--grpc-restricted-protocol=logging:k=v'],
      bad('grpc-restricted-protocol', "restricted protocol 'logging' can not be specified in multiple config groups"),
    );
    fails([REPO, '--grpc-restricted-protocol=logging'], FORMAT('grpc-restricted-protocol', 'logging'));
  });
});

describe('HTTPS flags', () => {
  it('are off by default and carry the certificate paths', () => {
    assert.deepEqual(parse().httpTls, { useSsl: false, mutual: false });
    const o = parse(
      '--http-use-ssl=true',
      '--http-use-ssl-mutual=1',
      '--http-server-cert=/c/server.pem',
      '--http-server-key=/c/server.key',
      '--http-root-cert=/c/ca.pem',
    );
    assert.deepEqual(o.httpTls, { useSsl: true, mutual: true, serverCert: '/c/server.pem', serverKey: '/c/server.key', rootCert: '/c/ca.pem' });
    assert.deepEqual(o.grpcTls, { useSsl: false, mutual: false });
    fails([REPO, '--http-use-ssl=maybe'], bad('http-use-ssl', 'invalid value for bool option: maybe'));
  });
});
