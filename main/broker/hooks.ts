import type { PeerCertificate } from 'node:tls';
import type { MessageProperties } from './types';

/**
 * The broker's extension points. Tenancy, provisioning, gateways and the resource API plug in
 * here; the broker itself knows nothing about accounts.
 */

export type ListenerKind = 'mqtt' | 'mqtts' | 'mqtts-mutual' | 'ws' | 'wss';

export interface ListenerInfo {
  id: string;
  kind: ListenerKind;
  host: string;
  port: number;
}

export interface ConnectContext {
  clientId: string;
  username?: string;
  password?: Buffer;
  protocolVersion: 3 | 4 | 5;
  listener: ListenerInfo;
  remoteAddress: string;
  /** The verified client certificate chain on mutual-TLS listeners, leaf first. */
  peerCertificates?: PeerCertificate[];
  // The broker always sets keepAlive and cleanStart; they are optional only so that contexts
  // built by hand (tools, older tests) stay valid.
  /** Seconds, as the client asked (before any server keep alive cap). */
  keepAlive?: number;
  /** Clean start (5.0) / clean session (3.1.1). */
  cleanStart?: boolean;
  /** The will the client registered; its payload is left out, only its size is given. */
  will?: ConnectWill;
  /** MQTT 5 CONNECT properties as sent. */
  properties?: ConnectProperties;
}

export interface ConnectWill {
  /** As the client sent it, before namespacing. */
  topic: string;
  qos: 0 | 1 | 2;
  retain: boolean;
  payloadSize: number;
  properties?: MessageProperties & { willDelayInterval?: number };
}

export interface ConnectProperties {
  sessionExpiryInterval?: number;
  receiveMaximum?: number;
  maximumPacketSize?: number;
  topicAliasMaximum?: number;
  requestResponseInformation?: boolean;
  requestProblemInformation?: boolean;
  userProperties?: Record<string, string | string[]>;
  /**
   * Listed for completeness: the broker has no enhanced authentication, so a CONNECT naming a
   * method is answered 0x8C before `authenticate` runs.
   */
  authenticationMethod?: string;
  authenticationData?: Buffer;
}

/** A message about to be sent to a subscriber (see `BrokerHooks.authorizeDelivery`). */
export interface DeliveryMessage {
  payload: Buffer;
  qos: 0 | 1 | 2;
  retain: boolean;
  properties?: MessageProperties;
}

/** Who a connected client is, as decided at CONNECT. */
export interface Principal {
  kind: 'device' | 'gateway' | 'api-key' | 'operator' | 'anonymous';
  /** The account the client belongs to, or null for the root namespace (lab / anonymous use). */
  accountId: string | null;
  accountName?: string;
  username?: string;
  /** Internal topic prefix the broker adds on the way in and strips on the way out (e.g. `$a/acme/`). */
  topicPrefix: string;
  /** Free-form data the authenticating capability wants back in later calls. */
  attributes?: Record<string, unknown>;
  /** A keep alive cap (seconds) for this client, below the broker-wide one; announced to MQTT 5 clients. */
  maxKeepAlive?: number;
}

export type AuthenticateResult =
  | { ok: true; principal: Principal }
  | { ok: false; reasonCode: number; reasonString?: string };

/** `true` allows; otherwise the MQTT 5 reason code to answer with (mapped for 3.1.1). */
export type AuthorizeResult = true | { reasonCode: number; reasonString?: string };

/** A subscription may also be allowed at a lower QoS than asked (e.g. QoS 2 granted as QoS 1). */
export type SubscribeAuthorization = AuthorizeResult | { grantedQos: 0 | 1 };

/**
 * A connected client. The broker hands out one object per connection for its whole life (usable as
 * a WeakMap key); it serializes to just these four fields.
 */
export interface ClientRef {
  clientId: string;
  principal: Principal;
  listener: ListenerInfo;
  remoteAddress: string;
}

/**
 * Hooks may answer synchronously; the broker then keeps its QoS 0 path free of Promises. Asynchronous
 * publish decisions are cached per connection and topic until `broker.invalidateAuthorizations()`.
 */
export interface BrokerHooks {
  authenticate(ctx: ConnectContext): AuthenticateResult | Promise<AuthenticateResult>;
  /** `topic` as the client sent it, before namespacing. */
  authorizePublish(
    client: ClientRef,
    topic: string,
    qos: 0 | 1 | 2,
    retain: boolean,
  ): AuthorizeResult | Promise<AuthorizeResult>;
  /** `filter` as the client sent it, before namespacing; `packetId` is the SUBSCRIBE's. */
  authorizeSubscribe(
    client: ClientRef,
    filter: string,
    qos: 0 | 1 | 2,
    packetId?: number,
  ): SubscribeAuthorization | Promise<SubscribeAuthorization>;
  /**
   * Optional, synchronous: called for each delivery to a subscriber (retained ones included) with
   * `topic` as that subscriber sees it and `message.qos` the delivery QoS. Anything but `true`
   * drops the delivery (counted, `message.dropped` with reason `not-authorized`). Offline
   * persistent sessions are asked at routing time, with listener id '' and no remote address.
   * Without this hook deliveries cost nothing extra.
   */
  authorizeDelivery?(client: ClientRef, topic: string, message: DeliveryMessage): AuthorizeResult;
}

/**
 * A publish the platform intercepted on a reserved topic; returning true consumes it. Returning a
 * reason also consumes it, acknowledged with that reason code (MQTT 5; 3.1.1 acknowledges normally).
 */
export type PublishInterceptor = (
  client: ClientRef,
  message: {
    topic: string;
    payload: Buffer;
    qos: 0 | 1 | 2;
    properties?: Record<string, unknown>;
    /** The PUBLISH packet identifier (0 for QoS 0). */
    packetId: number;
  },
) => InterceptResult | Promise<InterceptResult>;

export type InterceptResult = boolean | { reasonCode: number; reasonString?: string };
