import net from 'node:net';
import { type Broker, type BrokerOptions, createBroker } from '../../main/broker';
import type { ListenerKind } from '../../main/broker/hooks';

export interface TcpServer {
  server: net.Server;
  port: number;
  /** Drops every open socket, then closes the server. */
  close(): Promise<void>;
}

/** A TCP server on 127.0.0.1 and a free port that hands each socket to `onSocket` (with its own port). */
export async function serveTcp(onSocket: (socket: net.Socket, port: number) => void): Promise<TcpServer> {
  const sockets = new Set<net.Socket>();
  let port = 0;
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    onSocket(socket, port);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as net.AddressInfo).port;
  return {
    server,
    port,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export interface TestBroker {
  broker: Broker;
  port: number;
  /** `mqtt://127.0.0.1:<port>` */
  url: string;
  server: net.Server;
  /** Closes the broker, drops the sockets and closes the server. */
  close(): Promise<void>;
}

export interface ServeOptions {
  /** The listener kind the broker is told each connection came through (default `mqtt`). */
  kind?: ListenerKind;
  listenerId?: string;
}

/** Serves an existing broker on a plain TCP listener on 127.0.0.1 and a free port. */
export async function serveBroker(broker: Broker, options: ServeOptions = {}): Promise<TestBroker> {
  const kind = options.kind ?? 'mqtt';
  const tcp = await serveTcp((socket, port) =>
    broker.handleConnection(socket, {
      listener: { id: options.listenerId ?? 't', kind, host: '127.0.0.1', port },
      remoteAddress: socket.remoteAddress ?? '127.0.0.1',
    }),
  );
  return {
    broker,
    port: tcp.port,
    url: `mqtt://127.0.0.1:${tcp.port}`,
    server: tcp.server,
    close: async () => {
      await broker.close();
      await tcp.close();
    },
  };
}

/** The real broker engine (anonymous clients allowed unless `options` say otherwise) on a loopback port. */
export function startBroker(options: BrokerOptions = { allowAnonymous: true }): Promise<TestBroker> {
  return serveBroker(createBroker(options));
}
