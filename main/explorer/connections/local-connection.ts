import type { Logger } from 'pino';
import { accountPrefix, splitAccount, topicMatches } from '../topic-match';
import type {
  FlowMessage,
  FlowPacket,
  LocalBrokerSource,
  LocalDisconnect,
  LocalRoutedMessage,
  LocalTapEvent,
} from '../types';

/** Packet inspector budget (packets in and out, fan-out included). */
export const LOCAL_TAP_MAX_EVENTS_PER_SECOND = 100_000;
/** Topic tree / history budget: routed messages only, so fan-out never counts against it. */
export const LOCAL_ROUTED_MAX_MESSAGES_PER_SECOND = 50_000;
const PENDING_CONNECT_MS = 10_000;

export interface LocalSink {
  message(message: FlowMessage): void;
  packet(packet: FlowPacket): void;
  /** A message the broker holds as retained, listed when the tap attaches (may already be known). */
  retained?(message: FlowMessage): void;
}

/**
 * The embedded broker as the `local` connection. The topic tree and history are fed with the
 * messages the broker routed (what subscribers get, never refused publishes); the packet inspector
 * reads the raw packet tap. Each is attached only while something needs it, so idle costs nothing.
 */
export class LocalConnection {
  private detach: (() => void) | undefined;
  private routed: { close(): void; readonly dropped: number } | undefined;
  private detachTap: (() => void) | undefined;
  /** Messages missed over budget by earlier attachments (the current one counts its own). */
  private droppedBefore = 0;
  private packetsWanted = false;
  /**
   * The tap reports CONNECT before the broker knows the client id; hold it until the CONNACK to the
   * same listener and address names the client (FIFO per address), then emit both in order.
   */
  private readonly pendingConnects = new Map<string, FlowPacket[]>();
  private seeded = false;

  constructor(
    private readonly broker: LocalBrokerSource,
    private readonly sink: LocalSink,
    private readonly logger: Logger,
  ) {}

  get attached(): boolean {
    return this.detach !== undefined;
  }

  /** Routed messages the explorer did not record because they came faster than its budget. */
  get dropped(): number {
    return this.droppedBefore + (this.routed?.dropped ?? 0);
  }

  get wantPackets(): boolean {
    return this.packetsWanted;
  }

  /** Packet summaries (inspector, captures with packets): the packet tap is attached only for these. */
  set wantPackets(want: boolean) {
    this.packetsWanted = want;
    this.updateTap();
  }

  setWatching(watching: boolean): void {
    if (watching && !this.detach) {
      const routed = this.broker.routed.attach((m) => this.onRouted(m), {
        maxMessagesPerSecond: LOCAL_ROUTED_MAX_MESSAGES_PER_SECOND,
      });
      this.routed = routed;
      const detachEvents = this.broker.events?.on('client.disconnected', (e) => this.onDisconnected(e));
      this.detach = () => {
        this.droppedBefore += routed.dropped;
        routed.close();
        this.routed = undefined;
        detachEvents?.();
      };
      this.logger.debug('explorer attached to the broker');
      if (!this.seeded) {
        this.seeded = true;
        void this.seedRetained();
      }
    } else if (!watching && this.detach) {
      this.detach();
      this.detach = undefined;
      this.logger.debug('explorer detached from the broker');
    }
    this.updateTap();
  }

  private updateTap(): void {
    const want = this.packetsWanted && this.detach !== undefined;
    if (want && !this.detachTap) {
      this.detachTap = this.broker.tap.attach((e) => this.onTap(e), {
        maxEventsPerSecond: LOCAL_TAP_MAX_EVENTS_PER_SECOND,
      });
    } else if (!want && this.detachTap) {
      this.detachTap();
      this.detachTap = undefined;
      this.pendingConnects.clear();
    }
  }

  async publish(
    topic: string,
    account: string | undefined,
    payload: Buffer,
    opts: { qos: 0 | 1 | 2; retain: boolean; properties?: Record<string, unknown> },
  ): Promise<void> {
    const message = {
      topic,
      payload,
      qos: opts.qos,
      retain: opts.retain,
      ...(opts.properties ? { properties: opts.properties } : {}),
    };
    // The broker reports it back as a routed message (client id `(broker)`) like any other.
    await this.broker.publish(message, { topicPrefix: accountPrefix(account) });
  }

  /** Internal topics of retained messages matching `filter` as `account` sees it. */
  async retainedTopics(filter: string, account: string | undefined): Promise<string[]> {
    const internal = accountPrefix(account) + filter;
    const entries = await this.broker.retained(internal);
    const topics: string[] = [];
    for (const entry of entries) {
      if (entry.payload.length > 0 && topicMatches(internal, entry.topic)) topics.push(entry.topic);
    }
    return topics.sort();
  }

