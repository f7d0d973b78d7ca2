import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import tls from 'node:tls';
import type { Logger } from 'pino';
import { createWebSocketStream } from 'ws';
import type { BrokerLimits } from '../types';
import { type AddressGuard, admissionCountingSocket, admissionOf } from './address-guard';
import { ConnectionTracker } from './connection-tracker';
import { RawSocketSet } from './raw-socket-set';
import {
  explainHandshakeError,
  explainVerifyResult,
  missingSni,
  noClientCertificate,
  wrongExtendedKeyUsage,
} from './handshake-failure-reason';
import { describeListenError } from './listen-error';
import { allowsClientAuth, peerChain } from './peer-chain';
import { type ServerSecureOptions, TlsContexts } from './tls-contexts';
import type { ConnectionSink, HandshakeFailure, ListenerInfo, ListenerRecord, TlsMaterial } from './types';
import { RefusalLog } from './refusal-log';
import {
  normalizeOrigin,
  type UpgradeFallback,
  type UpgradeRoute,
  WebSocketUpgrade,
} from './websocket-upgrade';

const MQTT_SUBPROTOCOLS = ['mqtt', 'mqttv3.1'];
/** A WebSocket frame may carry one whole MQTT packet: its fixed header (up to 5 bytes) plus the limit. */
const MQTT_FIXED_HEADER_BYTES = 5;
/** How often a plain HTTP server looks for connections past their header/request timeout. */
const HTTP_TIMEOUT_CHECK_MS = 1000;

export interface RuntimeDeps {
  sink: ConnectionSink;
  logger: Logger;
  onHandshakeFailure: (failure: HandshakeFailure) => void;
  /** Per-address limits shared by all listeners. */
  guard: AddressGuard;
  limits: () => BrokerLimits;
  /** Origins of Fieldbench's own UI, always allowed on WebSocket listeners. */
  uiOrigins: () => string[];
  /** Other WebSocket services of ws/wss listeners, beside MQTT. */
  webSocketRoutes: (listener: Readonly<ListenerRecord>) => UpgradeRoute[];
  /** Services that pick their own paths (the resource API), asked about paths no route serves. */
  upgradeFallbacks?: readonly UpgradeFallback[];
}

/** One started listener: its server socket, its clients and their counters. */
export class ListenerRuntime {
  readonly connections = new ConnectionTracker();
  boundPort: number | null = null;
  private server: net.Server | undefined;
  private readonly rawSockets = new RawSocketSet();
  private upgrades: WebSocketUpgrade | undefined;
  private readonly tlsContexts: TlsContexts | undefined;
  private readonly info: ListenerInfo;
  private readonly refusals: RefusalLog;

  constructor(
    private readonly record: ListenerRecord,
    private readonly deps: RuntimeDeps,
  ) {
    this.info = { id: record.id, kind: record.kind, host: record.host, port: record.port };
    this.refusals = new RefusalLog(deps.logger);
    if (isTls(record)) this.tlsContexts = new TlsContexts(record.options, record.kind === 'mqtts-mutual');
  }

