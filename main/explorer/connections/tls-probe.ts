import tls from 'node:tls';
import type { ExplorerConnectionError } from '../../../preload/contract/explorer';

type ChainEntry = NonNullable<ExplorerConnectionError['serverChain']>[number];

function nameOf(dn: Record<string, string | string[]> | undefined): string {
  if (!dn) return '';
  return Object.entries(dn)
    .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join('+') : v}`)
    .join(', ');
}

/**
 * Connects once without verification to read the server's certificate chain, so a TLS failure can
 * be explained with what the server actually presented. Resolves to [] when even that fails.
 */
export function probeServerChain(options: {
  host: string;
  port: number;
  servername?: string;
  alpn?: string[];
  timeoutMs?: number;
}): Promise<ChainEntry[]> {
  return new Promise((resolve) => {
    const servername = options.servername ?? (isIp(options.host) ? undefined : options.host);
    const socket = tls.connect({
      host: options.host,
      port: options.port,
      rejectUnauthorized: false,
      ...(servername ? { servername } : {}),
      ...(options.alpn ? { ALPNProtocols: options.alpn } : {}),
    });
    const done = (chain: ChainEntry[]) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(chain);
    };
    const timer = setTimeout(() => done([]), options.timeoutMs ?? 3000);
    socket.once('secureConnect', () => done(summarizeChain(socket.getPeerCertificate(true))));
    socket.once('error', () => done([]));
  });
}

export function summarizeChain(leaf: tls.DetailedPeerCertificate | undefined): ChainEntry[] {
  const chain: ChainEntry[] = [];
  const seen = new Set<string>();
  let cert: tls.DetailedPeerCertificate | undefined = leaf;
  while (cert && Object.keys(cert).length > 0 && !seen.has(cert.fingerprint256)) {
    seen.add(cert.fingerprint256);
    const entry: ChainEntry = {
      subject: nameOf(cert.subject as unknown as Record<string, string>),
      issuer: nameOf(cert.issuer as unknown as Record<string, string>),
      validFrom: cert.valid_from,
      validTo: cert.valid_to,
      fingerprint256: cert.fingerprint256,
    };
    if (cert.subjectaltname) entry.subjectAltName = cert.subjectaltname;
    chain.push(entry);
    cert = cert.issuerCertificate;
  }
  return chain;
}

function isIp(host: string): boolean {
  return /^[\d.]+$/.test(host) || host.includes(':');
}
