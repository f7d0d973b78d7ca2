import type { Packet } from 'mqtt';
import mqttPacket from 'mqtt-packet';
import type { FlowPacket } from '../types';

/** Summarizes an mqtt.js packet (sent or received by our client) for the packet inspector. */
export function packetFromMqttJs(packet: Packet, direction: 'in' | 'out', clientId: string): FlowPacket {
  const p = packet as Packet & {
    topic?: string | null;
    qos?: number;
    retain?: boolean;
    messageId?: number;
    reasonCode?: number;
    returnCode?: number;
    granted?: (number | { qos: number })[];
    reasonCodes?: number[];
    subscriptions?: { topic: string }[];
    unsubscriptions?: string[];
    length?: number;
    payload?: Buffer | string;
    properties?: Record<string, unknown>;
  };
  const flow: FlowPacket = {
    time: Date.now(),
    direction,
    clientId,
    type: p.cmd,
    size: sizeOf(p),
  };
  if (typeof p.topic === 'string') flow.topic = p.topic;
  if (p.cmd === 'publish') {
    flow.qos = p.qos ?? 0;
    flow.retain = p.retain ?? false;
    if (p.payload !== undefined)
      flow.payload = Buffer.isBuffer(p.payload) ? p.payload : Buffer.from(p.payload);
  }
  if (p.messageId !== undefined) flow.packetId = p.messageId;
  const reason = p.reasonCode ?? p.returnCode;
  if (reason !== undefined) flow.reasonCode = reason;
  if (p.granted) flow.reasonCodes = p.granted.map((g) => (typeof g === 'number' ? g : g.qos));
  else if (p.reasonCodes) flow.reasonCodes = p.reasonCodes;
  if (p.subscriptions) flow.filters = p.subscriptions.map((s) => s.topic);
  else if (p.unsubscriptions) flow.filters = p.unsubscriptions;
  if (p.properties && Object.keys(p.properties).length > 0) flow.properties = p.properties;
  return flow;
}

function sizeOf(p: Packet & { length?: number }): number {
  if (typeof p.length === 'number') return p.length + 1 + varintBytes(p.length);
  try {
    return mqttPacket.generate(p).length;
  } catch {
    return 0;
  }
}

function varintBytes(n: number): number {
  return n < 128 ? 1 : n < 16384 ? 2 : n < 2097152 ? 3 : 4;
}
