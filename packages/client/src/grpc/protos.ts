/**
 * Triton's GRPCInferenceService, loaded once per process from the package's own protos/ folder with the options the
 * generated types (generated/, scripts/generate-grpc-types.mjs) were made with: field names as in the protos, 64-bit
 * integers and enums as strings, defaults filled in, oneofs named by `<oneof>` members, bytes as Buffers.
 */
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import type { ProtoGrpcType } from './generated/grpc_service.ts';

/** protos/ of the package: two levels up from src/grpc/ (sources run through tsx) and from dist/grpc/ (built) alike. */
const PROTOS_DIR = fileURLToPath(new URL('../../protos/', import.meta.url));

export const LOADER_OPTIONS: protoLoader.Options = { keepCase: true, longs: String, enums: String, defaults: true, oneofs: true };

let loaded: ProtoGrpcType | undefined;

/** The `inference` package: GRPCInferenceService (a grpc-js client constructor) and the message definitions. */
export function inferencePackage(): ProtoGrpcType['inference'] {
  loaded ??= grpc.loadPackageDefinition(
    protoLoader.loadSync('grpc_service.proto', { ...LOADER_OPTIONS, includeDirs: [PROTOS_DIR] }),
  ) as unknown as ProtoGrpcType;
  return loaded.inference;
}
