/** A throwaway CA that signs a server certificate for 127.0.0.1/localhost and a client certificate, made with openssl. */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';

export type Certificates = Record<'ca' | 'serverCert' | 'serverKey' | 'clientCert' | 'clientKey', string>;

export function makeCertificates(dir: string): Certificates {
  const file = (name: string): string => path.join(dir, name);
  const run = (...args: string[]): void => void execFileSync('openssl', args, { stdio: 'ignore' });
  run('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=nereid-test-ca', '-keyout', file('ca.key'), '-out', file('ca.pem'));
  writeFileSync(file('server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  for (const who of ['server', 'client']) {
    run('req', '-newkey', 'rsa:2048', '-nodes', '-subj', `/CN=${who}`, '-keyout', file(`${who}.key`), '-out', file(`${who}.csr`));
    run('x509', '-req', '-in', file(`${who}.csr`), '-CA', file('ca.pem'), '-CAkey', file('ca.key'), '-CAcreateserial', '-days', '1',
      ...(who === 'server' ? ['-extfile', file('server.ext')] : []), '-out', file(`${who}.pem`));
  }
  return { ca: file('ca.pem'), serverCert: file('server.pem'), serverKey: file('server.key'), clientCert: file('client.pem'), clientKey: file('client.key') };
}
