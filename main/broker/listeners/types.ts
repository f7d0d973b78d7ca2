import type { PeerCertificate } from 'node:tls';
import type { Duplex } from 'node:stream';
import type { ListenerInfo, ListenerKind } from '../hooks';
import type { Admission } from '../types';
import type { ListenerOptions } from './listener-options';

export type { ListenerInfo, ListenerKind } from '../hooks';

/** A configured listener, as persisted (or created ephemerally from CLI flags). */
export interface ListenerRecord {
  id: string;
  kind: ListenerKind;
  host: string;
  /** Requested port; 0 lets the OS choose (see `ListenerStatus.boundPort`). */
  port: number;
  enabled: boolean;
  options: ListenerOptions;
  /** Ephemeral listeners come from CLI flags and are never written to the database. */
  ephemeral: boolean;
}

export type ListenerState = 'stopped' | 'starting' | 'running' | 'error';

export interface ListenerStatus extends ListenerRecord {
  state: ListenerState;
  /** Plain-language reason when `state` is `error`. */
  error?: string;
  boundPort: number | null;
  connectedClients: number;
  /** Connections closed right away because `maxConnections` was reached. */
  refusedConnections: number;
  totalConnections: number;
  bytesIn: number;
  bytesOut: number;
}

/** Server certificate for one or more SNI host names (none = default certificate). */
export interface ServerCertificate {
  cert: string;
  key: string;
  passphrase?: string;
  /** SNI names this certificate answers for; exact names or `*.example.com`. */
  hostnames?: string[];
}

/** PEM material a TLS listener needs; supplied by the PKI (or files) per listener id. */
export interface TlsMaterial {
  /** The first entry without `hostnames` (or simply the first) is the default certificate. */
  certificates: ServerCertificate[];
  /** CA bundle used to verify client certificates (mutual TLS) and sent as chain. */
  ca?: string | string[];
  /** Certificate revocation lists (PEM); revoked client certificates are refused. */
  crl?: string[];
}

export type TlsMaterialProvider = (
  listener: Readonly<ListenerRecord>,
) => TlsMaterial | null | undefined | Promise<TlsMaterial | null | undefined>;

export interface ConnectionInfo {
  listener: ListenerInfo;
  remoteAddress: string;
  peerCertificates?: PeerCertificate[];
  /** This connection's share of its address's limits, until CONNACK. */
  admission?: Admission;
}

/** The part of the broker a listener needs: something that takes over a connected byte stream. */
export interface ConnectionSink {
  handleConnection(stream: Duplex, conn: ConnectionInfo): void;
}

export type HandshakeFailureReason =
  | 'unknown-ca'
  | 'crl-expired'
  | 'certificate-expired'
  | 'certificate-not-yet-valid'
  | 'certificate-revoked'
  | 'wrong-key-usage'
  | 'no-client-certificate'
  | 'protocol-version'
  | 'no-shared-cipher'
  | 'missing-sni'
  | 'client-rejected-server-certificate'
  | 'not-tls'
  /** The certificate was valid but its common name is not the client id the device connected with. */
  | 'client-id-mismatch'
  | 'other';

export interface HandshakeFailure {
  time: string;
  listenerId: string;
  listenerKind: ListenerKind;
  remoteAddress: string;
  reason: HandshakeFailureReason;
  /** A sentence an operator can act on. */
  message: string;
  /** The raw OpenSSL / Node code, for support. */
  detail: string;
}
