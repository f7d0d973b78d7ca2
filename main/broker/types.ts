import type { PeerCertificate } from 'node:tls';
import type { Database } from 'better-sqlite3';
import type { Logger } from 'pino';
import type { BrokerHooks, ClientRef, ListenerInfo, Principal } from './hooks';

export type QoS = 0 | 1 | 2;

/** MQTT 5 publish properties the broker forwards (topic alias and subscription ids are per hop). */
export interface MessageProperties {
  payloadFormatIndicator?: boolean;
  messageExpiryInterval?: number;
  contentType?: string;
  responseTopic?: string;
  correlationData?: Buffer;
  userProperties?: Record<string, string | string[]>;
}

export interface AccessRule {
  /** Topic filter (client view) the rule covers. */
  filter: string;
  /** Which operations the rule applies to; default both. */
  actions?: ('publish' | 'subscribe')[];
}

export interface BrokerLimits {
  /** Seconds; MQTT 5 clients asking for more (or 0) are told this value as Server Keep Alive. 0 = no cap. */
  maxKeepAlive: number;
  /** How many unacknowledged QoS 1/2 publishes we accept from one client (MQTT 5 Receive Maximum). */
  receiveMaximum: number;
  maxPacketSize: number;
  /** Per session, drop-oldest beyond this. */
  maxQueuedMessages: number;
  /** Socket writableLength over which QoS 0 deliveries to that client are dropped. */
  maxOutgoingBufferBytes: number;
  /** Our own cap on unacknowledged outgoing QoS 1/2 per client (also bounded by its Receive Maximum). */
  maxInflight: number;
  maxTopicLength: number;
  maxTopicLevels: number;
  maxSubscriptionsPerClient: number;
  connectTimeoutMs: number;
  maxConnections: number;
  sysIntervalSeconds: number;
  /** MQTT 5 Topic Alias Maximum we announce. */
  topicAliasMaximum: number;
  /** Open connections one remote address may hold across all listeners (0 = unlimited). */
  maxConnectionsPerAddress: number;
  /** Connections of one address not yet past CONNACK: TLS handshakes, WebSocket upgrades, CONNECTs (0 = unlimited). */
  maxUnauthenticatedPerAddress: number;
  /** Bytes one address's connections may send before their CONNACK, together (0 = unlimited). */
  maxPendingBytesPerAddress: number;
  /** Retained messages one account namespace (`$a/<name>/`) may hold; a new one beyond it is refused 0x97. */
  maxRetainedPerAccount: number;
  /** Persistent sessions one account namespace may hold; a new one beyond it is not kept. */
  maxPersistentSessionsPerAccount: number;
}

export interface BrokerOptions {
  db?: Database;
  hooks?: BrokerHooks;
  allowAnonymous?: boolean;
  accessRules?: { allow?: AccessRule[]; deny?: AccessRule[] };
  limits?: Partial<BrokerLimits>;
  logger?: Logger;
  now?: () => number;
}

export interface ConnectionInfo {
  listener: ListenerInfo;
  remoteAddress: string;
  peerCertificates?: PeerCertificate[];
  /** The listener's per-address budget for this connection until its CONNACK. */
  admission?: Admission;
}

/** What a connection reports to its listener's per-address limits before it is authenticated. */
export interface Admission {
  /** Counts bytes received before CONNACK; false when the address is over its budget (close the connection). */
  received(bytes: number): boolean;
  /** CONNACK sent: the connection stops counting as unauthenticated. */
  authenticated(): void;
}

export interface PlatformMessage {
  topic: string;
  payload: Buffer | string;
  qos?: QoS;
  retain?: boolean;
  properties?: MessageProperties;
}

export interface ClientSummary {
  clientId: string;
  protocolVersion: 3 | 4 | 5;
  listenerId: string;
  listenerKind: string;
  remoteAddress: string;
  keepAlive: number;
  cleanSession: boolean;
  subscriptions: number;
  queued: number;
  inflight: number;
  bytesIn: number;
  bytesOut: number;
  messagesIn: number;
  messagesOut: number;
  droppedMessages: number;
  connectedAt: number;
  principal: Principal;
}

export interface SessionSummary {
  clientId: string;
  topicPrefix: string;
  accountId: string | null;
  connected: boolean;
  persistent: boolean;
  expiryIntervalSeconds: number;
  disconnectedAt: number | null;
  subscriptions: { filter: string; qos: QoS }[];
  queued: number;
  inflight: number;
  droppedMessages: number;
}