  close(): void {
    this.setWatching(false);
  }

  private async seedRetained(): Promise<void> {
    try {
      for (const entry of await this.broker.retained()) {
        if (entry.payload.length === 0) continue;
        const message: FlowMessage = {
          connectionId: 'local',
          topic: entry.topic,
          payload: entry.payload,
          qos: entry.qos,
          retain: true,
          time: entry.storedAt ?? Date.now(),
          ...(entry.properties ? { properties: entry.properties as Record<string, unknown> } : {}),
        };
        if (this.sink.retained) this.sink.retained(message);
        else this.sink.message(message);
      }
    } catch (err) {
      this.logger.warn({ err }, 'explorer could not list retained messages');
    }
  }

  private onRouted(m: LocalRoutedMessage): void {
    const message: FlowMessage = {
      connectionId: 'local',
      topic: m.topic,
      payload: m.payload,
      qos: m.qos,
      retain: m.retain,
      time: m.time,
      clientId: m.clientId,
    };
    if (m.properties && Object.keys(m.properties).length > 0)
      message.properties = m.properties as Record<string, unknown>;
    this.sink.message(message);
  }

  private onTap(e: LocalTapEvent): void {
    const topic = e.topic === undefined ? undefined : internalTopic(e.topic, e.accountName);
    const packet: FlowPacket = {
      time: e.time,
      direction: e.direction,
      clientId: e.clientId,
      listenerId: e.listenerId,
      remoteAddress: e.remoteAddress,
      type: e.type,
      size: e.size,
    };
    if (e.accountName !== undefined) packet.account = e.accountName;
    if (e.type === 'subscribe' || e.type === 'unsubscribe') {
      if (e.topic) packet.filters = e.topic.split(', ');
    } else if (topic !== undefined) packet.topic = topic;
    if (e.qos !== undefined) packet.qos = e.qos;
    if (e.retain !== undefined) packet.retain = e.retain;
    if (e.packetId !== undefined) packet.packetId = e.packetId;
    if (e.reasonCode !== undefined) packet.reasonCode = e.reasonCode;
    if (e.payload) packet.payload = e.payload;
    if (e.properties) packet.properties = e.properties as Record<string, unknown>;
    this.emitPacket(packet);
  }

  /** A connection ended for a reason other than the client's DISCONNECT: record it as a `closed` entry. */
  private onDisconnected(e: LocalDisconnect): void {
    if (!this.wantPackets || e.cause === 'normal') return;
    const packet: FlowPacket = {
      time: Date.now(),
      direction: 'in',
      clientId: e.client.clientId,
      listenerId: e.client.listener.id,
      remoteAddress: e.client.remoteAddress,
      type: 'closed',
      size: 0,
      cause: e.cause,
    };
    if (e.client.principal.accountName !== undefined) packet.account = e.client.principal.accountName;
    if (e.reasonCode !== undefined) packet.reasonCode = e.reasonCode;
    this.sink.packet(packet);
  }

  private emitPacket(packet: FlowPacket): void {
    const key = `${packet.listenerId}|${packet.remoteAddress}`;
    if (packet.type === 'connect' && packet.direction === 'in' && packet.clientId === '') {
      const queue = this.pendingConnects.get(key) ?? [];
      queue.push(packet);
      this.pendingConnects.set(key, queue);
      this.flushStaleConnects(packet.time);
      return;
    }
    if (packet.type === 'connack' && packet.direction === 'out') {
      const queue = this.pendingConnects.get(key);
      const connect = queue?.shift();
      if (queue && queue.length === 0) this.pendingConnects.delete(key);
      if (connect) this.sink.packet({ ...connect, clientId: packet.clientId });
    }
    this.sink.packet(packet);
  }

  private flushStaleConnects(now: number): void {
    for (const [key, queue] of this.pendingConnects) {
      while (queue.length > 0 && now - (queue[0] as FlowPacket).time > PENDING_CONNECT_MS) {
        this.sink.packet(queue.shift() as FlowPacket);
      }
      if (queue.length === 0) this.pendingConnects.delete(key);
    }
  }
}

/** The tap reports topics as the client sees them; tenant topics get their `$a/<account>/` prefix back. */
function internalTopic(topic: string, accountName: string | undefined): string {
  if (!accountName || splitAccount(topic).account !== undefined) return topic;
  return accountPrefix(accountName) + topic;
}
