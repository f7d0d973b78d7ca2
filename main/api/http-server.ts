import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { Dispatch } from './dispatcher';
import type { EventBus } from './event-bus';
import { serveStatic } from './static-files';
import { attachWsTransport, type WsTransport } from './ws-transport';

export type RouteHandler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

export interface HeadlessServerOptions {
  host: string;
  port: number;
  rendererDir: string;
  token: string;
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
  readonly ws: WsTransport;
  close(): Promise<void>;
}

function formatHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

/** The headless HTTP server: the built renderer, the operator API WebSocket, and a few plain routes. */
export async function startHeadlessServer(options: HeadlessServerOptions): Promise<HeadlessServer> {
  const server = http.createServer((req, res) => {
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
  });
  server.keepAliveTimeout = 5000;
  const ws = attachWsTransport({ server, ...options });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const url = `http://${formatHost(options.host === '0.0.0.0' || options.host === '::' ? '127.0.0.1' : options.host)}:${address.port}/`;
  return {
    host: options.host,
    port: address.port,
    url,
    ws,
    close: () =>
      new Promise<void>((resolve) => {
        ws.close();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
