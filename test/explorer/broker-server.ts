import net from 'node:net';
import type { Broker, BrokerHooks, Principal } from '../../main/broker';

/** Username `acme` logs in as a device of account acme (topics under `$a/acme/`); others are anonymous. */
function principalFor(username: string | undefined): Principal {
  if (username === 'acme')
    return { kind: 'device', accountId: 'acme', accountName: 'acme', topicPrefix: '$a/acme/' };
  return { kind: 'anonymous', accountId: null, topicPrefix: '' };
}

export const allowAllHooks: BrokerHooks = {
  authenticate: async (c) => ({ ok: true, principal: principalFor(c.username) }),
  authorizePublish: async () => true as const,
  authorizeSubscribe: async () => true as const,
};

/** Serves the broker on a loopback TCP port. */
export async function serveBroker(broker: Broker): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((sock) => {
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
    broker.handleConnection(sock, {
      listener: {
        id: 'plain',
        kind: 'mqtt',
        host: '127.0.0.1',
        port: (server.address() as net.AddressInfo).port,
      },
      remoteAddress: sock.remoteAddress ?? '127.0.0.1',
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
