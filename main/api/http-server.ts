import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { Dispatch } from './dispatcher';
import type { EventBus } from './event-bus';
import { RequestGuard } from './request-guard';
import { serveStatic } from './static-files';
import { attachWsTransport, type WsTransport } from './ws-transport';

export type RouteHandler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

export interface HeadlessServerOptions {
  host: string;
  port: number;
  rendererDir: string;
  /** The operator token, or how to read it now when it can be rotated. */
  token: string | (() => string);
  /** Serve HTTPS with this certificate (chain) and key instead of plain HTTP. */
  tls?: { cert: string; key: string };
  dispatch: Dispatch;
  events: EventBus;
  logger: Logger;
  /** Extra plain-HTTP routes by exact path (e.g. the CRL download). */
  routes?: Record<string, RouteHandler>;
}

export interface HeadlessServer {
  readonly host: string;
  readonly port: number;
  readonly url: string;
  /** The UI's own origin, e.g. `https://127.0.0.1:7333`. */
  readonly origin: string;
  readonly ws: WsTransport;
  close(): Promise<void>;
}

function formatHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

/** The headless HTTP server: the built renderer, the operator API WebSocket, and a few plain routes. */
export async function startHeadlessServer(options: HeadlessServerOptions): Promise<HeadlessServer> {
  const guard = new RequestGuard(options.host, options.tls !== undefined);
  const handle = (req: http.IncomingMessage, res: http.ServerResponse) => {
    if (!guard.hostAllowed(req)) {
      options.logger.warn(
        { remoteAddress: req.socket.remoteAddress, host: req.headers.host },
        'operator UI request refused: foreign Host header',
      );
      res.writeHead(403, { 'Content-Type': 'text/plain' }).end('This host name is not served here.\n');
      return;
    }
    const pathname = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD' }).end();
      return;
    }
    if (pathname === '/healthz') {
      res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"ok":true}');
      return;
    }
    const route = options.routes?.[pathname];
    if (route) route(req, res);
    else serveStatic(options.rendererDir, req, res);
  };
  const server = options.tls
    ? https.createServer({ cert: options.tls.cert, key: options.tls.key }, handle)
    : http.createServer(handle);
  server.keepAliveTimeout = 5000;
  const token = options.token;
  const ws = attachWsTransport({
    ...options,
    server,
    guard,
    token: typeof token === 'string' ? () => token : token,
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const scheme = options.tls ? 'https' : 'http';
  const shownHost = formatHost(
    options.host === '0.0.0.0' || options.host === '::' ? '127.0.0.1' : options.host,
  );
  const origin = `${scheme}://${shownHost}:${address.port}`;
  return {
    host: options.host,
    port: address.port,
    url: `${origin}/`,
    origin,
    ws,
    close: () =>
      new Promise<void>((resolve) => {
        ws.close();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
