import fs from 'node:fs';
import tls from 'node:tls';
import mqtt, { type IClientOptions, type MqttClient, type Packet } from 'mqtt';
import type { Logger } from 'pino';
import type { ExplorerConnectionError, ExplorerSubscription } from '../../../preload/contract/explorer';
import { topicMatches } from '../topic-match';
import type { FlowMessage, FlowPacket } from '../types';
import { explainError } from './explain-error';
import { packetFromMqttJs } from './mqttjs-packets';
import type { ResolvedProfile } from './profile-store';
import { probeServerChain } from './tls-probe';

export type ConnectionState = 'idle' | 'connecting' | 'connected' | 'reconnecting' | 'error' | 'closed';

export interface ExternalConnectionEvents {
  message(message: FlowMessage): void;
  packet(packet: FlowPacket): void;
  state(state: ConnectionState, error?: ExplorerConnectionError): void;
}

const SYSTEM_BUNDLES = [
  '/etc/ssl/certs/ca-certificates.crt',
  '/etc/pki/tls/certs/ca-bundle.crt',
  '/etc/ssl/cert.pem',
];
let systemRoots: string[] | undefined;

/** Node's bundled roots plus the operating system's CA bundle, when one exists. */
function systemTrustStore(): string[] {
  if (!systemRoots) {
    systemRoots = [...tls.rootCertificates];
    for (const file of SYSTEM_BUNDLES) {
      try {
        systemRoots.push(fs.readFileSync(file, 'utf8'));
        break;
      } catch {
        // not on this system
      }
    }
  }
  return systemRoots;
}

/** One open connection to an external broker through mqtt.js. */
export class ExternalConnection {
  state: ConnectionState = 'idle';
  error: ExplorerConnectionError | undefined;
  subscriptions: ExplorerSubscription[];
  /** What the broker was last told. */
  private applied: ExplorerSubscription[] = [];
  private client: MqttClient | undefined;
  private closing = false;
  /** Whether packet summaries are wanted (computing sizes of sent packets costs a little). */
  wantPackets = false;

  constructor(
    readonly id: string,
    readonly profile: ResolvedProfile,
    private readonly events: ExternalConnectionEvents,
    private readonly logger: Logger,
  ) {
    this.subscriptions = [...profile.subscriptions];
  }

  get mqttVersion(): 4 | 5 {
    return this.profile.mqttVersion;
  }

  /** Connects; resolves when CONNACK succeeded, rejects with a plain-language ExplorerConnectionError. */
  async open(connectTimeoutMs = 10_000): Promise<void> {
    this.setState('connecting');
    let client: MqttClient;
    try {
      // Bad key material (e.g. a wrong passphrase) throws synchronously from the TLS layer.
      client = mqtt.connect(this.clientOptions(connectTimeoutMs));
    } catch (err) {
      const explained = await this.explain(err);
      this.setState('error', explained);
      throw explained;
    }
    this.client = client;
    client.on('message', (topic, payload, packet) => {
      const message: FlowMessage = {
        connectionId: this.id,
        topic,
        payload,
        qos: packet.qos,
        retain: packet.retain,
        time: Date.now(),
      };
      if (packet.properties && Object.keys(packet.properties).length > 0) {
        message.properties = packet.properties as Record<string, unknown>;
      }
      this.events.message(message);
    });
    client.on('packetreceive', (packet) => this.onPacket(packet, 'in'));
    client.on('packetsend', (packet) => this.onPacket(packet, 'out'));
    try {
      await new Promise<void>((resolve, reject) => {
        const onError = (err: Error) => {
          cleanup();
          reject(err);
        };
        const onClose = () => {
          cleanup();
          reject(Object.assign(new Error('connection closed before CONNACK'), { code: 'ECONNRESET' }));
        };
        const onConnect = () => {
          cleanup();
          resolve();
        };
        const cleanup = () => {
          client.off('error', onError);
          client.off('close', onClose);
          client.off('connect', onConnect);
        };
        client.once('error', onError);
        client.once('close', onClose);
        client.once('connect', onConnect);
      });
    } catch (err) {
      client.end(true);
      this.client = undefined;
      const explained = await this.explain(err);
      this.setState('error', explained);
      throw explained;
    }
    // Reconnect after a later drop, but not on a failed first attempt.
    client.options.reconnectPeriod = 3000;
    client.on('reconnect', () => this.setState('reconnecting'));
    client.on('connect', () => {
      this.setState('connected');
      // Edits made while disconnected are applied once the broker is back.
      this.sync().catch((err) =>
        this.logger.warn({ err, connection: this.id }, 'explorer resubscribe failed'),
      );
    });
    client.on('close', () => {
      if (!this.closing) this.setState('reconnecting');
    });
    client.on('error', (err) => {
      void this.explain(err).then((explained) => {
        if (this.closing) return;
        this.logger.warn({ connection: this.id, code: explained.code }, explained.message);
        // Tell the UI why it is reconnecting.
        this.setState(this.state, explained);
      });
    });
    this.setState('connected');
    await this.sync();
  }

  /** Replaces the subscription list; applied at once when connected, otherwise on reconnect. */
  async setSubscriptions(next: ExplorerSubscription[]): Promise<void> {
    this.subscriptions = [...next];
    await this.sync();
  }

  /** Brings the broker's subscriptions (as last applied) in line with the wanted list. */
  private async sync(): Promise<void> {
    const client = this.client;
    if (!client?.connected) return;
    const wanted = this.subscriptions;
    const removed = this.applied
      .filter((a) => !wanted.some((w) => w.filter === a.filter))
      .map((a) => a.filter);
    const changed = wanted.filter((w) => !this.applied.some((a) => a.filter === w.filter && a.qos === w.qos));
    if (removed.length > 0) await client.unsubscribeAsync(removed);
    await this.subscribe(changed);
    this.applied = [...wanted];
  }

