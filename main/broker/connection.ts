import type { Duplex } from 'node:stream';
import type { PeerCertificate } from 'node:tls';
import type { Packet } from 'mqtt-packet';
import type { BrokerCore } from './broker';
import { encodePacket } from './encode';
import type { ClientRef, ListenerInfo, Principal } from './hooks';
import type { Message, OutMessage } from './message';
import { acquireParser, type PooledParser, releaseParser } from './parser-pool';
import type { Session } from './session';
import type { Admission, ConnectionInfo, DisconnectCause, QoS } from './types';

export const AWAIT_CONNECT = 0;
export const AUTHENTICATING = 1;
export const CONNECTED = 2;
export const CLOSED = 3;

/** How many packets may wait behind an asynchronous hook before we stop reading the socket. */
const BACKLOG_PAUSE = 256;
const SHORT_ACKS = new Set(['puback', 'pubrec', 'pubrel', 'pubcomp']);
const UNAUTHENTICATED: Principal = Object.freeze({ kind: 'anonymous', accountId: null, topicPrefix: '' });

/** Write batching state: nothing written this tick, one write already sent, later writes corked. */
const IDLE = 0;
const WROTE = 1;
const CORKED = 2;

function endTick(conn: Connection): void {
  if (conn.writeState === CORKED) conn.stream.uncork();
  conn.writeState = IDLE;
}

type AuthDecision = true | { reasonCode: number; reasonString?: string };

export interface ConnectionExtras {
  outAliases: Map<string, number> | null;
  inAliases: Map<number, string> | null;
  /** Cached asynchronous publish decisions: topic → result per (qos * 2 + retain). */
  authCache: Map<string, (AuthDecision | undefined)[]> | null;
  refusedPublishes: number;
  will: Message | null;
  willDelay: number;
  /** Reason code of the client's DISCONNECT, if it sent one. */
  lastDisconnectReason: number | undefined;
  /** Only kept until CONNECT has been authenticated. */
  peerCertificates: PeerCertificate[] | undefined;
}

// Stream listeners shared by all connections (no closures per connection).
type OwnedStream = Duplex & { fbConnection: Connection };

function onStreamData(this: OwnedStream, chunk: Buffer): void {
  this.fbConnection.onData(chunk);
}

function onStreamGone(this: OwnedStream): void {
  this.fbConnection.finish('socket-error');
}

function onStreamEnd(this: OwnedStream): void {
  this.fbConnection.finish('socket-error');
  this.end();
}

function onStreamDrain(this: OwnedStream): void {
  const conn = this.fbConnection;
  if (conn.outputPaused) {
    conn.outputPaused = false;
    if (!conn.inputPaused) this.resume();
  }
  if (conn.session !== null && conn.state === CONNECTED) conn.broker.drainQueue(conn.session);
}

/**
 * One network connection: framing, writes, flow control and the per-connection MQTT state.
 * Protocol decisions live in the broker core (`broker.ts`), which hands each packet to its handler
 * (`connect-handler.ts`, `publish-handler.ts`, `subscribe-handler.ts`).
 */
export class Connection {
  state = AWAIT_CONNECT;
  session: Session | null = null;
  clientId = '';
  version: 3 | 4 | 5 = 4;
  keepAlive = 0;
  lastActivity: number;
  /** Creation time until CONNACK, then the time of CONNACK (ms since broker start, see `clock()`). */
  connectedAt: number;
  /** State few connections need, allocated on first use (keeps idle connections small). */
  extras: ConnectionExtras | null = null;
  /** Set once, when CONNECT is authenticated. */
  principal: Principal = UNAUTHENTICATED;
  /** The listener's per-address budget, until CONNACK. */
  admission: Admission | null;
  readonly listener: ListenerInfo;
  readonly remoteAddress: string;
  cleanStart = true;
  /** Limits the client announced (MQTT 5). */
  clientReceiveMax = 65535;
  clientMaxPacket = 0;
  clientAliasMax = 0;
  /** QoS 1 acks waiting for the store; counts toward our Receive Maximum. */
  pendingAcks = 0;
  requestProblemInfo = true;
  bytesIn = 0;
  bytesOut = 0;
  messagesIn = 0;
  messagesOut = 0;
  dropped = 0;
  writeState = IDLE;
  /** Reading stops while a client does not read what we owe it (e.g. acks to a flooding publisher). */
  outputPaused = false;
  /** Reading stops while too many packets wait behind an asynchronous hook. */
  inputPaused = false;
  private busy = 0;
  private backlog: Packet[] | null = null;
  /** Borrowed from the pool while a packet is incomplete; null between packets. */
  private parser: PooledParser | null = null;

