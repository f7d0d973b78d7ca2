import type { IncomingMessage, Server as HttpServer } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { createWebSocketStream, WebSocketServer } from 'ws';

/**
 * Another WebSocket service on the same listener (e.g. the resource API's native sockets). It is
 * asked about upgrades outside the MQTT path and returns true when it took the socket.
 */
export type UpgradeRoute = (req: IncomingMessage, socket: Socket, head: Buffer) => boolean;

const MQTT_SUBPROTOCOLS = ['mqtt', 'mqttv3.1'];
// The largest MQTT packet (256 MiB payload plus header).
const MAX_FRAME_BYTES = 268_435_460;

/**
 * Serves MQTT over WebSocket on one path of an http(s) server. Anything else is answered with
 * 404 (wrong path) or 400 (no MQTT subprotocol offered).
 */
export function attachWebSocket(
  server: HttpServer,
  path: string,
  onStream: (stream: Duplex, socket: Socket, req: IncomingMessage) => void,
  routes: readonly UpgradeRoute[] = [],
): WebSocketServer {
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_FRAME_BYTES,
    perMessageDeflate: false,
    handleProtocols: (offered) => MQTT_SUBPROTOCOLS.find((p) => offered.has(p)) ?? false,
  });
  server.on('request', (_req, res) => {
    res.writeHead(404, { 'content-type': 'text/plain' }).end(`MQTT over WebSocket is served on ${path}\n`);
  });
  server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    const requestPath = (req.url ?? '/').split('?')[0];
    if (requestPath !== path) {
      if (routes.some((route) => route(req, socket, head))) return;
      return refuse(socket, 404, 'Not Found', `MQTT over WebSocket is served on ${path}`);
    }
    const offered = (req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
    if (!offered.some((p) => MQTT_SUBPROTOCOLS.includes(p))) {
      return refuse(socket, 400, 'Bad Request', 'the WebSocket subprotocol must be mqtt (or mqttv3.1)');
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      ws.binaryType = 'nodebuffer';
      onStream(createWebSocketStream(ws), socket, req);
    });
  });
  return wss;
}

function refuse(socket: Socket, status: number, text: string, body: string): void {
  socket.end(
    `HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain\r\n` +
      `Content-Length: ${Buffer.byteLength(body) + 1}\r\n\r\n${body}\n`,
  );
  socket.once('error', () => {});
}
