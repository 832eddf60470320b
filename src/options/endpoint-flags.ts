/**
 * The flag table's endpoint groups, in Triton's usage order: HTTP, GRPC, metrics.
 */
import { addCorsOrigins } from './cors-origins.ts';
import { flag, type FlagSpec } from './flag-spec.ts';
import { BadValue, parseBool, parseInt32, parseInt64 } from './flag-values.ts';
import { addRestrictions, GRPC_RESTRICTED_HEADER_PREFIX } from './restricted-features.ts';

/** HTTP, GRPC and metrics flags. */
export const ENDPOINT_FLAGS: readonly FlagSpec[] = [
  // HTTP
  flag('allow-http', 'bool', 'true', 'Listen for HTTP requests.', (o, v) => {
    o.allowHttp = parseBool(v);
  }),
  flag('http-address', 'string', '0.0.0.0', 'Address the HTTP server binds to.', (o, v) => {
    o.httpAddress = v;
  }),
  flag('http-port', 'int', '8000', 'Port for HTTP requests.', (o, v) => {
    o.httpPort = parseInt32(v);
  }),
  flag('reuse-http-port', 'bool', 'false', 'Accepted for compatibility; ignored.', (_o, v) => void parseBool(v)),
  flag('http-thread-count', 'int', '8', 'Accepted for compatibility; ignored.', (_o, v) => void parseInt32(v)),
  flag('http-max-input-size', 'int64', '67108864', 'Largest HTTP request body in bytes.', (o, v) => {
    o.httpMaxInputSize = parseInt64(v);
  }),
  flag(
    'http-restricted-api',
    'string',
    '-',
    'Restrict HTTP APIs: <api>[,<api>...]:<header>=<value> (apis: health, metadata, inference, shared-memory, ' +
      'model-config, model-repository, statistics, trace, logging); repeatable.',
    (o, v) => addRestrictions(o.httpRestrictedApis, v, 'http-restricted-api', 'api'),
  ),
  flag(
    'http-cors-origin',
    'string',
    '-',
    'Let browser pages from these origins call the HTTP API (CORS): <scheme>://<host>[:<port>] or * for any, ' +
      'comma-separated; repeatable.',
    (o, v) => addCorsOrigins(o.httpCorsOrigins, v),
  ),
  flag('http-use-ssl', 'bool', 'false', 'Serve HTTPS on the HTTP port (needs --http-server-cert and --http-server-key).', (o, v) => {
    o.httpTls.useSsl = parseBool(v);
  }),
  flag('http-use-ssl-mutual', 'bool', 'false', 'Use mutual TLS: HTTPS clients need a certificate signed by --http-root-cert.', (o, v) => {
    o.httpTls.mutual = parseBool(v);
  }),
  flag('http-server-cert', 'string', '', 'PEM file with the HTTPS server certificate chain.', (o, v) => {
    o.httpTls.serverCert = v;
  }),
  flag('http-server-key', 'string', '', 'PEM file with the HTTPS server private key.', (o, v) => {
    o.httpTls.serverKey = v;
  }),
  flag('http-root-cert', 'string', '', 'PEM file with the root certificate that HTTPS client certificates chain to.', (o, v) => {
    o.httpTls.rootCert = v;
  }),
  // GRPC
  flag('allow-grpc', 'bool', 'true', 'Listen for GRPC requests.', (o, v) => {
    o.allowGrpc = parseBool(v);
  }),
  flag('grpc-address', 'string', '0.0.0.0', 'Address the GRPC server binds to.', (o, v) => {
    o.grpcAddress = v;
  }),
  flag('grpc-port', 'int', '8001', 'Port for GRPC requests.', (o, v) => {
    o.grpcPort = parseInt32(v);
  }),
  flag('grpc-use-ssl', 'bool', 'false', 'Use TLS for the GRPC endpoint (needs --grpc-server-cert and --grpc-server-key).', (o, v) => {
    o.grpcTls.useSsl = parseBool(v);
  }),
  flag('grpc-use-ssl-mutual', 'bool', 'false', 'Use mutual TLS: clients need a certificate signed by --grpc-root-cert.', (o, v) => {
    o.grpcTls.mutual = parseBool(v);
  }),
  flag('grpc-server-cert', 'string', '', 'PEM file with the server certificate chain.', (o, v) => {
    o.grpcTls.serverCert = v;
  }),
  flag('grpc-server-key', 'string', '', 'PEM file with the server private key.', (o, v) => {
    o.grpcTls.serverKey = v;
  }),
  flag('grpc-root-cert', 'string', '', 'PEM file with the root certificate that client certificates chain to.', (o, v) => {
    o.grpcTls.rootCert = v;
  }),
  flag(
    'grpc-restricted-protocol',
    'string',
    '-',
    'Restrict GRPC protocols: <protocol>[,<protocol>...]:<key>=<value>; clients send metadata ' +
      `'${GRPC_RESTRICTED_HEADER_PREFIX}<key>: <value>'; repeatable.`,
    (o, v) => addRestrictions(o.grpcRestrictedProtocols, v, 'grpc-restricted-protocol', 'protocol', GRPC_RESTRICTED_HEADER_PREFIX),
  ),
  flag('reuse-grpc-port', 'bool', 'false', 'Accepted for compatibility; ignored.', (_o, v) => void parseBool(v)),
  flag('grpc-infer-allocation-pool-size', 'int', '8', 'Accepted for compatibility; ignored.', (_o, v) => {
    parseInt32(v);
  }),
  flag('grpc-infer-thread-count', 'int', '2', 'Accepted for compatibility; ignored.', (_o, v) => void parseInt32(v)),
  flag('grpc-max-response-pool-size', 'int', '2147483647', 'Accepted for compatibility; ignored.', (_o, v) => {
    parseInt32(v);
  }),
  flag('grpc-infer-response-compression-level', 'string', 'none', 'Accepted for compatibility; ignored.', (_o, v) => {
    if (!['none', 'low', 'medium', 'high'].includes(v.toLowerCase())) {
      throw new BadValue('invalid argument for --grpc_infer_response_compression_level');
    }
  }),
  // Metrics
  flag('allow-metrics', 'bool', 'true', 'Serve Prometheus metrics.', (o, v) => {
    o.allowMetrics = parseBool(v);
  }),
  flag('allow-gpu-metrics', 'bool', 'true', 'Serve GPU metrics (only with --allow-metrics).', (o, v) => {
    o.allowGpuMetrics = parseBool(v);
  }),
  flag('allow-cpu-metrics', 'bool', 'true', 'Serve CPU metrics (only with --allow-metrics).', (o, v) => {
    o.allowCpuMetrics = parseBool(v);
  }),
  flag('metrics-address', 'string', 'same as --http-address', 'Address the metrics server binds to.', (o, v) => {
    o.metricsAddress = v;
  }),
  flag('metrics-port', 'int', '8002', 'Port for Prometheus metrics.', (o, v) => {
    o.metricsPort = parseInt32(v);
  }),
  flag('metrics-interval-ms', 'int', '2000', 'Milliseconds between metric collections.', (o, v) => {
    o.metricsIntervalMs = parseInt32(v);
  }),
];
