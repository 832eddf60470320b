/**
 * The gRPC endpoint: Triton's GRPCInferenceService and grpc.health.v1 Health on @grpc/grpc-js, with message size
 * limits lifted (clients send up to INT32_MAX), gzip/deflate message compression accepted, and optional TLS with
 * tritonserver's flags. Handlers only translate between protobuf messages and the core.
 */
import { readFileSync } from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import type { DataPlane } from '../../core/data-plane.ts';
import { callCounter, type CallCounter } from './call-counter.ts';
import type { GrpcTlsOptions } from '../../options/server-options.ts';
import { healthServiceDefinition, inferenceServerDefinition, releaseServiceDefinition } from './grpc-protos.ts';
import { healthRpcs } from './health-rpcs.ts';
import { inferRpcs } from './infer-rpcs.ts';
import { logSettingsRpc } from './log-settings-rpc.ts';
import { metadataRpcs } from './metadata-rpcs.ts';
import { releaseRpcs, repositoryRpcs } from './repository-rpcs.ts';
import { restrictRpcs } from './restricted-rpcs.ts';
import type { Restrictions } from '../../options/restricted-features.ts';
import { traceSettingRpc } from './trace-rpc.ts';
import { sharedMemoryRpcs } from './shared-memory-rpcs.ts';

export interface GrpcEndpointOptions {
  readonly port: number;
  readonly address: string;
  readonly tls?: GrpcTlsOptions;
  /** --grpc-restricted-protocol: categories whose RPCs need a metadata key (none when absent). */
  readonly restrictedProtocols?: Restrictions;
}

/** What the endpoint serves: the one data plane. */
export interface GrpcEndpointDeps {
  readonly dataPlane: DataPlane;
}

const CHANNEL_OPTIONS: grpc.ServerOptions = {
  'grpc.max_receive_message_length': -1,
  'grpc.max_send_message_length': -1,
};

export class GrpcEndpoint {
  private constructor(
    private readonly server: grpc.Server,
    readonly port: number,
    private readonly calls: CallCounter,
  ) {}

  /** Calls started whose status has not been sent (graceful shutdown waits for these). */
  get activeCalls(): number {
    return this.calls.active;
  }

  static async start(deps: GrpcEndpointDeps, options: GrpcEndpointOptions): Promise<GrpcEndpoint> {
    const { dataPlane } = deps;
    const { Check, ...health } = healthRpcs(dataPlane);
    const calls = callCounter();
    const server = new grpc.Server({ ...CHANNEL_OPTIONS, interceptors: [calls.interceptor] });
    const restrictions = options.restrictedProtocols ?? {};
    server.addService(inferenceServerDefinition, restrictRpcs({
      ...health,
      ...metadataRpcs(dataPlane),
      ...inferRpcs(dataPlane),
      ...repositoryRpcs(dataPlane),
      ...traceSettingRpc(dataPlane),
      ...sharedMemoryRpcs(dataPlane),
      ...logSettingsRpc(dataPlane),
    }, restrictions) as grpc.UntypedServiceImplementation);
    server.addService(healthServiceDefinition, restrictRpcs({ Check }, restrictions) as grpc.UntypedServiceImplementation);
    server.addService(releaseServiceDefinition, restrictRpcs(releaseRpcs(dataPlane), restrictions) as grpc.UntypedServiceImplementation);
    const port = await new Promise<number>((resolve, reject) => {
      server.bindAsync(`${options.address}:${options.port}`, credentials(options.tls), (error, bound) => (error ? reject(error) : resolve(bound)));
    });
    return new GrpcEndpoint(server, port, calls);
  }

  /** Stops accepting new calls; resolves once the calls in progress have finished. */
  stopAccepting(): Promise<void> {
    return new Promise((resolve) => this.server.tryShutdown(() => resolve()));
  }

  /** Stops accepting calls and cancels the ones in flight. */
  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.tryShutdown(() => resolve());
      setTimeout(() => {
        this.server.forceShutdown();
        resolve();
      }, 1000).unref();
    });
  }
}

/** Insecure unless --grpc-use-ssl; mutual TLS checks client certificates against --grpc-root-cert. */
function credentials(tls: GrpcTlsOptions | undefined): grpc.ServerCredentials {
  if (tls === undefined || (!tls.useSsl && !tls.mutual)) return grpc.ServerCredentials.createInsecure();
  if (tls.serverCert === undefined || tls.serverKey === undefined) {
    throw new Error('--grpc-use-ssl needs --grpc-server-cert and --grpc-server-key');
  }
  if (tls.mutual && tls.rootCert === undefined) throw new Error('--grpc-use-ssl-mutual needs --grpc-root-cert');
  const root = tls.rootCert === undefined ? null : readFileSync(tls.rootCert);
  const pair = { cert_chain: readFileSync(tls.serverCert), private_key: readFileSync(tls.serverKey) };
  return grpc.ServerCredentials.createSsl(root, [pair], tls.mutual);
}
