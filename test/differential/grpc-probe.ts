/**
 * One unary call of GRPCInferenceService with protobufjs messages (field names as in the proto), answered as a plain
 * object (64-bit integers as strings, bytes as base64, defaults included) or as the status code and details.
 */
import { credentials, Client, Metadata, type ServiceError } from '@grpc/grpc-js';
import protobuf from 'protobufjs';
import { fileURLToPath } from 'node:url';

const PROTOS = fileURLToPath(new URL('../../protos/', import.meta.url));
const root = new protobuf.Root();
root.resolvePath = (_origin, target) => (target.startsWith('/') ? target : PROTOS + target);
root.loadSync('grpc_service.proto', { keepCase: true });
const service = root.lookupService('inference.GRPCInferenceService');

export interface GrpcAnswer {
  /** 0 when OK. */
  readonly code: number;
  readonly details: string;
  readonly message?: Record<string, unknown>;
}

const clients = new Map<string, Client>();

function client(hostPort: string): Client {
  let c = clients.get(hostPort);
  if (c === undefined) {
    c = new Client(hostPort, credentials.createInsecure(), { 'grpc.max_receive_message_length': -1 });
    clients.set(hostPort, c);
  }
  return c;
}

export function closeGrpcClients(): void {
  for (const c of clients.values()) c.close();
  clients.clear();
}

export function grpcCall(hostPort: string, rpc: string, request: Record<string, unknown>, metadata: Record<string, string> = {}): Promise<GrpcAnswer> {
  const method = service.methods[rpc];
  if (method === undefined) throw new Error(`no rpc ${rpc}`);
  const requestType = root.lookupType(method.requestType);
  const responseType = root.lookupType(method.responseType);
  const meta = new Metadata();
  for (const [k, v] of Object.entries(metadata)) meta.set(k, v);
  const bytes = Buffer.from(requestType.encode(requestType.fromObject(request)).finish());
  return new Promise((resolve) => {
    client(hostPort).makeUnaryRequest(
      `/inference.GRPCInferenceService/${rpc}`,
      (b: Buffer) => b,
      (b: Buffer) => b,
      bytes,
      meta,
      (error: ServiceError | null, answer?: Buffer) => {
        if (error) resolve({ code: error.code, details: error.details });
        else {
          const decoded = responseType.decode(answer!);
          const message = responseType.toObject(decoded, { longs: String, bytes: String, defaults: true, enums: String });
          resolve({ code: 0, details: '', message });
        }
      },
    );
  });
}

export interface GrpcStreamAnswer {
  readonly code: number;
  readonly details: string;
  readonly messages: Record<string, unknown>[];
}

/** ModelStreamInfer: writes every request, half-closes, and collects the responses and the final status. */
export function grpcStream(hostPort: string, requests: Record<string, unknown>[]): Promise<GrpcStreamAnswer> {
  const method = service.methods['ModelStreamInfer']!;
  const requestType = root.lookupType(method.requestType);
  const responseType = root.lookupType(method.responseType);
  return new Promise((resolve) => {
    const messages: Record<string, unknown>[] = [];
    const call = client(hostPort).makeBidiStreamRequest(
      '/inference.GRPCInferenceService/ModelStreamInfer',
      (b: Buffer) => b,
      (b: Buffer) => b,
      new Metadata(),
    );
    call.on('data', (b: Buffer) => {
      messages.push(responseType.toObject(responseType.decode(b), { longs: String, bytes: String, defaults: true, enums: String }));
    });
    call.on('error', () => {}); // the status below carries it
    call.on('status', (status: { code: number; details: string }) => resolve({ code: status.code, details: status.details, messages }));
    for (const r of requests) call.write(Buffer.from(requestType.encode(requestType.fromObject(r)).finish()));
    call.end();
  });
}
