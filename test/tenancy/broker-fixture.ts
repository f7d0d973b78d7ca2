import net from 'node:net';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import pino from 'pino';
import { type Broker, createBroker } from '../../main/broker';
import type { ListenerKind } from '../../main/broker/hooks';
import type { TenancyFixture } from './helpers';

export interface TenancyBroker {
  broker: Broker;
  port: number;
  url: string;
  close(): Promise<void>;
}

/** The real broker with the tenancy hooks, behind a TCP server on 127.0.0.1 and a free port. */
export async function startTenancyBroker(
  fx: TenancyFixture,
  kind: ListenerKind = 'mqtt',
): Promise<TenancyBroker> {
  const broker = createBroker({ hooks: fx.tenancy.hooks, logger: pino({ level: 'silent' }) });
  fx.tenancy.attachBrokerEvents(broker);
  const sockets = new Set<net.Socket>();
  let port = 0;
  const server = net.createServer((sock) => {
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
    broker.handleConnection(sock, {
      listener: { id: 't', kind, host: '127.0.0.1', port },
      remoteAddress: sock.remoteAddress ?? '',
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as net.AddressInfo).port;
  const entry = { kind, host: '127.0.0.1', port };
  fx.listeners.push(entry);
  return {
    broker,
    port,
    url: `mqtt://127.0.0.1:${port}`,
    async close() {
      fx.listeners.splice(fx.listeners.indexOf(entry), 1);
      await broker.close();
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export type ConnectOutcome =
  | { ok: true; client: MqttClient }
  | { ok: false; reasonCode: number | undefined; message: string };

/** Connects with mqtt.js (MQTT 5 unless told otherwise) and reports CONNACK success or refusal. */
export function tryConnect(url: string, opts: IClientOptions = {}): Promise<ConnectOutcome> {
  return outcomeOf(
    mqtt.connect(url, { reconnectPeriod: 0, connectTimeout: 10_000, protocolVersion: 5, ...opts }),
  );
}

function outcomeOf(client: MqttClient): Promise<ConnectOutcome> {
  let reasonString: string | undefined;
  client.on('packetreceive', (packet) => {
    if (packet.cmd === 'connack') reasonString = packet.properties?.reasonString;
  });
  return new Promise((resolve) => {
    client.once('connect', () => resolve({ ok: true, client }));
    client.once('error', (err: Error & { code?: number }) => {
      client.end(true);
      const reasonCode = typeof err.code === 'number' ? err.code : undefined;
      resolve({
        ok: false,
        reasonCode,
        message: reasonString ? `${err.message}: ${reasonString}` : err.message,
      });
    });
    client.once('close', () =>
      resolve({ ok: false, reasonCode: undefined, message: 'closed before CONNACK' }),
    );
  });
}

export async function connectOk(url: string, opts: IClientOptions = {}): Promise<MqttClient> {
  const outcome = await tryConnect(url, opts);
  if (!outcome.ok) throw new Error(`connect refused: ${outcome.message} (${outcome.reasonCode})`);
  return outcome.client;
}

export async function endAll(...clients: (MqttClient | undefined)[]): Promise<void> {
  await Promise.all(clients.map((c) => c?.endAsync(true).catch(() => {})));
}

/** Resolves with the reason of the server's DISCONNECT (or close) of a connected client. */
export function disconnectedBy(client: MqttClient): Promise<{ reasonCode?: number; reasonString?: string }> {
  return new Promise((resolve) => {
    client.once('disconnect', (packet) =>
      resolve({ reasonCode: packet.reasonCode, reasonString: packet.properties?.reasonString }),
    );
    client.once('close', () => resolve({}));
  });
}

/** Adds a real MQTT-over-WebSocket listener (kind `ws`) in front of the same broker. */
export async function addWebSocketListener(
  fx: TenancyFixture,
  tb: TenancyBroker,
): Promise<{ url: string; close(): Promise<void> }> {
  const { WebSocketServer, createWebSocketStream } = await import('ws');
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, handleProtocols: () => 'mqtt' });
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
  const port = (wss.address() as net.AddressInfo).port;
  wss.on('connection', (socket, req) => {
    tb.broker.handleConnection(createWebSocketStream(socket), {
      listener: { id: 'ws', kind: 'ws', host: '127.0.0.1', port },
      remoteAddress: req.socket.remoteAddress ?? '',
    });
  });
  const entry = { kind: 'ws' as const, host: '127.0.0.1', port };
  fx.listeners.push(entry);
  return {
    url: `ws://127.0.0.1:${port}/mqtt`,
    async close() {
      fx.listeners.splice(fx.listeners.indexOf(entry), 1);
      for (const client of wss.clients) client.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}

/** Like tryConnect, but from a chosen local (loopback) address. */
export function tryConnectFrom(
  localAddress: string,
  port: number,
  opts: IClientOptions,
): Promise<ConnectOutcome> {
  const client = new mqtt.MqttClient(() => net.connect({ host: '127.0.0.1', port, localAddress }), {
    reconnectPeriod: 0,
    connectTimeout: 10_000,
    protocolVersion: 5,
    ...opts,
  });
  return outcomeOf(client);
}