export interface RetainedSummary {
  topic: string;
  qos: QoS;
  size: number;
  storedAt: number;
  payload: Buffer;
  properties?: MessageProperties;
}

export interface BrokerStats {
  startedAt: number;
  uptimeSeconds: number;
  clientsConnected: number;
  sessions: number;
  subscriptions: number;
  retained: number;
  messagesIn: number;
  messagesOut: number;
  bytesIn: number;
  bytesOut: number;
  messagesDropped: number;
  connectionsTotal: number;
  connectsRefused: number;
  /** Per-second rates over the last whole second. */
  rates: { messagesIn: number; messagesOut: number; bytesIn: number; bytesOut: number; connects: number };
}

export type DisconnectCause =
  | 'normal'
  | 'takeover'
  | 'keepalive'
  | 'protocol-error'
  | 'socket-error'
  | 'server'
  | 'connect-timeout';

export type DropReason =
  | 'queue-full'
  | 'outgoing-buffer-full'
  | 'packet-too-large'
  | 'expired'
  | 'not-authorized'
  | 'offline-qos0';

export interface BrokerEventMap {
  'client.connected': {
    client: ClientRef;
    protocolVersion: 3 | 4 | 5;
    cleanStart: boolean;
    sessionPresent: boolean;
    keepAlive: number;
  };
  'client.disconnected': { client: ClientRef; cause: DisconnectCause; reasonCode?: number };
  'client.connect-refused': {
    clientId: string;
    listener: ListenerInfo;
    remoteAddress: string;
    reasonCode: number;
    reason?: string;
  };
  subscribed: { client: ClientRef; subscriptions: { filter: string; qos: QoS; granted: number }[] };
  unsubscribed: { client: ClientRef; filters: string[] };
  'message.published': { client: ClientRef | null; topic: string; qos: QoS; retain: boolean; size: number };
  'message.dropped': { clientId: string; topic: string; qos: QoS; reason: DropReason };
  /**
   * A message handed over to a subscriber: QoS 0 when written to its socket, QoS 1 on PUBACK,
   * QoS 2 on PUBCOMP. `topic` as the subscriber sees it; `qos` is the delivery QoS.
   */
  'message.delivered': {
    client: ClientRef;
    topic: string;
    qos: QoS;
    retain: boolean;
    size: number;
    /** The payload as delivered (shared, do not modify). */
    payload: Buffer;
  };
}

export type TapPacketType =
  | 'connect'
  | 'connack'
  | 'publish'
  | 'puback'
  | 'pubrec'
  | 'pubrel'
  | 'pubcomp'
  | 'subscribe'
  | 'suback'
  | 'unsubscribe'
  | 'unsuback'
  | 'pingreq'
  | 'pingresp'
  | 'disconnect'
  | 'auth';

export interface TapEvent {
  time: number;
  direction: 'in' | 'out';
  clientId: string;
  listenerId: string;
  remoteAddress: string;
  accountName?: string;
  type: TapPacketType;
  topic?: string;
  qos?: QoS;
  retain?: boolean;
  size: number;
  reasonCode?: number;
  packetId?: number;
  payload?: Buffer;
  /** MQTT 5 publish properties as the message carries them (PUBLISH only). */
  properties?: MessageProperties;
}

export interface TapOptions {
  /** Events beyond this rate are dropped (counted); default 2000/s. */
  maxEventsPerSecond?: number;
}

/** A message the broker accepted and routed (see `Broker.routed`). */
export interface RoutedEvent {
  time: number;
  /** Internal topic, including any account prefix (`$a/<account>/…`). */
  topic: string;
  payload: Buffer;
  qos: QoS;
  retain: boolean;
  properties?: MessageProperties;
  /** The publisher's client id (a will's owner for wills), or `(broker)` for platform publishes and $SYS. */
  clientId: string;
  accountName?: string;
  /** Subscriptions (and shared groups) it was routed to. */
  matched: number;
}

export interface RoutedOptions {
  /** Messages beyond this rate are dropped for this observer and counted; default 10,000/s. */
  maxMessagesPerSecond?: number;
}

export interface RoutedSubscription {
  close(): void;
  /** Messages this observer missed because it was over its budget. */
  readonly dropped: number;
}
