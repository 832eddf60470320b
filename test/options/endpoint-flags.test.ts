import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { bad, fails, parse, REPO } from './support.ts';

describe('parseOptions: HTTP, GRPC and metrics flags', () => {
  it('ports and addresses', () => {
    const o = parse(
      '--http-port=1',
      '--grpc-port=2',
      '--metrics-port=3',
      '--http-address=127.0.0.1',
      '--grpc-address=::1',
      '--metrics-address=10.0.0.1',
    );
    assert.deepEqual([o.httpPort, o.grpcPort, o.metricsPort], [1, 2, 3]);
    assert.deepEqual([o.httpAddress, o.grpcAddress, o.metricsAddress], ['127.0.0.1', '::1', '10.0.0.1']);
  });

  it('--metrics-address defaults to --http-address', () => {
    assert.equal(parse('--http-address=127.0.0.1').metricsAddress, '127.0.0.1');
  });

  it('--allow-http / --allow-grpc / --allow-metrics', () => {
    const o = parse('--allow-http=false', '--allow-grpc=0', '--allow-metrics=off');
    assert.deepEqual([o.allowHttp, o.allowGrpc, o.allowMetrics], [false, false, false]);
  });

  it('--allow-gpu-metrics / --allow-cpu-metrics, forced off without metrics', () => {
    assert.deepEqual(
      [parse('--allow-gpu-metrics=false').allowGpuMetrics, parse('--allow-cpu-metrics=false').allowCpuMetrics],
      [false, false],
    );
    const off = parse('--allow-metrics=false', '--allow-gpu-metrics=true', '--allow-cpu-metrics=true');
    assert.deepEqual([off.allowGpuMetrics, off.allowCpuMetrics], [false, false]);
  });

  it('--metrics-interval-ms', () => {
    assert.equal(parse('--metrics-interval-ms=500').metricsIntervalMs, 500);
  });

  it('--http-max-input-size (int64, > 0)', () => {
    assert.equal(parse('--http-max-input-size=8589934592').httpMaxInputSize, 8589934592);
    fails([REPO, '--http-max-input-size=0'], 'Error: --http-max-input-size must be greater than 0.');
    fails([REPO, '--http-max-input-size=-1'], 'Error: --http-max-input-size must be greater than 0.');
    fails([REPO, '--http-max-input-size=big'], bad('http-max-input-size', 'Invalid option value. Got big'));
  });
});

describe('parseOptions: compatibility flags', () => {
  it('accepts compatibility flags and still checks their values', () => {
    parse(
      '--reuse-http-port=true',
      '--reuse-grpc-port=false',
      '--http-thread-count=4',
      '--grpc-infer-allocation-pool-size=16',
      '--grpc-infer-thread-count=2',
      '--grpc-max-response-pool-size=8',
      '--grpc-infer-response-compression-level=High',
      '--backend-directory=/opt/x',
      '--repoagent-directory=/opt/y',
      '--rate-limit=execution_count',
      '--pinned-memory-pool-byte-size=0',
      '--buffer-manager-thread-count=0',
      '--min-supported-compute-capability=6.0',
    );
    fails([REPO, '--rate-limit=fast'], bad('rate-limit', 'invalid argument for --rate-limit'));
    fails([REPO, '--http-thread-count=x'], bad('http-thread-count', 'Invalid option value. Got x'));
    fails(
      [REPO, '--min-supported-compute-capability=abc'],
      bad('min-supported-compute-capability', 'Invalid option value. Got abc'),
    );
    fails(
      [REPO, '--grpc-infer-response-compression-level=max'],
      bad('grpc-infer-response-compression-level', 'invalid argument for --grpc_infer_response_compression_level'),
    );
  });
});

describe('gRPC TLS flags', () => {
  it('are off by default and carry the certificate paths', () => {
    assert.deepEqual(parse().grpcTls, { useSsl: false, mutual: false });
    const o = parse('--grpc-use-ssl=true', '--grpc-server-cert', '/c.pem', '--grpc-server-key=/k.pem', '--grpc-root-cert=/ca.pem', '--grpc-use-ssl-mutual', '1');
    assert.deepEqual(o.grpcTls, { useSsl: true, mutual: true, serverCert: '/c.pem', serverKey: '/k.pem', rootCert: '/ca.pem' });
  });
});
