import type net from 'node:net';
import pino from 'pino';
import { type Broker, createBroker } from '../../main/broker';
import type { ListenerKind } from '../../main/broker/hooks';
import { serveBroker } from '../helpers/test-broker';
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
  const served = await serveBroker(broker, { kind });
  const entry = { kind, host: '127.0.0.1', port: served.port };
  fx.listeners.push(entry);
  return {
    broker,
    port: served.port,
    url: served.url,
    async close() {
      fx.listeners.splice(fx.listeners.indexOf(entry), 1);
      await served.close();
    },
  };
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