  /** Binds the port; rejects with a readable Error (bad PEM, port in use, ...). */
  async start(material: TlsMaterial | undefined): Promise<void> {
    const server = this.createServer(material);
    this.server = server;
    if (this.record.options.maxConnections > 0) server.maxConnections = this.record.options.maxConnections;
    server.on('drop', () => this.connections.refusedConnections++);
    // Before the TLS or HTTP layer sees the socket, so a refused one costs nothing more.
    server.prependListener('connection', (raw: net.Socket) => this.admit(raw));
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error) =>
        reject(new Error(describeListenError(err, this.record.host, this.record.port)));
      server.once('error', onError);
      server.listen({ port: this.record.port, host: this.record.host }, () => {
        server.off('error', onError);
        resolve();
      });
    });
    server.on('error', (err) => this.deps.logger.error({ err, listener: this.record.id }, 'listener error'));
    const address = server.address();
    this.boundPort = typeof address === 'object' && address ? address.port : null;
    this.info.port = this.boundPort ?? this.record.port;
  }

  /** New handshakes use `material`; connected clients keep their session. Throws if the PEMs are unusable. */
  updateTls(material: TlsMaterial): void {
    if (!this.tlsContexts || !(this.server instanceof tls.Server)) {
      throw new Error(`listener ${this.record.id} does not use TLS`);
    }
    this.server.setSecureContext(this.tlsContexts.load(material));
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    this.upgrades?.close();
    this.connections.destroyAll();
    this.rawSockets.destroyAll();
    if (server instanceof http.Server) server.closeAllConnections();
    await closed;
    this.boundPort = null;
  }

  private admit(raw: net.Socket): void {
    const admission = this.deps.guard.admit(raw);
    if (typeof admission !== 'string') {
      this.rawSockets.add(raw);
      return;
    }
    this.connections.refusedConnections++;
    const limit =
      admission === 'too-many-connections'
        ? 'connections per address (maxConnectionsPerAddress)'
        : 'unauthenticated connections per address (maxUnauthenticatedPerAddress)';
    this.refusals.warn(
      { listener: this.record.id, remoteAddress: raw.remoteAddress, reason: admission },
      `connection refused: limit of ${limit} reached`,
    );
    raw.destroy();
  }

  private createServer(material: TlsMaterial | undefined): net.Server {
    const secure = this.tlsContexts && material ? this.tlsContexts.load(material) : undefined;
    const tlsOptions = secure
      ? { ...secure, handshakeTimeout: this.record.options.handshakeTimeoutMs }
      : undefined;
    switch (this.record.kind) {
      case 'mqtt':
        return net.createServer({ noDelay: true }, (socket) => this.accept(socket, socket));
      case 'mqtts':
      case 'mqtts-mutual': {
        const server = tls.createServer(tlsOptions!, (socket) => this.acceptTls(socket));
        this.watchHandshakes(server);
        return server;
      }
      case 'ws':
        return this.withWebSocket(http.createServer({ connectionsCheckingInterval: HTTP_TIMEOUT_CHECK_MS }));
      case 'wss': {
        const server = https.createServer({
          ...tlsOptions!,
          connectionsCheckingInterval: HTTP_TIMEOUT_CHECK_MS,
        });
        this.watchHandshakes(server);
        // https has no per-connection hook before HTTP takes over; SNI is checked here.
        server.prependListener('secureConnection', (socket: tls.TLSSocket) => this.checkSni(socket));
        return this.withWebSocket(server);
      }
    }
  }

  private withWebSocket(server: http.Server): net.Server {
    const limits = this.deps.limits();
    // The HTTP upgrade must arrive within the time a TCP client has to send CONNECT.
    server.headersTimeout = server.requestTimeout = limits.connectTimeoutMs;
    const allowed = new Set(this.record.options.allowedOrigins.map(normalizeOrigin));
    this.upgrades = new WebSocketUpgrade(server, {
      maxFrameBytes: limits.maxPacketSize + MQTT_FIXED_HEADER_BYTES,
      upgradeTimeoutMs: limits.connectTimeoutMs,
      secure: server instanceof https.Server,
      ...(this.deps.upgradeFallbacks ? { fallbacks: this.deps.upgradeFallbacks } : {}),
      originAllowed: (origin) => {
        const normalized = normalizeOrigin(origin);
        return (
          allowed.has('*') ||
          allowed.has(normalized) ||
          this.deps.uiOrigins().some((ui) => normalizeOrigin(ui) === normalized)
        );
      },
      onRefused: ({ status, why, remoteAddress, origin }) =>
        this.refusals.warn(
          { listener: this.record.id, remoteAddress, status, ...(origin ? { origin } : {}) },
          `WebSocket upgrade refused (${status}): ${why}`,
        ),
    });
    this.upgrades.addRoute({
      path: this.record.options.wsPath,
      subprotocols: MQTT_SUBPROTOCOLS,
      description: 'MQTT over WebSocket',
      onSocket: (ws, _req, socket) => {
        ws.binaryType = 'nodebuffer';
        // On a protocol error (e.g. a frame over the limit) ws would keep reading and discarding for up to
        // 30 s while it waits for the peer's close frame; a hostile peer gets no such courtesy.
        ws.once('error', () => ws.terminate());
        const admission = admissionCountingSocket(socket, () =>
          this.refusals.warn(
            { listener: this.record.id, remoteAddress: socket.remoteAddress },
            'closing connection: too many bytes from this address before CONNACK',
          ),
        );
        this.accept(createWebSocketStream(ws), socket, undefined, admission);
      },
    });
    for (const route of this.deps.webSocketRoutes(this.record)) this.upgrades.addRoute(route);
    return server;
  }

  private accept(
    stream: Duplex,
    socket: net.Socket,
    peerCertificates?: tls.PeerCertificate[],
    admission = admissionOf(socket),
  ): void {
    if (socket.destroyed) return;
    socket.setNoDelay(true);
    this.connections.track(socket);
    const remoteAddress = socket.remoteAddress ?? 'unknown';
    try {
      this.deps.sink.handleConnection(stream, {
        listener: { ...this.info },
        remoteAddress,
        ...(peerCertificates ? { peerCertificates } : {}),
        ...(admission ? { admission } : {}),
      });
    } catch (err) {
      this.deps.logger.error({ err, listener: this.record.id, remoteAddress }, 'broker refused connection');
      stream.destroy();
    }
  }

  private acceptTls(socket: tls.TLSSocket): void {
    if (!this.checkSni(socket)) return;
    if (this.record.kind !== 'mqtts-mutual') {
      this.accept(socket, socket);
      return;
    }
    const refusal = this.clientCertificateRefusal(socket);
    if (refusal) {
      this.refuseTls(socket, refusal, refusal.detail);
      return;
    }
    this.accept(socket, socket, peerChain(socket));
  }

  /** Why the client certificate on a mutual-TLS connection is not acceptable, or undefined when it is. */
  private clientCertificateRefusal(socket: tls.TLSSocket) {
    const leaf = peerChain(socket)[0];
    if (!leaf) return { ...noClientCertificate, detail: 'NO_PEER_CERTIFICATE' };
    if (!socket.authorized) {
      const code = String(socket.authorizationError ?? 'UNKNOWN');
      return { ...explainVerifyResult(code), detail: code };
    }
    if (!allowsClientAuth(leaf)) return { ...wrongExtendedKeyUsage, detail: 'EKU_WITHOUT_CLIENT_AUTH' };
    return undefined;
  }

  private checkSni(socket: tls.TLSSocket): boolean {
    if (!this.record.options.requireSni || socket.servername) return true;
    this.refuseTls(socket, missingSni, 'NO_SERVERNAME');
    return false;
  }

  private watchHandshakes(server: tls.Server): void {
    // Reading the address once caches it on the raw socket, so it is still known if the peer resets.
    server.on('connection', (raw: net.Socket) => raw.remoteAddress);
    server.on('tlsClientError', (err: Error & { code?: string }, socket: tls.TLSSocket) => {
      const remote =
        socket.remoteAddress ?? (socket as tls.TLSSocket & { _parent?: net.Socket })._parent?.remoteAddress;
      this.recordFailure(remote, explainHandshakeError(err), err.code ?? err.message);
      // Node leaves the socket open after some failures (e.g. handshake timeout); a listener must close it.
      socket.destroy();
    });
  }

  private refuseTls(
    socket: tls.TLSSocket,
    why: { reason: HandshakeFailure['reason']; message: string },
    detail: string,
  ): void {
    this.recordFailure(socket.remoteAddress, why, detail);
    socket.destroy();
  }

  private recordFailure(
    remoteAddress: string | undefined,
    why: { reason: HandshakeFailure['reason']; message: string },
    detail: string,
  ): void {
    this.deps.onHandshakeFailure({
      time: new Date().toISOString(),
      listenerId: this.record.id,
      listenerKind: this.record.kind,
      remoteAddress: remoteAddress ?? 'unknown',
      reason: why.reason,
      message: why.message,
      detail,
    });
  }
}

export function isTls(record: Pick<ListenerRecord, 'kind'>): boolean {
  return record.kind === 'mqtts' || record.kind === 'mqtts-mutual' || record.kind === 'wss';
}

export type { ServerSecureOptions };
