import { EventEmitter } from 'node:events';
import net from 'node:net';
import tls from 'node:tls';
import mqttPacket, { type IPublishPacket, type Packet } from 'mqtt-packet';

export interface LiteConnectOptions {
  host: string;
  port: number;
  /** PEM CA chain: connect over TLS and verify the server against it. */
  ca?: string;
  /** TLS server name (default the host). */
  servername?: string;
  clientId: string;
  username?: string;
  password?: string;
  keepalive?: number;
  timeoutMs?: number;
}

/**
 * A small MQTT 3.1.1 client on `mqtt-packet` (a runtime dependency, unlike mqtt.js), enough for
 * the gateway simulator: QoS 0/1 publish, subscribe, unsubscribe, and QoS 1 acknowledgements.
 */
export class LiteClient extends EventEmitter<{
  message: [topic: string, payload: Buffer, qos: number];
  close: [];
}> {
  private nextId = 1;
  private readonly pending = new Map<number, (packet: Packet) => void>();
  closed = false;

  private constructor(private readonly socket: net.Socket) {
    super();
  }

  static connect(options: LiteConnectOptions): Promise<LiteClient> {
    const socket = options.ca
      ? tls.connect({
          host: options.host,
          port: options.port,
          ca: options.ca,
          servername: options.servername ?? (net.isIP(options.host) ? undefined : options.host),
        })
      : net.connect({ host: options.host, port: options.port });
    socket.setNoDelay(true);
    const client = new LiteClient(socket);
    const parser = mqttPacket.parser({ protocolVersion: 4 });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => fail(new Error('CONNACK timeout')), options.timeoutMs ?? 30_000);
      const fail = (err: Error) => {
        clearTimeout(timer);
        socket.destroy();
        reject(err);
      };
      let open = false;
      parser.on('packet', (packet: Packet) => {
        if (!open) {
          if (packet.cmd !== 'connack') return fail(new Error(`expected CONNACK, got ${packet.cmd}`));
          const code = packet.returnCode ?? 0;
          if (code !== 0) return fail(Object.assign(new Error(`connection refused (${code})`), { code }));
          open = true;
          clearTimeout(timer);
          resolve(client);
          return;
        }
        client.handle(packet);
      });
      parser.on('error', (err: Error) => fail(err));
      socket.on('data', (chunk) => parser.parse(chunk));
      socket.on('error', (err) => (open ? undefined : fail(err)));
      socket.on('close', () => {
        if (!open) fail(new Error('closed before CONNACK'));
        client.closed = true;
        for (const resolvePending of client.pending.values()) resolvePending({ cmd: 'disconnect' });
        client.pending.clear();
        client.emit('close');
      });
      socket.write(
        mqttPacket.generate({
          cmd: 'connect',
          protocolId: 'MQTT',
          protocolVersion: 4,
          clean: true,
          clientId: options.clientId,
          keepalive: options.keepalive ?? 60,
          username: options.username,
          password: options.password === undefined ? undefined : Buffer.from(options.password),
        }),
      );
    });
  }

  private handle(packet: Packet): void {
    if (packet.cmd === 'publish') {
      const p = packet as IPublishPacket;
      if (p.qos === 1) this.send({ cmd: 'puback', messageId: p.messageId });
      this.emit('message', p.topic, p.payload as Buffer, p.qos);
      return;
    }
    if ('messageId' in packet && packet.messageId !== undefined) {
      const resolve = this.pending.get(packet.messageId);
      if (resolve) {
        this.pending.delete(packet.messageId);
        resolve(packet);
      }
    }
  }

  private send(packet: Record<string, unknown>): boolean {
    if (this.closed) return false;
    return this.socket.write(mqttPacket.generate(packet as unknown as Packet));
  }

  private id(): number {
    const id = this.nextId;
    this.nextId = this.nextId >= 65535 ? 1 : this.nextId + 1;
    return id;
  }

  private await(id: number): Promise<Packet> {
    return new Promise((resolve) => this.pending.set(id, resolve));
  }

  /** QoS 0 resolves at once; QoS 1 when the PUBACK arrives (or the connection closes). */
  async publish(topic: string, payload: Buffer | string, qos: 0 | 1 = 0): Promise<void> {
    const body = typeof payload === 'string' ? Buffer.from(payload) : payload;
    if (qos === 0) {
      this.send({ cmd: 'publish', topic, payload: body, qos: 0, retain: false, dup: false });
      return;
    }
    const messageId = this.id();
    const acked = this.await(messageId);
    this.send({ cmd: 'publish', topic, payload: body, qos: 1, retain: false, dup: false, messageId });
    const reply = await acked;
    if (reply.cmd !== 'puback') throw new Error(`no PUBACK for ${topic}: connection closed`);
  }

  /** Returns the granted QoS per filter (0x80 = refused). */
  async subscribe(filters: string[], qos: 0 | 1 = 1): Promise<number[]> {
    const messageId = this.id();
    const acked = this.await(messageId);
    this.send({ cmd: 'subscribe', messageId, subscriptions: filters.map((topic) => ({ topic, qos })) });
    const reply = await acked;
    if (reply.cmd !== 'suback') throw new Error('no SUBACK: connection closed');
    return reply.granted as number[];
  }

  /** Whether the socket can take more right now (for rate-limited publishing). */
  get writable(): boolean {
    return !this.closed && this.socket.writableLength < 1 << 20;
  }

  end(): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      this.once('close', () => resolve());
      this.send({ cmd: 'disconnect' });
      this.socket.end();
    });
  }
}
