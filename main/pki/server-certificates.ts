import net from 'node:net';
import type { KeyAlgorithm } from './algorithms';
import { BACKDATE_MS } from './authorities';
import { buildLeafCertificate } from './certificate-builder';
import { DAY_MS, type PkiContext } from './context';
import { PkiError } from './errors';
import { generateDerKeyPair, pkcs8ToPem, sealKey, unsealKey } from './keys';
import type { StoredCertificate } from './repository';
import type { CertificateRecord, SubjectAltNames } from './types';

export interface ServerCertificateRequest {
  dnsNames?: string[];
  ipAddresses?: string[];
  validityDays?: number;
  keyAlgorithm?: KeyAlgorithm;
  /** Defaults to the first DNS name or IP address. */
  commonName?: string;
}

/** What a TLS listener needs: PEM certificate chain (leaf first) and key. */
export interface ServerCredentials {
  serial: string;
  cert: string;
  key: string;
  notAfter: number;
}

export interface RenewedServerCertificate {
  previousSerial: string;
  credentials: ServerCredentials;
}

const DNS_NAME = /^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i;

function checkSans(sans: SubjectAltNames): void {
  if (sans.dnsNames.length + sans.ipAddresses.length === 0) {
    throw new PkiError('BAD_REQUEST', 'A server certificate needs at least one DNS name or IP address');
  }
  for (const dns of sans.dnsNames) {
    if (!DNS_NAME.test(dns)) throw new PkiError('BAD_REQUEST', `Not a valid DNS name: "${dns}"`);
  }
  for (const ip of sans.ipAddresses) {
    if (!net.isIP(ip)) throw new PkiError('BAD_REQUEST', `Not a valid IP address: "${ip}"`);
  }
}

export class ServerCertificates {
  constructor(private readonly ctx: PkiContext) {}

  async issue(req: ServerCertificateRequest): Promise<CertificateRecord> {
    const sans = { dnsNames: req.dnsNames ?? [], ipAddresses: req.ipAddresses ?? [] };
    checkSans(sans);
    const days = req.validityDays ?? 397;
    if (!Number.isInteger(days) || days < 1 || days > 3650) {
      throw new PkiError('BAD_REQUEST', `Validity must be 1..3650 days, got ${days}`);
    }
    const algorithm = req.keyAlgorithm ?? 'ec-p256';
    const commonName = req.commonName ?? sans.dnsNames[0] ?? sans.ipAddresses[0] ?? 'fieldbench';
    const keys = await generateDerKeyPair(algorithm);
    const now = this.ctx.now().getTime();
    const issuer = this.ctx.authorities.issuing;
    const built = buildLeafCertificate({
      issuer,
      commonName,
      spki: keys.spki,
      profile: 'server',
      notBefore: new Date(now - BACKDATE_MS),
      notAfter: new Date(now + days * DAY_MS),
      sans,
      isRsaKey: algorithm.startsWith('rsa'),
    });
    this.ctx.repo.insertCertificates([
      {
        serial: built.serial,
        kind: 'server',
        issuerId: issuer.id,
        subject: built.subject,
        commonName,
        accountId: null,
        keyAlgorithm: algorithm,
        notBefore: built.notBefore.getTime(),
        notAfter: built.notAfter.getTime(),
        fingerprintSha256: built.fingerprintSha256,
        certificatePem: built.pem,
        keySealed: sealKey(this.ctx.protector, keys.pkcs8),
        sans,
        validityDays: days,
        batchId: null,
        createdAt: now,
      },
    ]);
    this.ctx.logger?.info({ serial: built.serial, sans }, 'issued server certificate');
    return this.stored(built.serial);
  }

  private stored(serial: string): StoredCertificate {
    const cert = this.ctx.repo.certificate(serial);
    if (!cert) throw new PkiError('NOT_FOUND', `No certificate with serial ${serial}`);
    return cert;
  }

  /** Certificate chain and decrypted key for a listener; only for server certificates. */
  credentials(serial: string): ServerCredentials {
    const cert = this.stored(serial);
    if (cert.kind !== 'server') throw new PkiError('BAD_REQUEST', `${serial} is not a server certificate`);
    const sealed = this.ctx.repo.sealedKey(serial);
    if (!sealed) throw new PkiError('NOT_FOUND', `Certificate ${serial} has no stored private key`);
    return {
      serial,
      cert: cert.certificatePem + this.ctx.authorities.issuing.pem,
      key: pkcs8ToPem(unsealKey(this.ctx.protector, sealed)),
      notAfter: cert.notAfter,
    };
  }

  /** Re-issues every current server certificate expiring within `renewBeforeDays`, keeping its names and lifetime. */
  async renewDue(renewBeforeDays: number): Promise<RenewedServerCertificate[]> {
    const horizon = this.ctx.now().getTime() + renewBeforeDays * DAY_MS;
    const renewed: RenewedServerCertificate[] = [];
    for (const old of this.ctx.repo.serverCertificatesExpiringBefore(horizon)) {
      const next = await this.issue({
        ...(old.sans ?? {}),
        validityDays: old.validityDays,
        keyAlgorithm: old.keyAlgorithm === 'external' ? 'ec-p256' : old.keyAlgorithm,
        commonName: old.commonName,
      });
      this.ctx.repo.markReplaced(old.serial, next.serial);
      this.ctx.logger?.info({ previous: old.serial, serial: next.serial }, 'renewed server certificate');
      renewed.push({ previousSerial: old.serial, credentials: this.credentials(next.serial) });
    }
    return renewed;
  }
}
