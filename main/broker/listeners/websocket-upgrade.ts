import type { IncomingMessage, Server as HttpServer } from 'node:http';
import { isIP, type Socket } from 'node:net';
import { type WebSocket, WebSocketServer } from 'ws';

/** One WebSocket service on a listener, chosen by request path (MQTT on `/mqtt`; others may sit beside it). */
export interface UpgradeRoute {
  path: string;
  /** Subprotocols the route speaks, in preference order; the client must offer one of them. */
  subprotocols: string[];
  /** What the route serves, for the 404 page and refusal messages (e.g. "MQTT over WebSocket"). */
  description: string;
  onSocket(ws: WebSocket, req: IncomingMessage, socket: Socket): void;
}

/**
 * A WebSocket service that decides by itself which paths it serves (e.g. the resource API's native sockets,
 * one per resource path). Asked after the exact routes, behind the same Origin rule; true = it took the socket.
 */
export type UpgradeFallback = (req: IncomingMessage, socket: Socket, head: Buffer) => boolean;

export interface WebSocketUpgradeOptions {
  /** Largest WebSocket frame (and message) accepted; a larger one closes the connection at its header. */
  maxFrameBytes: number;
  /** A connection (after TLS, if any) that has not asked for an upgrade by then is closed. */
  upgradeTimeoutMs: number;
  /** The server is https: connections are timed from the end of the TLS handshake. */
  secure: boolean;
  /**
   * Browser origins allowed to open a WebSocket. Requests without `Origin` (devices, tools) always are, and
   * so are those whose Origin names the listener's own address as an IP or `localhost` (paho sends that):
   * no page can be served from there, and a DNS-rebinding page would carry its domain name instead.
   */
  originAllowed(origin: string): boolean;
  /** Services asked, in order, about paths no route serves. */
  fallbacks?: readonly UpgradeFallback[];
  /** Called for every refused upgrade (to log it). */
  onRefused(refusal: { status: number; why: string; remoteAddress: string; origin?: string }): void;
}

/**
 * The WebSocket side of a ws/wss listener: checks what applies to every upgrade (Origin), then hands
 * the socket to the route for its path. Anything else is answered with 404 (wrong path), 400 (no
 * subprotocol of the route offered) or 403 (browser origin not allowed).
 */
export class WebSocketUpgrade {
  private readonly routes = new Map<string, UpgradeRoute>();
  private readonly wss: WebSocketServer;
  /** Connections waiting for their upgrade request, with the timer that closes them. */
  private readonly waiting = new Map<Socket, { timer: NodeJS.Timeout; onClose: () => void }>();

  constructor(
    server: HttpServer,
    private readonly options: WebSocketUpgradeOptions,
  ) {
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: options.maxFrameBytes,
      perMessageDeflate: false,
      handleProtocols: (offered, req) => this.routeOf(req)?.subprotocols.find((p) => offered.has(p)) ?? false,
    });
    server.on('request', (req, res) => {
      res.writeHead(404, { 'content-type': 'text/plain' }).end(`${this.describeRoutes()}\n`);
      req.resume();
    });
    server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) =>
      this.upgrade(req, socket, head),
    );
    server.on(options.secure ? 'secureConnection' : 'connection', (socket: Socket) =>
      this.startClock(socket),
    );
  }

  /** Node's own HTTP timeouts never close a connection that sends nothing; this one does, as TCP's CONNECT timeout. */
  private startClock(socket: Socket): void {
    const timer = setTimeout(() => {
      this.stopClock(socket);
      socket.destroy();
    }, this.options.upgradeTimeoutMs);
    timer.unref();
    const onClose = () => this.stopClock(socket);
    this.waiting.set(socket, { timer, onClose });
    socket.once('close', onClose);
  }

  /** Upgraded or gone: nothing of the clock stays with the connection. */
  private stopClock(socket: Socket): void {
    const entry = this.waiting.get(socket);
    if (!entry) return;
    clearTimeout(entry.timer);
    socket.off('close', entry.onClose);
    this.waiting.delete(socket);
  }

  addRoute(route: UpgradeRoute): void {
    if (this.routes.has(route.path)) throw new Error(`the WebSocket path ${route.path} is already served`);
    this.routes.set(route.path, route);
  }

  close(): void {
    for (const { timer } of this.waiting.values()) clearTimeout(timer);
    this.waiting.clear();
    this.wss.close();
  }

  private upgrade(req: IncomingMessage, socket: Socket, head: Buffer): void {
    this.stopClock(socket);
    const origin = req.headers.origin;
    if (
      origin !== undefined &&
      !isOwnAddress(origin, req.headers.host) &&
      !this.options.originAllowed(origin)
    ) {
      this.refuse(req, socket, 403, 'Forbidden', `origin ${origin} is not allowed on this listener`);
      return;
    }
    const route = this.routeOf(req);
    if (!route) {
      if (this.options.fallbacks?.some((serve) => serve(req, socket, head))) return;
      this.refuse(req, socket, 404, 'Not Found', this.describeRoutes());
      return;
    }
    const offered = (req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
    if (!offered.some((p) => route.subprotocols.includes(p))) {
      const list = route.subprotocols.join(' or ');
      this.refuse(req, socket, 400, 'Bad Request', `the WebSocket subprotocol must be ${list}`);
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => route.onSocket(ws, req, socket));
  }

  private routeOf(req: IncomingMessage): UpgradeRoute | undefined {
    return this.routes.get((req.url ?? '/').split('?')[0]!);
  }

  private describeRoutes(): string {
    return [...this.routes.values()].map((r) => `${r.description} is served on ${r.path}`).join('; ');
  }

  private refuse(req: IncomingMessage, socket: Socket, status: number, text: string, body: string): void {
    this.options.onRefused({
      status,
      why: body,
      remoteAddress: socket.remoteAddress ?? 'unknown',
      ...(req.headers.origin === undefined ? {} : { origin: req.headers.origin }),
    });
    socket.once('error', () => {});
    socket.end(
      `HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain\r\n` +
        `Content-Length: ${Buffer.byteLength(body) + 1}\r\n\r\n${body}\n`,
    );
  }
}

/** Browser origins compare as scheme://host[:port], lower case, without a trailing slash. */
export function normalizeOrigin(origin: string): string {
  return origin.trim().replace(/\/+$/, '').toLowerCase();
}

const DEFAULT_PORTS: Record<string, string> = { 'http:': '80', 'ws:': '80', 'https:': '443', 'wss:': '443' };

/** Whether `origin` is the address the request was sent to (`Host`), and that address is an IP or localhost. */
export function isOwnAddress(origin: string, host: string | undefined): boolean {
  if (host === undefined) return false;
  try {
    const from = new URL(origin);
    const to = new URL(`http://${host}`);
    const hostname = from.hostname.replace(/^\[|\]$/g, '');
    if (isIP(hostname) === 0 && hostname !== 'localhost') return false;
    const fromPort = from.port || DEFAULT_PORTS[from.protocol];
    return from.hostname === to.hostname && (to.port === '' || to.port === fromPort);
  } catch {
    return false;
  }
}
