import tls from 'node:tls';
import type { ListenerOptions } from './listener-options';
import type { ServerCertificate, TlsMaterial } from './types';

/** What a `tls.Server` is created with; the same shape `setSecureContext` accepts. */
export type ServerSecureOptions = tls.SecureContextOptions & {
  requestCert: boolean;
  rejectUnauthorized: boolean;
  ALPNProtocols?: string[];
  SNICallback?: tls.TlsOptions['SNICallback'];
};

/**
 * Secure contexts of one TLS listener: a default context plus per-host-name contexts for SNI.
 * `load` validates everything first, so a bad PEM leaves the previous contexts in place.
 */
export class TlsContexts {
  private byHostname = new Map<string, tls.SecureContext>();
  private wildcard = new Map<string, tls.SecureContext>();

  constructor(
    private readonly options: ListenerOptions,
    private readonly requireClientCertificate: boolean,
  ) {}

  /** Builds contexts for `material`; throws a readable Error when a PEM is unusable. */
  load(material: TlsMaterial): ServerSecureOptions {
    const [first] = material.certificates;
    if (!first) throw new Error('no server certificate was supplied');
    const defaultCert = material.certificates.find((c) => !c.hostnames?.length) ?? first;
    const base = this.contextOptions(material, defaultCert);
    createContext(base, defaultCert);
    const byHostname = new Map<string, tls.SecureContext>();
    const wildcard = new Map<string, tls.SecureContext>();
    for (const cert of material.certificates) {
      if (!cert.hostnames?.length) continue;
      const context = createContext(this.contextOptions(material, cert), cert);
      for (const name of cert.hostnames) {
        const lower = name.toLowerCase();
        if (lower.startsWith('*.')) wildcard.set(lower.slice(2), context);
        else byHostname.set(lower, context);
      }
    }
    this.byHostname = byHostname;
    this.wildcard = wildcard;
    return {
      ...base,
      requestCert: this.requireClientCertificate,
      // Verification is checked after the handshake so refusals can be explained precisely.
      rejectUnauthorized: false,
      ...(this.options.alpnProtocols.length ? { ALPNProtocols: this.options.alpnProtocols } : {}),
      ...(byHostname.size || wildcard.size ? { SNICallback: this.sniCallback } : {}),
    };
  }

  private readonly sniCallback = (
    servername: string,
    cb: (err: Error | null, ctx?: tls.SecureContext) => void,
  ) => {
    const name = servername.toLowerCase();
    const exact = this.byHostname.get(name);
    if (exact) return cb(null, exact);
    const dot = name.indexOf('.');
    const wild = dot > 0 ? this.wildcard.get(name.slice(dot + 1)) : undefined;
    // undefined → the server's default context
    cb(null, wild);
  };

  private contextOptions(material: TlsMaterial, cert: ServerCertificate): tls.SecureContextOptions {
    return {
      cert: cert.cert,
      key: cert.key,
      ...(cert.passphrase ? { passphrase: cert.passphrase } : {}),
      ...(material.ca ? { ca: material.ca } : {}),
      ...(material.crl?.length ? { crl: material.crl } : {}),
      minVersion: this.options.minTlsVersion,
    };
  }
}

function createContext(options: tls.SecureContextOptions, cert: ServerCertificate): tls.SecureContext {
  try {
    return tls.createSecureContext(options);
  } catch (err) {
    const names = cert.hostnames?.length ? ` for ${cert.hostnames.join(', ')}` : '';
    throw new Error(`the TLS certificate, key, CA or CRL${names} is not usable: ${describe(err)}`);
  }
}

function describe(err: unknown): string {
  const e = err as { code?: string; reason?: string; message?: string };
  if (e.code === 'ERR_OSSL_X509_KEY_VALUES_MISMATCH' || /key values mismatch/i.test(e.message ?? '')) {
    return 'the private key does not belong to the certificate';
  }
  if (/no start line|bad base64|PEM/i.test(e.message ?? '')) return `malformed PEM (${e.message})`;
  return e.reason ?? e.message ?? String(err);
}
