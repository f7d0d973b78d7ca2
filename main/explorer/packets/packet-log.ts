import crypto from 'node:crypto';
import type { z } from 'zod';
import type { ExplorerPacket, timelineEntrySchema } from '../../../preload/contract/explorer';
import { reasonText } from '../connections/reason-codes';
import { splitAccount } from '../topic-match';
import type { FlowPacket } from '../types';
import { compilePacketFilter, type PacketFilter } from './packet-filter';
import { Ring } from './packet-ring';

export const MAX_PACKETS_PER_BATCH = 500;

type TimelineEntry = z.output<typeof timelineEntrySchema>;

interface Subscription {
  id: string;
  connectionId: string;
  match: (p: ExplorerPacket) => boolean;
  batch: ExplorerPacket[];
  dropped: number;
}

export interface PacketBatch {
  subscriptionId: string;
  connectionId: string;
  packets: ExplorerPacket[];
  dropped: number;
}

const CLOSE_CAUSES: Record<string, string> = {
  'socket-error': 'the network connection dropped without a DISCONNECT',
  keepalive: 'no packet within the keep-alive interval',
  takeover: 'another connection took over the client id',
  'protocol-error': 'the client broke the MQTT protocol',
  server: 'closed by the broker',
  'connect-timeout': 'no CONNECT in time after the socket opened',
};

const FAILURE_TYPES = new Set(['connack', 'puback', 'pubrec', 'pubcomp', 'disconnect', 'suback', 'unsuback']);

/**
 * Live packet log: per-connection ring for timelines, and filtered, bounded batches per subscriber.
 */
export class PacketLog {
  private readonly subs = new Map<string, Subscription>();
  private readonly rings = new Map<string, Ring<ExplorerPacket>>();
  private seq = 0;

  constructor(
    private readonly onSubscribersChanged: (connectionId: string, count: number) => void,
    private readonly ringSize = 20_000,
  ) {}

  subscribe(connectionId: string, filter: PacketFilter): string {
    const id = crypto.randomUUID();
    this.subs.set(id, { id, connectionId, match: compilePacketFilter(filter), batch: [], dropped: 0 });
    this.onSubscribersChanged(connectionId, this.countFor(connectionId));
    return id;
  }

  update(id: string, filter: PacketFilter): boolean {
    const sub = this.subs.get(id);
    if (!sub) return false;
    sub.match = compilePacketFilter(filter);
    return true;
  }

  unsubscribe(id: string): boolean {
    const sub = this.subs.get(id);
    if (!sub) return false;
    this.subs.delete(id);
    this.onSubscribersChanged(sub.connectionId, this.countFor(sub.connectionId));
    return true;
  }

  countFor(connectionId: string): number {
    let n = 0;
    for (const sub of this.subs.values()) if (sub.connectionId === connectionId) n++;
    return n;
  }

  record(connectionId: string, flow: FlowPacket, mqttVersion: 3 | 4 | 5 = 5): ExplorerPacket {
    const packet = toRecord(++this.seq, flow, mqttVersion);
    let ring = this.rings.get(connectionId);
    if (!ring) {
      ring = new Ring(this.ringSize);
      this.rings.set(connectionId, ring);
    }
    ring.push(packet);
    for (const sub of this.subs.values()) {
      if (sub.connectionId !== connectionId || !sub.match(packet)) continue;
      if (sub.batch.length < MAX_PACKETS_PER_BATCH) sub.batch.push(packet);
      else sub.dropped++;
    }
    return packet;
  }

  /** Batches collected since the last call (one per subscription with something to send). */
  takeBatches(): PacketBatch[] {
    const out: PacketBatch[] = [];
    for (const sub of this.subs.values()) {
      if (sub.batch.length === 0 && sub.dropped === 0) continue;
      out.push({
        subscriptionId: sub.id,
        connectionId: sub.connectionId,
        packets: sub.batch,
        dropped: sub.dropped,
      });
      sub.batch = [];
      sub.dropped = 0;
    }
    return out;
  }

