import net from 'node:net';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import mqttPacket, { type Packet } from 'mqtt-packet';
import { waitFor } from './wait-for';

/** mqtt.js clients and a raw MQTT socket for tests against a real broker. */

export interface Received {
  topic: string;
  payload: Buffer;
  packet: mqtt.IPublishPacket;
}

/** Connects an mqtt.js client (no reconnects) and waits for CONNACK; `into` collects its messages. */
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

/** Collects messages an mqtt.js client receives. */
export function collect(client: MqttClient): Received[] {
  const out: Received[] = [];
  client.on('message', (topic, payload, packet) => out.push({ topic, payload, packet }));
  return out;
}

/** Ends clients at once (forced), ignoring those already gone or never made. */
export async function endAll(...clients: (MqttClient | undefined)[]): Promise<void> {
  await Promise.all(clients.map((c) => c?.endAsync(true).catch(() => {})));
}

let markers = 0;

/**
 * Proves an absence without sleeping: publishes a marker on `topic` (QoS 1) through `via` and waits until
 * `got` holds it. The broker routes in order, so whatever it had routed to that subscriber before has
 * arrived by then. The marker is taken out of `got` again, so assertions see only the real traffic.
 */
export async function passMarker(via: MqttClient, topic: string, got: Received[]): Promise<void> {
  const payload = `marker-${++markers}`;
  await via.publishAsync(topic, payload, { qos: 1 });
  const isMarker = (m: Received) => m.topic === topic && m.payload.toString() === payload;
  await waitFor(() => got.some(isMarker), `the marker ${payload} on ${topic}`);
  got.splice(got.findIndex(isMarker), 1);
}

/** A QoS 1 publish answered by the broker: proves the connection is still open; rejects if it closes. */
export function roundTrip(client: MqttClient, topic = 'round-trip'): Promise<void> {
  if (!client.connected) return Promise.reject(new Error('the client is not connected'));
  return new Promise((resolve, reject) => {
    const closed = () => reject(new Error('the connection closed before PUBACK'));
    client.once('close', closed);
    client.publishAsync(topic, 'ping', { qos: 1 }).then(
      () => {
        client.off('close', closed);
        resolve();
      },
      (err: Error) => {
        client.off('close', closed);
        reject(err);
      },
    );
  });
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

/** tryConnect that must succeed. */
export async function connectOk(url: string, opts: IClientOptions = {}): Promise<MqttClient> {
  const outcome = await tryConnect(url, opts);
  if (!outcome.ok) throw new Error(`connect refused: ${outcome.message} (${outcome.reasonCode})`);
  return outcome.client;
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

  /** Opens a connection and completes a plain CONNECT (clean start, no keep alive) for `clientId`. */
  static async connected(port: number, clientId: string, protocolVersion: 4 | 5 = 4): Promise<RawClient> {
    const raw = await RawClient.open(port, protocolVersion);
    raw.send(
      { cmd: 'connect', protocolId: 'MQTT', protocolVersion, clean: true, clientId, keepalive: 0 },
      protocolVersion,
    );
    await raw.next('connack');
    return raw;
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
    await waitFor(() => this.packets.some((p) => p.cmd === cmd), `${cmd} packet`, timeoutMs);
    const i = this.packets.findIndex((p) => p.cmd === cmd);
    return this.packets.splice(i, 1)[0] as Packet & Record<string, unknown>;
  }

  /** Round-trips a PINGREQ: everything the broker wrote to this connection before has then arrived. */
  async sync(protocolVersion = 4): Promise<void> {
    this.send({ cmd: 'pingreq' }, protocolVersion);
    await this.next('pingresp');
  }

  async waitClosed(timeoutMs = 5000): Promise<void> {
    await waitFor(() => this.closed, 'socket close', timeoutMs);
  }

  close(): void {
    this.socket.destroy();
  }
}
