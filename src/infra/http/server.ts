/**
 * The one HTTP listener: probes and metrics beside GraphQL (HTTP, SSE, and graphql-ws through
 * the upgrade). It knows nothing about GraphQL; it is handed a request listener and an attach hook.
 * A process without the api serves only the probes and metrics (its METRICS_PORT).
 */
import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type HealthRoutes = Readonly<{
  healthz(): Promise<{ ok: boolean }>;
  readyz(): Promise<{ ok: boolean; checks: Record<string, boolean> }>;
  metrics(): Promise<{ contentType: string; body: string }>;
}>;

export type HttpServerOptions = Readonly<{
  port: number;
  host?: string | undefined;
  /** Handles everything that is not a probe (yoga is a node request listener); without it, 404. */
  yoga?: ((req: IncomingMessage, res: ServerResponse) => unknown) | undefined;
  attachWebSocket?: ((server: Server) => { dispose(): Promise<void> }) | undefined;
  routes: HealthRoutes;
  /** When `port` is taken, listen on a free one instead of failing (the caller logs where). */
  portFallback?: boolean | undefined;
}>;

export type RunningHttpServer = Readonly<{ url: string; port: number; close(): Promise<void> }>;

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

const notFound = (_req: IncomingMessage, res: ServerResponse): void => sendJson(res, 404, { error: 'not found' });

function probes(routes: HealthRoutes, fallback: NonNullable<HttpServerOptions['yoga']>): RequestListener {
  const answer = async (path: string, res: ServerResponse): Promise<boolean> => {
    if (path === '/healthz') {
      const health = await routes.healthz();
      sendJson(res, health.ok ? 200 : 503, health);
    } else if (path === '/readyz') {
      const ready = await routes.readyz();
      sendJson(res, ready.ok ? 200 : 503, ready);
    } else if (path === '/metrics') {
      const metrics = await routes.metrics();
      res.writeHead(200, { 'content-type': metrics.contentType });
      res.end(metrics.body);
    } else {
      return false;
    }
    return true;
  };
  return (req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    answer(path, res).then(
      (handled) => {
        if (!handled) void fallback(req, res);
      },
      // A failing probe is an answer too: not ready, with the reason.
      (error: unknown) => sendJson(res, 503, { ok: false, error: (error as Error).message }),
    );
  };
}

export async function startHttpServer(options: HttpServerOptions): Promise<RunningHttpServer> {
  const server = createServer(probes(options.routes, options.yoga ?? notFound));
  const ws = options.attachWebSocket?.(server);
  const listen = (port: number) =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, options.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  await listen(options.port).catch((error: NodeJS.ErrnoException) => {
    if (!options.portFallback || error.code !== 'EADDRINUSE') throw error;
    return listen(0);
  });
  const { port, address, family } = server.address() as AddressInfo;
  const host = family === 'IPv6' ? `[${address === '::' ? '::1' : address}]` : address === '0.0.0.0' ? '127.0.0.1' : address;
  return {
    url: `http://${host}:${port}`,
    port,
    close: async () => {
      await ws?.dispose();
      const closed = new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
      // SSE streams and keep-alive sockets would hold close() open indefinitely.
      server.closeAllConnections();
      await closed;
    },
  };
}