  constructor(
    readonly broker: BrokerCore,
    readonly stream: Duplex,
    info: ConnectionInfo,
  ) {
    this.connectedAt = this.lastActivity = broker.clock();
    this.listener = broker.internListener(info.listener);
    this.remoteAddress = info.remoteAddress;
    this.admission = info.admission ?? null;
    if (info.peerCertificates !== undefined) this.extra().peerCertificates = info.peerCertificates;
    (stream as OwnedStream).fbConnection = this;
    stream.on('data', onStreamData);
    stream.on('error', onStreamGone);
    stream.on('close', onStreamGone);
    stream.on('end', onStreamEnd);
    stream.on('drain', onStreamDrain);
  }

  onData(chunk: Buffer): void {
    if (this.state === CLOSED) return;
    this.bytesIn += chunk.length;
    this.broker.counters.bytesIn += chunk.length;
    this.lastActivity = this.broker.clock();
    if (this.admission !== null && !this.admission.received(chunk.length)) {
      this.protocolViolation('too many bytes from this address before CONNACK', 0x97);
      return;
    }
    this.parser ??= acquireParser(this, this.state === AWAIT_CONNECT ? undefined : this.version);
    const parser = this.parser;
    try {
      parser.parse(chunk);
    } catch (err) {
      this.failed(err);
      return;
    }
    if (this.state === CLOSED) return;
    if ((parser.packet.length ?? -1) > this.broker.limits.maxPacketSize) {
      this.protocolViolation('packet too large', 0x95);
      return;
    }
    if (releaseParser(parser)) this.parser = null;
    if (!this.outputPaused && this.stream.writableLength > this.broker.limits.maxOutgoingBufferBytes) {
      this.outputPaused = true;
      this.stream.pause();
    }
  }

  onParseError(err: Error): void {
    if (this.state === CLOSED) return;
    if (this.state === AWAIT_CONNECT && err.message === 'Invalid protocol version') {
      // [MQTT-3.1.2-2]: answer an unsupported level with "unacceptable protocol version"
      this.writePacket({ cmd: 'connack', sessionPresent: false, returnCode: 1 });
      this.close('protocol-error');
      this.broker.logRejected(this, 'unsupported protocol version');
      return;
    }
    this.protocolViolation(`malformed packet: ${err.message}`, 0x81);
  }

  onPacket(packet: Packet): void {
    if (this.state === CLOSED) return;
    if (packet.length! > this.broker.limits.maxPacketSize) {
      this.protocolViolation('packet too large', 0x95);
      return;
    }
    if (this.busy > 0) {
      this.backlog ??= [];
      this.backlog.push(packet);
      if (this.backlog.length >= BACKLOG_PAUSE && !this.inputPaused) {
        this.inputPaused = true;
        this.stream.pause();
      }
      return;
    }
    this.broker.handlePacket(this, packet);
  }

  /** The connection is its own ClientRef once authenticated (one object less per client). */
  get ref(): ClientRef | null {
    return this.principal === UNAUTHENTICATED ? null : this;
  }

  /** Account namespace prefix ('' for the root namespace); derived, not stored, to keep idle connections small. */
  get prefix(): string {
    return this.principal.topicPrefix;
  }

  extra(): ConnectionExtras {
    this.extras ??= {
      outAliases: null,
      inAliases: null,
      authCache: null,
      refusedPublishes: 0,
      will: null,
      willDelay: 0,
      lastDisconnectReason: undefined,
      peerCertificates: undefined,
    };
    return this.extras;
  }

  /** Serialized (logs, JSON) as the ClientRef it stands for, not as the whole connection. */
  toJSON(): ClientRef {
    return {
      clientId: this.clientId,
      principal: this.principal,
      listener: this.listener,
      remoteAddress: this.remoteAddress,
    };
  }

