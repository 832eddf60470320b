/**
 * A node:http or node:https server bound to an address: listening, its port (port 0 picks one) and closing with its
 * connections.
 */
import type http from 'node:http';
import type https from 'node:https';
import type { AddressInfo } from 'node:net';

export class HttpListener {
  private constructor(private readonly server: http.Server | https.Server) {}

  /** Resolves once the port is bound; rejects when it cannot be (in use, bad address). */
  static async listen(server: http.Server | https.Server, port: number, address: string): Promise<HttpListener> {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, address, () => {
        server.off('error', reject);
        resolve();
      });
    });
    return new HttpListener(server);
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** Stops accepting new connections (idle keep-alive ones close); requests in progress carry on. */
  stopAccepting(): void {
    this.server.close();
    this.server.closeIdleConnections();
  }

  /** Stops accepting connections and closes the open ones. */
  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
  }
}
