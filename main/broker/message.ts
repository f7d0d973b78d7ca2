import type { Session } from './session';
import type { MessageProperties, QoS } from './types';

/** One routed application message (internal topic, i.e. with any account prefix). */
export interface Message {
  topic: string;
  payload: Buffer;
  qos: QoS;
  retain: boolean;
  properties: MessageProperties | undefined;
  /** Epoch ms after which the message must not be delivered; 0 = never. */
  expiresAt: number;
  publishedAt: number;
  /** Publishing session, for No Local; null for the platform and wills of ended sessions. */
  origin: Session | null;
  /** Shared QoS 0 wire bytes for protocol 3/4 and 5 subscribers needing no per-subscriber fields. */
  wire4: Buffer | undefined;
  wire5: Buffer | undefined;
}

export function createMessage(
  topic: string,
  payload: Buffer,
  qos: QoS,
  retain: boolean,
  properties: MessageProperties | undefined,
  now: number,
  origin: Session | null,
): Message {
  const expiry = properties?.messageExpiryInterval;
  return {
    topic,
    payload,
    qos,
    retain,
    properties,
    expiresAt: expiry !== undefined && expiry > 0 ? now + expiry * 1000 : 0,
    publishedAt: now,
    origin,
    wire4: undefined,
    wire5: undefined,
  };
}

/** A QoS 1/2 message owed to one session, queued or in flight. */
export interface OutMessage {
  /** Position in the session's stream; also the persistence key. */
  seq: number;
  msg: Message;
  qos: 1 | 2;
  retain: boolean;
  subIds: number[] | undefined;
  /** 0 while queued. */
  packetId: number;
  /** 0 queued, 1 sent and awaiting PUBACK/PUBREC, 2 PUBREL sent and awaiting PUBCOMP. */
  state: 0 | 1 | 2;
}

/** Properties a client may set on PUBLISH that the broker forwards unchanged. */
const FORWARDED_PROPERTIES = [
  'payloadFormatIndicator',
  'messageExpiryInterval',
  'contentType',
  'responseTopic',
  'correlationData',
  'userProperties',
] as const;

export function forwardableProperties(
  props: Record<string, unknown> | undefined,
): MessageProperties | undefined {
  if (props === undefined) return undefined;
  let out: MessageProperties | undefined;
  for (const key of FORWARDED_PROPERTIES) {
    const value = props[key];
    if (value === undefined) continue;
    out ??= {};
    out[key] = value as never;
  }
  return out;
}
