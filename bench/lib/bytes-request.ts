/**
 * Large single-tensor requests for the shipped identity models over Triton's binary HTTP extension: `identity_bytes`
 * with `elements` BYTES elements of `elementLength` bytes each, or `identity_int64` with the same body size, and the
 * binary output asked for. The answer is checked to be the input echoed (its binary part the same length).
 */
import http from 'node:http';

export type IdentityDatatype = 'BYTES' | 'INT64';

export interface IdentityRequest {
  readonly model: string;
  readonly header: Buffer;
  readonly body: Buffer;
  /** Bytes of the tensor data (the binary part of the request and of the answer). */
  readonly tensorBytes: number;
}

/** The request: [1, elements] BYTES of `elementLength` zero bytes each, or [1, elements] INT64 zeros. */
export function identityRequest(datatype: IdentityDatatype, elements: number, elementLength = 0): IdentityRequest {
  const tensorBytes = datatype === 'BYTES' ? elements * (4 + elementLength) : elements * 8;
  const header = Buffer.from(JSON.stringify({
    inputs: [{ name: 'INPUT0', datatype, shape: [1, elements], parameters: { binary_data_size: tensorBytes } }],
    outputs: [{ name: 'OUTPUT0', parameters: { binary_data: true } }],
  }));
  const data = Buffer.alloc(tensorBytes);
  if (datatype === 'BYTES' && elementLength > 0) {
    for (let offset = 0; offset < tensorBytes; offset += 4 + elementLength) data.writeUInt32LE(elementLength, offset);
  }
  return {
    model: datatype === 'BYTES' ? 'identity_bytes' : 'identity_int64',
    header,
    body: Buffer.concat([header, data]),
    tensorBytes,
  };
}

/** POSTs `request` to 127.0.0.1:`port`; resolves once the whole answer arrived, rejects unless it is the echo. */
export function sendIdentityRequest(port: number, request: IdentityRequest): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: '127.0.0.1', port, method: 'POST', path: `/v2/models/${request.model}/infer`,
      headers: {
        'Content-Type': 'application/octet-stream',
        'Inference-Header-Content-Length': String(request.header.length),
        'Content-Length': String(request.body.length),
      },
    }, (res) => {
      const chunks: Buffer[] = [];
      let received = 0;
      res.on('data', (chunk: Buffer) => {
        received += chunk.length;
        if (res.statusCode !== 200 || chunks.length === 0) chunks.push(chunk);
      });
      res.on('end', () => {
        const headerLength = Number(res.headers['inference-header-content-length']);
        if (res.statusCode !== 200) {
          reject(new Error(`HTTP ${res.statusCode}: ${Buffer.concat(chunks).toString().slice(0, 300)}`));
        } else if (received - headerLength !== request.tensorBytes) {
          reject(new Error(`expected ${request.tensorBytes} bytes of output, got ${received - headerLength}`));
        } else {
          resolve();
        }
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(request.body);
  });
}
