import { randomBytes } from 'node:crypto';
import type { IConnectPacket } from 'mqtt-packet';
import type { BrokerCore } from './broker';
import { AUTHENTICATING, CLOSED, CONNECTED, type Connection } from './connection';
import type { AuthenticateResult, ConnectContext, ConnectProperties, ConnectWill } from './hooks';
import { createMessage, forwardableProperties } from './message';
import { CONNACK_ACCEPTED_V4 } from './fixed-packets';
import { NEVER_EXPIRES } from './session';
import { isValidTopicName } from './topics';

/** MQTT 5 CONNACK reason code → the closest 3.1.1 return code. */
export function v4ReturnCode(reasonCode: number): number {
  switch (reasonCode) {
    case 0x84:
      return 1;
    case 0x85:
      return 2;
    case 0x88:
    case 0x89:
    case 0x8a:
    case 0x97:
    case 0x9f:
      return 3;
    case 0x86:
      return 4;
    default:
      return 5;
  }
}

function isValidClientId(id: string): boolean {
  return !id.includes('\u0000') && !id.includes('\ufffd');
}

function assignClientId(): string {
  return 'fb-' + randomBytes(9).toString('base64url');
}

/** Answers CONNECT with a failure CONNACK and closes ([MQTT-3.2.2-6]: session present 0). */
export function refuseConnect(
  broker: BrokerCore,
  conn: Connection,
  reasonCode: number,
  reason?: string,
): void {
  if (conn.state === CLOSED) return;
  if (conn.version === 5) {
    conn.writePacket({ cmd: 'connack', sessionPresent: false, reasonCode, properties: conn.reason(reason) });
  } else {
    conn.writePacket({ cmd: 'connack', sessionPresent: false, returnCode: v4ReturnCode(reasonCode) });
  }
  broker.counters.refused++;
  broker.events.emit('client.connect-refused', {
    clientId: conn.clientId,
    listener: conn.listener,
    remoteAddress: conn.remoteAddress,
    reasonCode,
    ...(reason === undefined ? {} : { reason }),
  });
  broker.logger.info(
    { clientId: conn.clientId, remoteAddress: conn.remoteAddress, reasonCode, reason },
    'connection refused',
  );
  conn.close('server');
}

export function handleConnect(broker: BrokerCore, conn: Connection, p: IConnectPacket): void {
  const version = p.protocolVersion ?? 4;
  conn.version = version;
  if ((version === 3) !== (p.protocolId === 'MQIsdp')) {
    // [MQTT-3.1.2-1]
    conn.protocolViolation('protocol name does not match protocol level', 0x82);
    return;
  }
  const props = p.properties;
  conn.clientId = p.clientId;
  if (version === 5 && props?.authenticationMethod !== undefined) {
    refuseConnect(broker, conn, 0x8c, 'bad authentication method');
    return;
  }
  if (version === 5 && (props?.receiveMaximum === 0 || props?.maximumPacketSize === 0)) {
    refuseConnect(broker, conn, 0x82, 'receive maximum and maximum packet size must not be 0');
    return;
  }
  let assigned = false;
  if (p.clientId.length === 0) {
    // [MQTT-3.1.3-6]/[MQTT-3.1.3-8]: 3.1.1 accepts an empty id only with a clean session
    if (version === 5 || (version === 4 && p.clean)) {
      conn.clientId = assignClientId();
      assigned = version === 5;
    } else {
      refuseConnect(broker, conn, 0x85, 'client identifier required');
      return;
    }
  } else if (!isValidClientId(p.clientId) || (version === 3 && p.clientId.length > 23)) {
    refuseConnect(broker, conn, 0x85, 'client identifier not valid');
    return;
  }
  const will = p.will;
  if (will) {
    if ((will.qos ?? 0) > 2) {
      conn.protocolViolation('will QoS 3', 0x81);
      return;
    }
    if (!isValidTopicName(will.topic, broker.limits.maxTopicLength, broker.limits.maxTopicLevels)) {
      refuseConnect(broker, conn, 0x90, 'will topic not valid');
      return;
    }
  }
  conn.cleanStart = p.clean !== false;
  conn.keepAlive = p.keepalive ?? 0;
  conn.state = AUTHENTICATING;
  conn.suspend();
  const ctx: ConnectContext = {
    clientId: conn.clientId,
    protocolVersion: version,
    listener: conn.listener,
    remoteAddress: conn.remoteAddress,
    keepAlive: conn.keepAlive,
    cleanStart: conn.cleanStart,
  };
  if (will) ctx.will = connectWill(will);
  if (version === 5 && props !== undefined) ctx.properties = plainProperties(props) as ConnectProperties;
  if (p.username !== undefined) ctx.username = p.username;
  if (p.password !== undefined) ctx.password = p.password;
  const certificates = conn.extras?.peerCertificates;
  if (certificates !== undefined) ctx.peerCertificates = certificates;
  let result: AuthenticateResult | Promise<AuthenticateResult>;
  try {
    result = broker.hooks.authenticate(ctx);
  } catch (err) {
    broker.logger.error({ err, clientId: conn.clientId }, 'authenticate hook threw');
    refuseConnect(broker, conn, 0x80, 'authentication failed');
    return;
  }
  if (result instanceof Promise) {
    result.then(
      (r) => conn.safely(() => completeConnect(broker, conn, p, r, assigned)),
      (err: unknown) => {
        broker.logger.error({ err, clientId: conn.clientId }, 'authenticate hook failed');
        refuseConnect(broker, conn, 0x80, 'authentication failed');
      },
    );
  } else conn.safely(() => completeConnect(broker, conn, p, result, assigned));
}

