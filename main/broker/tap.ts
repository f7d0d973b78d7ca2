import type { Logger } from 'pino';
import type { Connection } from './connection';
import type { Message } from './message';
import { RateLimitedObservers } from './rate-limited-observers';
import type { QoS, TapEvent, TapOptions, TapPacketType } from './types';

/**
 * Live packet tap for the traffic explorer. With no observer, callers pay one boolean check
 * (`active`); with observers, each one is rate-limited per second and excess events are counted.
 */
export class TapHub {
  private readonly observers: RateLimitedObservers<TapEvent>;

  constructor(
    private readonly now: () => number,
    logger: Logger,
  ) {
    this.observers = new RateLimitedObservers(logger, 'tap observer');
  }

  get active(): boolean {
    return this.observers.active;
  }

  attach(fn: (e: TapEvent) => void, opts: TapOptions = {}): () => void {
    const handle = this.observers.add(fn, opts.maxEventsPerSecond ?? 2000);
    return () => handle.close();
  }

  /** Events dropped by rate limiting, summed over current observers. */
  get dropped(): number {
    return this.observers.dropped;
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
    this.observers.emit(now, () => {
      const event: TapEvent = {
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
      return event;
    });
  }
}
