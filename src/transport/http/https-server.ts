/**
 * The node server under the HTTP endpoint: plain HTTP by default, HTTPS with `--http-use-ssl` (certificate and key
 * read at start-up), and mutual TLS with `--http-use-ssl-mutual`, where a client without a certificate signed by
 * `--http-root-cert` fails the handshake.
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { TlsOptions } from '../../options/server-options.ts';

export type RequestHandler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

/** An http.Server, or an https.Server when `tls` turns TLS on (as for gRPC, mutual alone turns it on too). */
export function createHttpServer(handler: RequestHandler, tls: TlsOptions | undefined): http.Server | https.Server {
  if (tls === undefined || (!tls.useSsl && !tls.mutual)) return http.createServer(handler);
  if (tls.serverCert === undefined || tls.serverKey === undefined) {
    throw new Error('--http-use-ssl needs --http-server-cert and --http-server-key');
  }
  if (tls.mutual && tls.rootCert === undefined) throw new Error('--http-use-ssl-mutual needs --http-root-cert');
  return https.createServer(
    {
      cert: readFileSync(tls.serverCert),
      key: readFileSync(tls.serverKey),
      ...(tls.rootCert === undefined ? {} : { ca: readFileSync(tls.rootCert) }),
      requestCert: tls.mutual,
      rejectUnauthorized: tls.mutual,
    },
    handler,
  );
}