  /** Runs packet handling so that a failure costs this connection only, never the process. */
  safely(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.failed(err);
    }
  }

  private failed(err: unknown): void {
    this.broker.logger.error(
      { err, clientId: this.clientId, remoteAddress: this.remoteAddress },
      'packet handling failed',
    );
    this.close('server', 0x80, 'unspecified error');
  }

  /** Hold further packets until `resume()`; used while an asynchronous hook runs. */
  suspend(): void {
    this.busy++;
  }

  resume(): void {
    if (--this.busy > 0) return;
    const backlog = this.backlog;
    while (backlog !== null && backlog.length > 0 && this.busy === 0 && this.state !== CLOSED) {
      const packet = backlog.shift()!;
      this.safely(() => this.broker.handlePacket(this, packet));
    }
    if (this.inputPaused && this.busy === 0) {
      this.inputPaused = false;
      if (!this.outputPaused) this.stream.resume();
    }
  }

  /**
   * The first write of a tick goes straight to the socket (no wait for the tick to end: latency);
   * later writes in the same tick are corked and leave together in one syscall.
   */
  write(buf: Buffer): void {
    if (this.state === CLOSED || this.stream.destroyed) return;
    if (this.writeState === IDLE) {
      this.writeState = WROTE;
      process.nextTick(endTick, this);
    } else if (this.writeState === WROTE) {
      this.writeState = CORKED;
      this.stream.cork();
    }
    this.bytesOut += buf.length;
    this.broker.counters.bytesOut += buf.length;
    this.stream.write(buf);
  }

  /** Encodes and writes a control packet; returns false when it exceeds the client's maximum. */
  writePacket(packet: Record<string, unknown>): boolean {
    // mqtt-packet writes a reason code byte unless it is explicitly 0; the short success form
    // is what every client understands (paho 1.x rejects a 5.0 PUBREL with a reason code)
    if (this.version === 5 && packet.reasonCode === undefined && SHORT_ACKS.has(packet.cmd as string)) {
      packet.reasonCode = 0;
    }
    let buf = encodePacket(packet, this.version);
    if (this.clientMaxPacket > 0 && buf.length > this.clientMaxPacket) {
      // [MQTT-3.1.2-25]: drop the optional reason string and user properties first
      if (packet.properties === undefined) return false;
      buf = encodePacket({ ...packet, properties: undefined }, this.version);
      if (buf.length > this.clientMaxPacket) return false;
    }
    if (this.broker.tap.active) this.broker.tap.control(this, 'out', packet, buf.length);
    this.write(buf);
    return true;
  }

  /** Writes pre-encoded bytes of a fixed control packet (`packet` only describes it for the tap). */
  writeFixed(buf: Buffer, packet: Record<string, unknown>): void {
    if (this.broker.tap.active) this.broker.tap.control(this, 'out', packet, buf.length);
    this.write(buf);
  }

  /** Reason string property, only when the client did not ask us to leave them out. */
  reason(reasonString: string | undefined): { reasonString: string } | undefined {
    return this.version === 5 && reasonString !== undefined && this.requestProblemInfo
      ? { reasonString }
      : undefined;
  }

  /** Delivers a QoS 0 message; shares one encoding across subscribers when nothing differs. */
  sendQos0(msg: Message, retain: boolean, subIds: number[] | undefined): void {
    const broker = this.broker;
    if (this.stream.writableLength > broker.limits.maxOutgoingBufferBytes) {
      this.dropped++;
      broker.dropped(this.clientId, msg, 0, 'outgoing-buffer-full');
      return;
    }
    let buf: Buffer;
    if (!retain && subIds === undefined && this.clientAliasMax === 0) {
      if (this.version === 5) buf = msg.wire5 ??= this.encodePublish(msg, 0, 0, false, false, undefined);
      else buf = msg.wire4 ??= this.encodePublish(msg, 0, 0, false, false, undefined);
    } else {
      buf = this.encodePublish(msg, 0, 0, false, retain, subIds);
    }
    if (this.clientMaxPacket > 0 && buf.length > this.clientMaxPacket) {
      this.dropped++;
      broker.dropped(this.clientId, msg, 0, 'packet-too-large');
      return;
    }
    this.write(buf);
    this.messagesOut++;
    broker.counters.messagesOut++;
    if (broker.tap.active) broker.tap.publish(this, 'out', msg, 0, retain, 0, buf.length);
    if (broker.events.deliveredWatched) broker.delivered(this, msg, 0, retain);
  }

  /** Sends (or re-sends) a QoS 1/2 message already registered in flight; false if too large. */
  sendOut(out: OutMessage, dup: boolean): boolean {
    const buf = this.encodePublish(out.msg, out.qos, out.packetId, dup, out.retain, out.subIds);
    if (this.clientMaxPacket > 0 && buf.length > this.clientMaxPacket) return false;
    this.write(buf);
    this.messagesOut++;
    this.broker.counters.messagesOut++;
    if (this.broker.tap.active) {
      this.broker.tap.publish(this, 'out', out.msg, out.qos, out.retain, out.packetId, buf.length);
    }
    return true;
  }

  encodePublish(
    msg: Message,
    qos: QoS,
    packetId: number,
    dup: boolean,
    retain: boolean,
    subIds: number[] | undefined,
  ): Buffer {
    let topic = this.prefix.length > 0 ? msg.topic.slice(this.prefix.length) : msg.topic;
    let properties: Record<string, unknown> | undefined;
    if (this.version === 5) {
      const props = msg.properties;
      if (props !== undefined || subIds !== undefined || this.clientAliasMax > 0) {
        properties = props === undefined ? {} : { ...props };
        if (msg.expiresAt > 0) {
          properties.messageExpiryInterval = Math.max(
            1,
            Math.ceil((msg.expiresAt - this.broker.now()) / 1000),
          );
        }
        if (subIds !== undefined)
          properties.subscriptionIdentifier = subIds.length === 1 ? subIds[0] : subIds;
        if (this.clientAliasMax > 0) topic = this.applyOutboundAlias(topic, properties);
      }
    }
    return encodePacket(
      {
        cmd: 'publish',
        topic,
        payload: msg.payload,
        qos,
        dup,
        retain,
        messageId: qos > 0 ? packetId : undefined,
        properties,
      },
      this.version,
    );
  }

  private applyOutboundAlias(topic: string, properties: Record<string, unknown>): string {
    const extras = this.extra();
    extras.outAliases ??= new Map();
    const aliases = extras.outAliases;
    const known = aliases.get(topic);
    if (known !== undefined) {
      properties.topicAlias = known;
      return '';
    }
    if (aliases.size < this.clientAliasMax) {
      const alias = aliases.size + 1;
      aliases.set(topic, alias);
      properties.topicAlias = alias;
    }
    return topic;
  }

  /** Closes after a protocol violation, telling a 5.0 client why, and logs it. */
  protocolViolation(why: string, reasonCode: number): void {
    if (this.state === CLOSED) return;
    this.broker.logRejected(this, why);
    this.close('protocol-error', reasonCode, why);
  }

  /** Ends the connection; 5.0 clients past CONNECT get a DISCONNECT with the reason first. */
  close(cause: DisconnectCause, reasonCode?: number, reasonString?: string): void {
    if (this.state === CLOSED) return;
    if (reasonCode !== undefined && this.version === 5 && this.state === CONNECTED) {
      this.writePacket({ cmd: 'disconnect', reasonCode, properties: this.reason(reasonString) });
    }
    this.finish(cause, reasonCode);
    const stream = this.stream;
    if (!stream.destroyed) stream.end(() => stream.destroy());
    // A peer that never reads must not keep the socket (and its buffers) alive.
    setTimeout(() => stream.destroy(), 2000).unref();
  }

  /** Runs once when the connection ends for whatever reason. */
  finish(cause: DisconnectCause, reasonCode?: number): void {
    if (this.state === CLOSED) return;
    const wasConnected = this.state === CONNECTED;
    this.state = CLOSED;
    this.backlog = null;
    this.parser = null;
    if (!this.stream.destroyed && cause === 'socket-error') this.stream.destroy();
    this.broker.connectionClosed(this, wasConnected, cause, reasonCode);
  }
}
