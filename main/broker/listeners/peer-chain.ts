import type { DetailedPeerCertificate, PeerCertificate, TLSSocket } from 'node:tls';

const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';
const ANY_EXTENDED_KEY_USAGE = '2.5.29.37.0';

/** The peer's certificate chain, leaf first, without the self-reference of the root. */
export function peerChain(socket: TLSSocket): PeerCertificate[] {
  const chain: PeerCertificate[] = [];
  let cert: DetailedPeerCertificate | undefined = socket.getPeerCertificate(true);
  const seen = new Set<string>();
  while (cert && Object.keys(cert).length > 0 && !seen.has(cert.fingerprint256)) {
    seen.add(cert.fingerprint256);
    chain.push(cert);
    cert = cert.issuerCertificate;
  }
  return chain;
}

/** False when the leaf restricts its extended key usage and TLS client authentication is not among it. */
export function allowsClientAuth(leaf: PeerCertificate): boolean {
  const eku = (leaf as DetailedPeerCertificate & { ext_key_usage?: string[] }).ext_key_usage;
  return !eku || eku.includes(CLIENT_AUTH) || eku.includes(ANY_EXTENDED_KEY_USAGE);
}
