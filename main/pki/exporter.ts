import type { PkiContext } from './context';
import { PkiError } from './errors';
import { pkcs8ToPem, unsealKey } from './keys';
import { certificatesIn } from './pem';
import { buildPkcs12 } from './pkcs12';
import type { StoredCertificate } from './repository';
import { createZip } from './zip';

export interface PemExport {
  certificatePem: string;
  /** Issuing CA then root: what a peer needs to verify the certificate. */
  chainPem: string;
  privateKeyPem: string | null;
}

export interface BundleOptions {
  /** Broker host name or IP the device connects to (must match the server certificate). */
  host: string;
  port: number;
  topic?: string;
}

const MIN_PASSWORD_LENGTH = 4;

function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/**
 * A certificate without an account only proves the transport: the broker then decides the account by
 * the username and password of the CONNECT (see main/core/platform-hooks.ts).
 */
export const USERNAME_NOTE =
  'This certificate is not bound to an account, so the broker also needs a username and password ' +
  '(a credential of the account the device belongs to): replace USERNAME and PASSWORD before running.';

export function mosquittoPubCommand(
  clientId: string,
  options: BundleOptions & { needsLogin?: boolean },
): string {
  const topic = options.topic ?? `devices/${clientId}/hello`;
  return [
    'mosquitto_pub',
    `-h ${shellQuote(options.host)}`,
    `-p ${options.port}`,
    '--cafile ca-chain.pem',
    '--cert device.crt',
    '--key device.key',
    `-i ${shellQuote(clientId)}`,
    ...(options.needsLogin ? ["-u 'USERNAME'", "-P 'PASSWORD'"] : []),
    `-t ${shellQuote(topic)}`,
    `-m ${shellQuote(`hello from ${clientId}`)}`,
    '-q 1',
  ].join(' ');
}

/** The explicit ways key material leaves the PKI. */
export class Exporter {
  constructor(private readonly ctx: PkiContext) {}

  private certificate(serial: string): StoredCertificate {
    const cert = this.ctx.repo.certificate(serial);
    if (!cert) throw new PkiError('NOT_FOUND', `No certificate with serial ${serial}`);
    return cert;
  }

  private privateKey(cert: StoredCertificate): Buffer {
    const sealed = this.ctx.repo.sealedKey(cert.serial);
    if (!sealed) {
      throw new PkiError(
        'BAD_REQUEST',
        `${cert.commonName} was issued from a CSR; its private key is not held by Fieldbench`,
      );
    }
    return unsealKey(this.ctx.protector, sealed);
  }

  chainPem(): string {
    return this.ctx.authorities.issuing.pem + this.ctx.authorities.root.pem;
  }

  pem(serial: string, includePrivateKey: boolean): PemExport {
    const cert = this.certificate(serial);
    this.ctx.logger?.info({ serial, includePrivateKey }, 'exported certificate as PEM');
    return {
      certificatePem: cert.certificatePem,
      chainPem: this.chainPem(),
      privateKeyPem: includePrivateKey && cert.hasPrivateKey ? pkcs8ToPem(this.privateKey(cert)) : null,
    };
  }

  pkcs12(serial: string, password: string): Buffer {
    if (password.length < MIN_PASSWORD_LENGTH) {
      throw new PkiError(
        'BAD_REQUEST',
        `The PKCS#12 password must have at least ${MIN_PASSWORD_LENGTH} characters`,
      );
    }
    const cert = this.certificate(serial);
    const certificates = [cert.certificatePem, this.chainPem()].flatMap((pem) =>
      certificatesIn(pem).map((b) => b.der),
    );
    this.ctx.logger?.info({ serial }, 'exported certificate as PKCS#12');
    return buildPkcs12({
      privateKeyPkcs8: this.privateKey(cert),
      certificates,
      password,
      friendlyName: cert.commonName,
    });
  }

  /** ZIP with CA chain, certificate, key, and a ready-to-run mosquitto_pub command. */
  zipBundle(serial: string, options: BundleOptions): Buffer {
    const cert = this.certificate(serial);
    const key = pkcs8ToPem(this.privateKey(cert));
    const needsLogin = cert.accountId === null;
    const command = mosquittoPubCommand(cert.commonName, { ...options, needsLogin });
    const note = needsLogin ? `${USERNAME_NOTE}\n` : '';
    this.ctx.logger?.info({ serial, host: options.host, port: options.port }, 'exported certificate bundle');
    return createZip([
      { name: 'ca-chain.pem', data: this.chainPem() },
      { name: 'device.crt', data: cert.certificatePem },
      { name: 'device.key', data: key, mode: 0o600 },
      {
        name: 'mosquitto_pub.sh',
        data: `#!/bin/sh\n${note ? `# ${note}` : ''}cd "$(dirname "$0")" || exit 1\n${command}\n`,
        mode: 0o755,
      },
      {
        name: 'README.txt',
        data:
          `Device certificate for ${cert.commonName} (serial ${cert.serial}), valid until ` +
          `${new Date(cert.notAfter).toISOString()}.\n\nFrom this folder, publish a test message with:\n\n${command}\n` +
          (note ? `\n${note}` : ''),
      },
    ]);
  }
}
