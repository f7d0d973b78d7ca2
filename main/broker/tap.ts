import type { Logger } from 'pino';
import type { Connection } from './connection';
import type { Message } from './message';
import type { QoS, TapEvent, TapOptions, TapPacketType } from './types';

interface Observer {
  fn: (e: TapEvent) => void;
  maxPerSecond: number;
  windowStart: number;
  inWindow: number;
  dropped: number;
}

/**
 * Live packet tap for the traffic explorer. With no observer, callers pay one boolean check
 * (`active`); with observers, each one is rate-limited per second and excess events are counted.
 */
export class TapHub {
  active = false;
  private observers: Observer[] = [];

  constructor(
    private readonly now: () => number,
    private readonly logger: Logger,
  ) {}

  attach(fn: (e: TapEvent) => void, opts: TapOptions = {}): () => void {
    const observer: Observer = {
      fn,
      maxPerSecond: opts.maxEventsPerSecond ?? 2000,
      windowStart: 0,
      inWindow: 0,
      dropped: 0,
    };
    this.observers = [...this.observers, observer];
    this.active = true;
    return () => {
      this.observers = this.observers.filter((o) => o !== observer);
      this.active = this.observers.length > 0;
    };
  }

  /** Events dropped by rate limiting, summed over current observers. */
  get dropped(): number {
    return this.observers.reduce((n, o) => n + o.dropped, 0);
  }

  publish(
    conn: Connection,
    direction: 'in' | 'out',
    msg: Message,
    qos: QoS,
    retain: boolean,
    packetId: number,
    size: number,
  ): void {
    const topic = conn.prefix.length > 0 ? msg.topic.slice(conn.prefix.length) : msg.topic;
    this.emit(conn, direction, 'publish', size, (e) => {
      e.topic = topic;
      e.qos = qos;
      e.retain = retain;
      if (packetId > 0) e.packetId = packetId;
      e.payload = msg.payload;
      if (msg.properties) e.properties = msg.properties;
    });
  }

  control(conn: Connection, direction: 'in' | 'out', packet: Record<string, unknown>, size: number): void {
    this.emit(conn, direction, packet.cmd as TapPacketType, size, (e) => {
      if (typeof packet.messageId === 'number') e.packetId = packet.messageId;
      const rc = packet.reasonCode ?? packet.returnCode;
      if (typeof rc === 'number') e.reasonCode = rc;
      if (packet.cmd === 'publish') {
        e.topic = String(packet.topic);
        e.qos = packet.qos as QoS;
        e.retain = packet.retain === true;
        e.payload = packet.payload as Buffer;
        if (packet.properties) e.properties = packet.properties as TapEvent['properties'];
      }
      // Before CONNACK the connection has no client id yet; the CONNECT itself names it.
      if (packet.cmd === 'connect' && typeof packet.clientId === 'string') e.clientId = packet.clientId;
      if (packet.cmd === 'subscribe' && Array.isArray(packet.subscriptions)) {
        e.topic = (packet.subscriptions as { topic: string }[]).map((s) => s.topic).join(', ');
      }
    });
  }

  private emit(
    conn: Connection,
    direction: 'in' | 'out',
    type: TapPacketType,
    size: number,
    fill: (e: TapEvent) => void,
  ): void {
    const now = this.now();
    let event: TapEvent | undefined;
    for (const o of this.observers) {
      if (now - o.windowStart >= 1000) {
        o.windowStart = now;
        o.inWindow = 0;
      }
      if (o.inWindow >= o.maxPerSecond) {
        o.dropped++;
        continue;
      }
      o.inWindow++;
      if (event === undefined) {
        event = {
          time: now,
          direction,
          clientId: conn.clientId,
          listenerId: conn.listener.id,
          remoteAddress: conn.remoteAddress,
          type,
          size,
        };
        const accountName = conn.ref?.principal.accountName;
        if (accountName !== undefined) event.accountName = accountName;
        fill(event);
      }
      try {
        o.fn(event);
      } catch (err) {
        this.logger.warn({ err }, 'tap observer threw');
      }
    }
  }
}