  timeline(
    connectionId: string,
    clientId: string,
    limit: number,
  ): { entries: TimelineEntry[]; truncated: boolean } {
    const entries: TimelineEntry[] = [];
    let truncated = false;
    for (const packet of this.rings.get(connectionId)?.values() ?? []) {
      if (packet.clientId !== clientId) continue;
      if (packet.type === 'pingreq' || packet.type === 'pingresp') continue;
      entries.push(timelineEntry(packet));
      if (entries.length > limit) {
        entries.shift();
        truncated = true;
      }
    }
    return { entries, truncated };
  }

  dropConnection(connectionId: string): void {
    this.rings.delete(connectionId);
    for (const sub of [...this.subs.values()])
      if (sub.connectionId === connectionId) this.unsubscribe(sub.id);
  }
}

function toRecord(seq: number, f: FlowPacket, mqttVersion: 3 | 4 | 5): ExplorerPacket {
  const record: ExplorerPacket = {
    seq,
    time: f.time,
    direction: f.direction,
    clientId: f.clientId,
    type: f.type,
    size: f.size,
  };
  const topicParts = f.topic !== undefined ? splitAccount(f.topic) : undefined;
  const account = f.account ?? topicParts?.account;
  if (account !== undefined) record.account = account;
  if (f.listenerId !== undefined) record.listenerId = f.listenerId;
  if (f.remoteAddress !== undefined) record.remoteAddress = f.remoteAddress;
  if (topicParts) record.topic = topicParts.displayTopic;
  if (f.qos !== undefined) record.qos = f.qos;
  if (f.retain !== undefined) record.retain = f.retain;
  if (f.packetId !== undefined) record.packetId = f.packetId;
  if (f.reasonCodes) record.reasonCodes = f.reasonCodes;
  if (f.filters) record.filters = f.filters;
  if (f.reasonCode !== undefined) {
    record.reasonCode = f.reasonCode;
    const failed = f.type === 'connack' ? f.reasonCode !== 0 : f.reasonCode >= 0x80;
    if (failed && FAILURE_TYPES.has(f.type))
      record.reason = reasonText(f.reasonCode, mqttVersion, f.type === 'connack');
    else if (f.type === 'disconnect' && f.reasonCode !== 0) record.reason = reasonText(f.reasonCode);
  }
  if (f.cause !== undefined) record.reason = CLOSE_CAUSES[f.cause] ?? f.cause;
  return record;
}

function timelineEntry(p: ExplorerPacket): TimelineEntry {
  const kinds: Record<string, TimelineEntry['kind']> = {
    connect: 'connect',
    connack: 'connack',
    subscribe: 'subscribe',
    suback: 'suback',
    unsubscribe: 'unsubscribe',
    publish: 'publish',
    disconnect: 'disconnect',
    closed: 'disconnect',
  };
  const kind = kinds[p.type] ?? 'other';
  let summary: string;
  switch (kind) {
    case 'connect':
      summary = `CONNECT from ${p.remoteAddress ?? 'client'}${p.listenerId ? ` on ${p.listenerId}` : ''}`;
      break;
    case 'connack':
      summary = p.reasonCode ? `CONNACK refused: ${p.reason ?? p.reasonCode}` : 'CONNACK accepted';
      break;
    case 'subscribe':
      summary = `SUBSCRIBE ${(p.filters ?? []).join(', ')}`;
      break;
    case 'suback':
      summary = `SUBACK ${(p.reasonCodes ?? []).join(', ')}`;
      break;
    case 'unsubscribe':
      summary = `UNSUBSCRIBE ${(p.filters ?? []).join(', ')}`;
      break;
    case 'publish':
      summary = `PUBLISH ${p.direction === 'in' ? 'from' : 'to'} client ${p.topic ?? ''} (QoS ${p.qos ?? 0}, ${p.size} B${p.retain ? ', retained' : ''})`;
      break;
    case 'disconnect':
      if (p.type === 'closed') {
        summary = `Connection closed: ${p.reason ?? 'unknown cause'}`;
        break;
      }
      summary = `DISCONNECT${p.reason ? `: ${p.reason}` : p.reasonCode ? ` (reason ${p.reasonCode})` : ''}`;
      break;
    default:
      summary = `${p.type.toUpperCase()}${p.reason ? `: ${p.reason}` : ''}`;
  }
  return { time: p.time, kind, direction: p.direction, summary, packet: p };
}
