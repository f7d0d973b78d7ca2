import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import mqttPacket, { type Packet } from 'mqtt-packet';
import { type Broker, type BrokerOptions, createBroker } from '../../main/broker';

export interface TestBroker {
  broker: Broker;
  port: number;
  url: string;
  server: net.Server;
  close(): Promise<void>;
}

/** A broker behind a plain TCP server on 127.0.0.1 and a free port. */
export async function startBroker(options: BrokerOptions = { allowAnonymous: true }): Promise<TestBroker> {
  const broker = createBroker(options);
  return listen(broker);
}

export async function listen(broker: Broker): Promise<TestBroker> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((sock) => {
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
    broker.handleConnection(sock, {
      listener: {
        id: 't',
        kind: 'mqtt',
        host: '127.0.0.1',
        port: (server.address() as net.AddressInfo).port,
      },
      remoteAddress: sock.remoteAddress ?? '127.0.0.1',
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    broker,
    port,
    url: `mqtt://127.0.0.1:${port}`,
    server,
    async close() {
      await broker.close();
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export function tmpDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'fb-'));
}

/** Connects an mqtt.js client and waits for CONNACK. */
export async function connect(
  url: string,
  opts: IClientOptions = {},
  into?: Received[],
): Promise<MqttClient> {
  const client = mqtt.connect(url, { reconnectPeriod: 0, connectTimeout: 5000, ...opts });
  if (into) client.on('message', (topic, payload, packet) => into.push({ topic, payload, packet }));
  await new Promise<void>((resolve, reject) => {
    client.once('connect', () => resolve());
    client.once('error', reject);
    client.once('close', () => reject(new Error('closed before connect')));
  });
  return client;
}

export async function end(...clients: MqttClient[]): Promise<void> {
  await Promise.all(clients.map((c) => c.endAsync(true).catch(() => {})));
}

/** Polls until `cond` is true, failing after `timeoutMs`. */
export async function waitFor(cond: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export interface Received {
  topic: string;
  payload: Buffer;
  packet: mqtt.IPublishPacket;
}

/** Collects messages an mqtt.js client receives. */
export function collect(client: MqttClient): Received[] {
  const out: Received[] = [];
  client.on('message', (topic, payload, packet) => out.push({ topic, payload, packet }));
  return out;
}

export const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A raw MQTT connection for edge cases: sends generated packets, parses replies. */
export class RawClient {
  readonly packets: Packet[] = [];
  /** Everything received, for packets mqtt-packet's client-side parser rejects. */
  received = Buffer.alloc(0);
  closed = false;
  private readonly parser;

  private constructor(
    readonly socket: net.Socket,
    protocolVersion: number,
  ) {
    this.parser = mqttPacket.parser({ protocolVersion: protocolVersion as 4 | 5 });
    this.parser.on('packet', (p: Packet) => this.packets.push(p));
    this.parser.on('error', () => {});
    socket.on('data', (d: Buffer) => {
      this.received = Buffer.concat([this.received, d]);
      this.parser.parse(d);
    });
    socket.on('close', () => {
      this.closed = true;
    });
    socket.on('error', () => {});
  }

  static async open(port: number, protocolVersion = 4): Promise<RawClient> {
    const socket = net.connect(port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    return new RawClient(socket, protocolVersion);
  }

  send(packet: Record<string, unknown>, protocolVersion = 4): void {
    this.socket.write(
      mqttPacket.generate(packet as unknown as Packet, { protocolVersion: protocolVersion as 4 | 5 }),
    );
  }

  sendRaw(bytes: Buffer | number[]): void {
    this.socket.write(Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes));
  }

  async next(cmd: string, timeoutMs = 5000): Promise<Packet & Record<string, unknown>> {
    await waitFor(() => this.packets.some((p) => p.cmd === cmd), timeoutMs, `${cmd} packet`);
    const i = this.packets.findIndex((p) => p.cmd === cmd);
    return this.packets.splice(i, 1)[0] as Packet & Record<string, unknown>;
  }

  async waitClosed(timeoutMs = 5000): Promise<void> {
    await waitFor(() => this.closed, timeoutMs, 'socket close');
  }

  close(): void {
    this.socket.destroy();
  }
}
