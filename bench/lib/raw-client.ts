import net from 'node:net';
import {
  CONNACK,
  encodeConnect,
  encodeSubscribe,
  type FrameHandler,
  FrameScanner,
  SUBACK,
} from './mqtt-frames';

export interface RawClient {
  socket: net.Socket;
  /** Replaces the frame handler used after the handshake. */
  onFrame: FrameHandler;
}

/**
 * A raw MQTT 3.1.1 connection: CONNECT → CONNACK and optionally SUBSCRIBE → SUBACK, then every
 * incoming packet goes to `client.onFrame` undecoded.
 */
export function connectRaw(
  port: number,
  clientId: string,
  subscribe?: { topic: string; qos: 0 | 1 },
  host = '127.0.0.1',
  timeoutMs = 30_000,
): Promise<RawClient> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host, noDelay: true });
    const client: RawClient = { socket, onFrame: () => {} };
    let stage: 'connack' | 'suback' | 'open' = 'connack';
    const timer = setTimeout(() => fail(new Error(`handshake timeout (${stage})`)), timeoutMs);
    const fail = (err: Error) => {
      clearTimeout(timer);
      socket.destroy();
      reject(err);
    };
    const scanner = new FrameScanner((header, buf, start, end) => {
      const type = header >> 4;
      if (stage === 'open') return client.onFrame(header, buf, start, end);
      if (stage === 'connack' && type === CONNACK) {
        if (buf[start + 1] !== 0) return fail(new Error(`CONNACK return code ${buf[start + 1]}`));
        if (!subscribe) return open();
        stage = 'suback';
        socket.write(encodeSubscribe(subscribe.topic, subscribe.qos));
      } else if (stage === 'suback' && type === SUBACK) {
        open();
      }
    });
    const open = () => {
      stage = 'open';
      clearTimeout(timer);
      socket.off('error', fail);
      socket.on('error', () => {});
      resolve(client);
    };
    socket.on('data', (chunk) => scanner.push(chunk));
    socket.once('error', fail);
    socket.once('close', () => {
      if (stage !== 'open') fail(new Error(`closed during handshake (${stage})`));
    });
    socket.write(encodeConnect(clientId));
  });
}

const DISCONNECT = Buffer.from([0xe0, 0x00]);

/** Sends DISCONNECT and half-closes every client, then waits (briefly) for the sockets to close. */
export async function disconnectAll(clients: RawClient[], timeoutMs = 3000): Promise<void> {
  const closed = clients.map(
    (c) =>
      new Promise<void>((resolve) => {
        if (c.socket.destroyed) return resolve();
        c.socket.once('close', () => resolve());
        c.socket.end(DISCONNECT);
      }),
  );
  const timer = new Promise<void>((resolve) => setTimeout(resolve, timeoutMs).unref());
  await Promise.race([Promise.all(closed), timer]);
  for (const c of clients) c.socket.destroy();
}