/** The will as the authenticate hook sees it: everything but the payload bytes. */
function connectWill(will: NonNullable<IConnectPacket['will']>): ConnectWill {
  const out: ConnectWill = {
    topic: will.topic,
    qos: (will.qos ?? 0) as 0 | 1 | 2,
    retain: will.retain === true,
    payloadSize:
      typeof will.payload === 'string' ? Buffer.byteLength(will.payload) : (will.payload?.length ?? 0),
  };
  if (will.properties !== undefined) {
    out.properties = plainProperties(will.properties) as ConnectWill['properties'];
  }
  return out;
}

/** A copy for hooks: mqtt-packet parses user properties into null-prototype objects. */
function plainProperties(props: object): Record<string, unknown> {
  const copy: Record<string, unknown> = { ...props };
  const user = copy.userProperties;
  if (user !== undefined && user !== null) copy.userProperties = { ...(user as object) };
  return copy;
}

function completeConnect(
  broker: BrokerCore,
  conn: Connection,
  p: IConnectPacket,
  result: AuthenticateResult,
  assigned: boolean,
): void {
  if (conn.state !== AUTHENTICATING) return;
  if (!result.ok) {
    refuseConnect(broker, conn, result.reasonCode, result.reasonString);
    return;
  }
  const principal = result.principal;
  const limits = broker.limits;
  conn.principal = principal;
  if (conn.extras) conn.extras.peerCertificates = undefined;
  const props = p.properties;
  const version = conn.version;
  conn.clientReceiveMax = props?.receiveMaximum ?? 65535;
  conn.clientMaxPacket = props?.maximumPacketSize ?? 0;
  conn.clientAliasMax = props?.topicAliasMaximum ?? 0;
  conn.requestProblemInfo = props?.requestProblemInformation !== false;
  let serverKeepAlive: number | undefined;
  const ownCap = principal.maxKeepAlive ?? 0;
  const keepAliveCap =
    ownCap > 0 && (limits.maxKeepAlive === 0 || ownCap < limits.maxKeepAlive) ? ownCap : limits.maxKeepAlive;
  if (version === 5 && keepAliveCap > 0 && (conn.keepAlive === 0 || conn.keepAlive > keepAliveCap)) {
    serverKeepAlive = conn.keepAlive = keepAliveCap;
  }
  let expiry = version === 5 ? (props?.sessionExpiryInterval ?? 0) : conn.cleanStart ? 0 : NEVER_EXPIRES;
  let sessionNotKept: string | undefined;
  if (expiry > 0 && broker.persistentSessionQuotaReached(conn)) {
    const why = `the account already keeps ${limits.maxPersistentSessionsPerAccount} persistent sessions`;
    // 3.1.1 cannot be told that its session will not be kept, so it is refused.
    if (version !== 5) {
      refuseConnect(broker, conn, 0x97, `Quota exceeded: ${why}`);
      return;
    }
    expiry = 0;
    sessionNotKept = `Session not kept (Session Expiry Interval 0): ${why}`;
  }
  const will = p.will;
  if (will) {
    const payload = typeof will.payload === 'string' ? Buffer.from(will.payload) : will.payload;
    const willProps = version === 5 ? forwardableProperties(will.properties) : undefined;
    const extras = conn.extra();
    extras.will = createMessage(
      conn.prefix + will.topic,
      payload,
      will.qos ?? 0,
      will.retain === true,
      willProps,
      broker.now(),
      null,
    );
    extras.willDelay = will.properties?.willDelayInterval ?? 0;
  }

  const { session, present } = broker.attachSession(conn, expiry);
  broker.pending.delete(conn);
  conn.state = CONNECTED;
  conn.admission?.authenticated();
  conn.admission = null;
  conn.connectedAt = broker.clock();
  if (version === 5) {
    const ack: Record<string, unknown> = {
      receiveMaximum: limits.receiveMaximum,
      maximumPacketSize: limits.maxPacketSize,
      topicAliasMaximum: limits.topicAliasMaximum,
      retainAvailable: true,
      wildcardSubscriptionAvailable: true,
      subscriptionIdentifiersAvailable: true,
      sharedSubscriptionAvailable: true,
    };
    if (assigned) ack.assignedClientIdentifier = conn.clientId;
    if (sessionNotKept !== undefined) {
      ack.sessionExpiryInterval = 0;
      ack.reasonString = sessionNotKept;
    }
    if (serverKeepAlive !== undefined) ack.serverKeepAlive = serverKeepAlive;
    if (props?.requestResponseInformation === true) ack.responseInformation = `reply/${conn.clientId}/`;
    conn.writePacket({ cmd: 'connack', sessionPresent: present, reasonCode: 0, properties: ack });
  } else {
    conn.writeFixed(CONNACK_ACCEPTED_V4[present ? 1 : 0], { cmd: 'connack', returnCode: 0 });
  }
  broker.counters.connects++;
  if (broker.events.has('client.connected')) {
    broker.events.emit('client.connected', {
      client: conn,
      protocolVersion: version,
      cleanStart: conn.cleanStart,
      sessionPresent: present,
      keepAlive: conn.keepAlive,
    });
  }
  broker.resumeSession(conn, session);
  conn.resume();
}
