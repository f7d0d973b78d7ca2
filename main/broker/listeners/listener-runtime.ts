import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import tls from 'node:tls';
import type { Logger } from 'pino';
import type { WebSocketServer } from 'ws';
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
import { attachWebSocket, type UpgradeRoute } from './websocket-upgrade';

export interface RuntimeDeps {
  sink: ConnectionSink;
  logger: Logger;
  onHandshakeFailure: (failure: HandshakeFailure) => void;
  /** Other WebSocket services on ws/wss listeners, consulted outside the MQTT path. */
  upgradeRoutes?: readonly UpgradeRoute[];
}

/** One started listener: its server socket, its clients and their counters. */
export class ListenerRuntime {
  readonly connections = new ConnectionTracker();
  boundPort: number | null = null;
  private server: net.Server | undefined;
  private readonly rawSockets = new RawSocketSet();
  private wss: WebSocketServer | undefined;
  private readonly tlsContexts: TlsContexts | undefined;
  private readonly info: ListenerInfo;

  constructor(
    private readonly record: ListenerRecord,
    private readonly deps: RuntimeDeps,
  ) {
    this.info = { id: record.id, kind: record.kind, host: record.host, port: record.port };
    if (isTls(record)) this.tlsContexts = new TlsContexts(record.options, record.kind === 'mqtts-mutual');
  }

  /** Binds the port; rejects with a readable Error (bad PEM, port in use, ...). */
  async start(material: TlsMaterial | undefined): Promise<void> {
    const server = this.createServer(material);
    this.server = server;
    if (this.record.options.maxConnections > 0) server.maxConnections = this.record.options.maxConnections;
    server.on('drop', () => this.connections.refusedConnections++);
    server.on('connection', (raw: net.Socket) => this.rawSockets.add(raw));
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
    this.wss?.close();
    this.connections.destroyAll();
    this.rawSockets.destroyAll();
    if (server instanceof http.Server) server.closeAllConnections();
    await closed;
    this.boundPort = null;
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
        return this.withWebSocket(http.createServer());
      case 'wss': {
        const server = https.createServer(tlsOptions!);
        this.watchHandshakes(server);
        // https has no per-connection hook before HTTP takes over; SNI is checked here.
        server.prependListener('secureConnection', (socket: tls.TLSSocket) => this.checkSni(socket));
        return this.withWebSocket(server);
      }
    }
  }

  private withWebSocket(server: http.Server): net.Server {
    this.wss = attachWebSocket(
      server,
      this.record.options.wsPath,
      (stream, socket) => this.accept(stream, socket),
      this.deps.upgradeRoutes,
    );
    return server;
  }

  private accept(stream: Duplex, socket: net.Socket, peerCertificates?: tls.PeerCertificate[]): void {
    if (socket.destroyed) return;
    socket.setNoDelay(true);
    this.connections.track(socket);
    const remoteAddress = socket.remoteAddress ?? 'unknown';
    try {
      this.deps.sink.handleConnection(stream, {
        listener: { ...this.info },
        remoteAddress,
        ...(peerCertificates ? { peerCertificates } : {}),
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
