import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import { type WebSocket, WebSocketServer } from 'ws';
import type { UpgradeFallback } from '../broker/listeners';
import type { ResourceAccess } from './access';
import { ResourceError } from './errors';
import type { ResourceHub } from './hub';
import type { ResourceKeys } from './keys';
import { isResourceTopic, parseResourceAddress, type ResourceAddress } from './paths';
import type { ResourceService } from './service';

/** Notifications beyond this many bytes waiting on one socket are dropped (and counted). */
const MAX_BUFFERED_BYTES = 1024 * 1024;
/** How often a socket re-checks that its key is still usable. */
const KEY_RECHECK_MS = 1000;

/** The key from `Authorization: <key>` (or `Bearer <key>`), else `?access_token=`. */
export function keyFrom(header: string | undefined, url: string): string | undefined {
  if (header) return header.replace(/^Bearer\s+/i, '').trim();
  const question = url.indexOf('?');
  return question < 0
    ? undefined
    : (new URLSearchParams(url.slice(question + 1)).get('access_token') ?? undefined);
}

/**
 * Native WebSockets per resource (`ws(s)://host/thngs/:id/properties/:key`) on the MQTT WebSocket
 * listeners: notifications arrive as JSON text frames; a frame sent by the client is a write.
 */
export class NativeSockets {
  private readonly wss: WebSocketServer;
  private open = 0;
  dropped = 0;

  constructor(
    private readonly service: ResourceService,
    private readonly keys: ResourceKeys,
    private readonly hub: ResourceHub,
    private readonly logger: Logger,
    private readonly limits: { maxPayloadBytes: number; maxNativeSockets: number },
  ) {
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: limits.maxPayloadBytes,
      perMessageDeflate: false,
    });
  }

  readonly route: UpgradeFallback = (req, socket, head) => {
    const url = req.url ?? '/';
    if (!isResourceTopic(url)) return false;
    let access: ResourceAccess;
    let address: ResourceAddress;
    try {
      if (this.open >= this.limits.maxNativeSockets)
        throw new ResourceError(413, 'too many resource sockets');
      access = this.keys.authenticate(keyFrom(req.headers.authorization, url), 'read');
      address = parseResourceAddress(url);
      this.service.checkReadable(access, address);
    } catch (err) {
      const status = err instanceof ResourceError ? (err.status === 401 ? 403 : err.status) : 500;
      refuse(
        socket,
        status === 413 ? 503 : status,
        err instanceof ResourceError ? err.message : 'internal error',
      );
      return true;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.serve(ws, req, access, address));
    return true;
  };

  count(): number {
    return this.open;
  }

  close(): void {
    for (const ws of this.wss.clients) ws.terminate();
    this.wss.close();
  }

  private serve(
    ws: WebSocket,
    req: IncomingMessage,
    initial: ResourceAccess,
    address: ResourceAddress,
  ): void {
    this.open++;
    let access: ResourceAccess | null = initial;
    let checkedAt = Date.now();
    const current = (): ResourceAccess | null => {
      if (access && Date.now() - checkedAt >= KEY_RECHECK_MS) {
        checkedAt = Date.now();
        access = this.keys.current(access.apiKeyId);
        if (!access) ws.close(1008, 'API key no longer usable');
      }
      return access;
    };
    const remote = req.socket.remoteAddress ?? 'unknown';
    const remove = this.hub.add({
      accountId: initial.accountId,
      channel: address.channel,
      project: this.service.projectOf(initial, address),
      protocol: 'ws',
      deliver: (_payload, text) => {
        if (!current() || ws.readyState !== ws.OPEN) return;
        if (ws.bufferedAmount > MAX_BUFFERED_BYTES) {
          this.dropped++;
          return;
        }
        ws.send(text);
      },
      describe: () => ({ who: `${initial.keyName} @ ${remote}`, topic: address.channel, count: 1 }),
    });
    ws.on('close', () => {
      this.open--;
      remove();
    });
    ws.on('error', () => ws.terminate());
    ws.on('message', (data, isBinary) => {
      const now = current();
      if (!now) return;
      try {
        let body: unknown;
        try {
          body = JSON.parse(isBinary ? Buffer.from(data as Buffer).toString('utf8') : String(data));
        } catch {
          throw new ResourceError(400, 'message is not valid JSON');
        }
        this.service.write(now, address, body);
      } catch (err) {
        const status = err instanceof ResourceError ? err.status : 500;
        if (!(err instanceof ResourceError)) this.logger.error({ err }, 'resource socket write failed');
        ws.send(
          JSON.stringify({ status, errors: [err instanceof ResourceError ? err.message : 'internal error'] }),
        );
      }
    });
    if (address.pubStates) {
      const state = this.service.currentState(initial, address);
      if (state !== undefined) ws.send(JSON.stringify(state));
    }
  }
}

function refuse(socket: Socket, status: number, message: string): void {
  const text =
    { 400: 'Bad Request', 403: 'Forbidden', 404: 'Not Found', 503: 'Service Unavailable' }[status] ?? 'Error';
  const body = JSON.stringify({ status, errors: [message] });
  socket.end(
    `HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
  socket.once('error', () => {});
}
