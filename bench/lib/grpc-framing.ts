/**
 * gRPC over HTTP/2 written by hand, what bare-http2-grpc-server.ts needs and nothing more: the 5-byte
 * length-prefixed message (1 byte compressed flag, 4 bytes big-endian length), the percent-encoding of grpc-message,
 * and reading one string field (ModelInferRequest.model_name, field 1) out of a protobuf message without decoding it.
 */

/** The gRPC status codes the bare server answers with. */
export const GRPC_STATUS = { OK: 0, NOT_FOUND: 5, UNIMPLEMENTED: 12, INTERNAL: 13 } as const;

/** `message` with gRPC's length prefix (uncompressed). */
export function grpcFrame(message: Uint8Array): Buffer {
  const frame = Buffer.allocUnsafe(5 + message.length);
  frame[0] = 0;
  frame.writeUInt32BE(message.length, 1);
  frame.set(message, 5);
  return frame;
}

/** The one message of a unary call's request body, or why it is not one (a string). */
export function grpcUnframe(body: Buffer): Buffer | string {
  if (body.length < 5) return `the request body has ${body.length} bytes, less than a gRPC message prefix`;
  if (body[0] !== 0) return 'compressed messages are not supported';
  const length = body.readUInt32BE(1);
  if (body.length !== 5 + length) return `the message prefix says ${length} bytes but ${body.length - 5} follow`;
  return body.subarray(5);
}

/** grpc-message's percent-encoding: every byte outside printable ASCII, and '%', as %XX of its UTF-8 bytes. */
export function percentEncode(text: string): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    out += byte >= 0x20 && byte <= 0x7e && byte !== 0x25 ? String.fromCharCode(byte) : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

function varint(bytes: Buffer, at: number): [value: number, next: number] | undefined {
  let value = 0;
  for (let shift = 0, i = at; i < bytes.length && shift < 64; shift += 7, i++) {
    value += (bytes[i]! & 0x7f) * 2 ** shift;
    if ((bytes[i]! & 0x80) === 0) return [value, i + 1];
  }
  return undefined;
}

/**
 * The first length-delimited field numbered `field` of a protobuf message, as UTF-8 text; undefined when the field
 * is absent or the message is malformed. Other fields are skipped by wire type, not decoded.
 */
export function protobufStringField(message: Buffer, field: number): string | undefined {
  let at = 0;
  while (at < message.length) {
    const tag = varint(message, at);
    if (tag === undefined) return undefined;
    const [key, afterTag] = tag;
    const wireType = key % 8;
    at = afterTag;
    if (wireType === 0) {
      const skipped = varint(message, at);
      if (skipped === undefined) return undefined;
      at = skipped[1];
    } else if (wireType === 1) {
      at += 8;
    } else if (wireType === 5) {
      at += 4;
    } else if (wireType === 2) {
      const length = varint(message, at);
      if (length === undefined || length[1] + length[0] > message.length) return undefined;
      if (Math.floor(key / 8) === field) return message.toString('utf8', length[1], length[1] + length[0]);
      at = length[1] + length[0];
    } else {
      return undefined;
    }
  }
  return undefined;
}
