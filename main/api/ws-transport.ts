import type http from 'node:http';
import type { Logger } from 'pino';
import { type WebSocket, WebSocketServer } from 'ws';
import { type EventName, eventNames } from '../../preload/contract';
import {
  API_PATH,
  API_SUBPROTOCOL,
  CLOSE_UNAUTHORIZED,
  SUBSCRIBE_METHOD,
  TOKEN_SUBPROTOCOL_PREFIX,
  UNSUBSCRIBE_METHOD,
  type WireResponse,
} from '../../preload/contract/wire';
import type { Dispatch } from './dispatcher';
import type { EventBus } from './event-bus';
import { EventOutbox } from './event-outbox';
import { tokenMatches } from './operator-token';
import type { RequestGuard } from './request-guard';

const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;
const MAX_MESSAGE_BYTES = 32 * 1024 * 1024;

export interface WsTransportOptions {
  server: http.Server;
  /** The operator token now (it can be rotated while clients are connected). */
  token: () => string;
  guard: RequestGuard;
  dispatch: Dispatch;
  events: EventBus;
  logger: Logger;
}

export interface WsTransport {
  clientCount(): number;
  droppedEvents(): number;
  /** Closes every client that authenticated with a token other than the current one. */
  endStaleSessions(): void;
  close(): void;
}

const FORBIDDEN = 'HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n';

function presentedToken(protocols: Set<string>): string | undefined {
  for (const p of protocols)
    if (p.startsWith(TOKEN_SUBPROTOCOL_PREFIX)) return p.slice(TOKEN_SUBPROTOCOL_PREFIX.length);
  return undefined;
}

function toEventNames(params: unknown): EventName[] {
  const list = (params as { events?: unknown } | undefined)?.events;
  if (!Array.isArray(list)) return [];
  return list.filter((n): n is EventName => typeof n === 'string' && (eventNames as string[]).includes(n));
}

/** Serves the operator API over a token-protected WebSocket at `/api` of the headless HTTP server. */
export function attachWsTransport(options: WsTransportOptions): WsTransport {
  const { logger } = options;
  let droppedTotal = 0;
  const outboxes = new Set<EventOutbox>();
  const sessionTokens = new Map<WebSocket, string>();
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_MESSAGE_BYTES,
    handleProtocols: (protocols) => (protocols.has(API_SUBPROTOCOL) ? API_SUBPROTOCOL : false),
  });

  options.server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (!options.guard.hostAllowed(req) || !options.guard.originAllowed(req)) {
      logger.warn(
        { remoteAddress: req.socket.remoteAddress, host: req.headers.host, origin: req.headers.origin },
        'operator API connection refused: foreign Host or Origin',
      );
      socket.once('error', () => {});
      socket.end(FORBIDDEN);
      return;
    }
    if (url.pathname !== API_PATH) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
      return;
    }
    const protocols = new Set(
      String(req.headers['sec-websocket-protocol'] ?? '')
        .split(',')
        .map((p) => p.trim())
        .filter(Boolean),
    );
    const token = options.token();
    const authorized = tokenMatches(token, presentedToken(protocols));
    wss.handleUpgrade(req, socket, head, (ws) => {
      if (!authorized) {
        logger.warn(
          { remoteAddress: req.socket.remoteAddress },
          'operator API connection refused: wrong or missing token',
        );
        ws.close(CLOSE_UNAUTHORIZED, 'invalid operator token');
        return;
      }
      sessionTokens.set(ws, token);
      serveClient(ws, req.socket.remoteAddress ?? 'unknown');
    });
  });

  function serveClient(ws: WebSocket, remoteAddress: string): void {
    const actor = `operator@${remoteAddress}`;
    const outbox = new EventOutbox({
      send: (batch) => ws.send(JSON.stringify({ events: batch.events, dropped: batch.dropped })),
      writable: () => ws.bufferedAmount < MAX_BUFFERED_BYTES,
    });
    outboxes.add(outbox);
    const unsubscribe = options.events.subscribe((name, data) => outbox.push(name, data));
    const reply = (response: WireResponse) => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(response));
    };

    ws.on('message', async (raw) => {
      let message: { id?: unknown; method?: unknown; params?: unknown };
      try {
        message = JSON.parse(raw.toString());
      } catch {
        reply({ id: null, error: { code: 'BAD_REQUEST', message: 'Message is not valid JSON.' } });
        return;
      }
      const id = typeof message?.id === 'number' ? message.id : null;
      if (id === null || typeof message.method !== 'string') {
        reply({
          id,
          error: {
            code: 'BAD_REQUEST',
            message: 'Expected {"id": number, "method": string, "params"?: object}.',
          },
        });
        return;
      }
      if (message.method === SUBSCRIBE_METHOD || message.method === UNSUBSCRIBE_METHOD) {
        const names = toEventNames(message.params);
        if (message.method === SUBSCRIBE_METHOD) outbox.subscribe(names);
        else outbox.unsubscribe(names);
        reply({ id, result: { events: names } });
        return;
      }
      const outcome = await options.dispatch(message.method, message.params, { transport: 'ws', actor });
      reply(outcome.ok ? { id, result: outcome.result } : { id, error: outcome.error });
    });
    ws.on('close', () => {
      sessionTokens.delete(ws);
      droppedTotal += outbox.dropped;
      outboxes.delete(outbox);
      outbox.close();
      unsubscribe();
    });
    ws.on('error', (err) => logger.debug({ err }, 'operator API socket error'));
  }

  return {
    clientCount: () => wss.clients.size,
    droppedEvents: () => droppedTotal + [...outboxes].reduce((sum, o) => sum + o.dropped, 0),
    endStaleSessions: () => {
      // After the current tick, so the reply to the rotation request itself goes out first.
      setImmediate(() => {
        const current = options.token();
        for (const [ws, token] of sessionTokens) {
          if (token !== current) ws.close(CLOSE_UNAUTHORIZED, 'operator token rotated');
        }
      });
    },
    close: () => {
      for (const ws of wss.clients) ws.terminate();
      wss.close();
    },
  };
}