  async publish(
    topic: string,
    payload: Buffer,
    opts: { qos: 0 | 1 | 2; retain: boolean; properties?: Record<string, unknown> },
  ): Promise<void> {
    const client = this.requireClient();
    await client.publishAsync(topic, payload, {
      qos: opts.qos,
      retain: opts.retain,
      ...(opts.properties && this.mqttVersion === 5 ? { properties: opts.properties } : {}),
    });
  }

  /**
   * Collects the topics of retained messages under `filter` with a short-lived second client
   * (same profile, own client id), so the main session's subscriptions are left alone.
   */
  async collectRetained(filter: string, waitMs: number): Promise<string[]> {
    this.requireClient();
    const options = this.clientOptions(10_000);
    options.clientId = `${options.clientId}-r${Math.random().toString(16).slice(2, 8)}`.slice(0, 64);
    options.clean = true;
    const probe = await mqtt.connectAsync(options);
    const topics = new Set<string>();
    probe.on('message', (topic, payload, packet) => {
      if (packet.retain && payload.length > 0 && topicMatches(filter, topic)) topics.add(topic);
    });
    try {
      await probe.subscribeAsync(filter, { qos: 0 });
      await new Promise((r) => setTimeout(r, waitMs));
    } finally {
      await probe.endAsync(true).catch(() => undefined);
    }
    return [...topics].sort();
  }

  async close(): Promise<void> {
    this.closing = true;
    const client = this.client;
    this.client = undefined;
    if (client) await client.endAsync(false).catch(() => client.end(true));
    this.setState('closed');
  }

  private requireClient(): MqttClient {
    if (!this.client?.connected) throw new Error(`Connection ${this.profile.name} is not connected`);
    return this.client;
  }

  private async subscribe(subs: ExplorerSubscription[]): Promise<void> {
    if (subs.length === 0 || !this.client) return;
    const map: Record<string, { qos: 0 | 1 | 2 }> = {};
    for (const s of subs) map[s.filter] = { qos: s.qos };
    await this.client.subscribeAsync(map);
  }

  private onPacket(packet: Packet, direction: 'in' | 'out'): void {
    if (!this.wantPackets) return;
    const clientId = this.client?.options.clientId ?? this.profile.clientId ?? '';
    try {
      this.events.packet(packetFromMqttJs(packet, direction, clientId));
    } catch (err) {
      this.logger.warn({ err, connection: this.id }, 'explorer could not summarize a packet');
    }
  }

  private async explain(err: unknown): Promise<ExplorerConnectionError> {
    const explained = explainError(err, {
      host: this.profile.host,
      port: this.profile.port,
      mqttVersion: this.profile.mqttVersion,
    });
    if (explained.kind === 'tls' && (this.profile.protocol === 'mqtts' || this.profile.protocol === 'wss')) {
      const chain = await probeServerChain({
        host: this.profile.host,
        port: this.profile.port,
        ...(this.profile.servername ? { servername: this.profile.servername } : {}),
        ...(this.profile.alpn ? { alpn: this.profile.alpn } : {}),
      });
      if (chain.length > 0) {
        explained.serverChain = chain;
        const leaf = chain[0];
        if (leaf) explained.message += ` The server presented "${leaf.subject}" issued by "${leaf.issuer}".`;
      }
    }
    return explained;
  }

  private setState(state: ConnectionState, error?: ExplorerConnectionError): void {
    this.state = state;
    if (error) this.error = error;
    else if (state === 'connected') this.error = undefined;
    this.events.state(state, error);
  }

  private clientOptions(connectTimeoutMs: number): IClientOptions {
    const p = this.profile;
    const secure = p.protocol === 'mqtts' || p.protocol === 'wss';
    const options: IClientOptions & { passphrase?: string } = {
      protocol: p.protocol,
      host: p.host,
      port: p.port,
      protocolVersion: p.mqttVersion,
      clean: p.cleanStart,
      keepalive: p.keepAliveSeconds,
      reconnectPeriod: 0,
      connectTimeout: connectTimeoutMs,
      resubscribe: true,
      clientId: p.clientId || `fieldbench-${Math.random().toString(16).slice(2, 10)}`,
    };
    if (p.path) options.path = p.path;
    if (p.username !== undefined) options.username = p.username;
    if (p.secrets.password !== undefined) options.password = p.secrets.password;
    if (secure) {
      options.ca = p.caPem ? [p.caPem] : systemTrustStore();
      options.rejectUnauthorized = !p.insecureSkipVerify;
      if (p.certPem) options.cert = p.certPem;
      if (p.secrets.keyPem) options.key = p.secrets.keyPem;
      if (p.secrets.passphrase) options.passphrase = p.secrets.passphrase;
      const servername = p.servername ?? (/^[\d.]+$|:/.test(p.host) ? undefined : p.host);
      if (servername) options.servername = servername;
      if (p.alpn && p.alpn.length > 0) options.ALPNProtocols = p.alpn;
      if (p.protocol === 'wss') {
        options.wsOptions = {
          ca: options.ca,
          cert: options.cert,
          key: options.key,
          passphrase: options.passphrase,
          rejectUnauthorized: options.rejectUnauthorized,
          servername: options.servername,
        } as IClientOptions['wsOptions'];
      }
    }
    return options;
  }
}
