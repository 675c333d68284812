import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Handler = () => Promise<{ status: number; body: string; contentType?: string }>;

/** A tiny HTTP server for probes and metrics: GET only, fixed routes, nothing else. */
export class HttpEndpoints {
  private server: Server | undefined;

  constructor(private readonly routes: Record<string, Handler>) {}

  /** `address` is host:port or :port (all interfaces). Returns the bound port. */
  async listen(address: string): Promise<number> {
    const { host, port } = splitAddress(address);
    const server = createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0] ?? '/';
      const handler = this.routes[path];
      if (req.method !== 'GET' || handler === undefined) {
        res.writeHead(req.method === 'GET' ? 404 : 405).end();
        return;
      }
      handler().then(
        ({ status, body, contentType }) => {
          res
            .writeHead(status, { 'Content-Type': contentType ?? 'text/plain; charset=utf-8' })
            .end(body);
        },
        (err: unknown) => {
          res.writeHead(500).end(err instanceof Error ? err.message : 'error');
        },
      );
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        resolve();
      });
    });
    return (server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) =>
      server.close(() => {
        resolve();
      }),
    );
  }
}

function splitAddress(address: string): { host: string | undefined; port: number } {
  const i = address.lastIndexOf(':');
  const host = address.slice(0, i).replace(/^\[|\]$/g, '');
  return { host: host === '' ? undefined : host, port: Number(address.slice(i + 1)) };
}
