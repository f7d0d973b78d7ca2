import crypto, { X509Certificate } from 'node:crypto';
import type { Database } from 'better-sqlite3';
import type { Pki } from '../pki';

const SIGNER_KEY = 'signer.serial';
const SIGNER_NAME = 'fieldbench-commissioning-records';
const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** JSON with object keys sorted at every level: the exact bytes a signature covers. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export interface SignedRecord {
  signature: string;
  signerPem: string;
}

export interface Verification {
  valid: boolean;
  reason: string;
  signerSubject: string | null;
  signerFingerprint: string | null;
}

const digestFor = (key: crypto.KeyObject) =>
  key.asymmetricKeyType === 'ed25519' || key.asymmetricKeyType === 'ed448' ? null : 'sha256';

/**
 * Signs commissioning records with a dedicated certificate that Fieldbench's issuing CA issues once (its
 * private key stays sealed in the PKI). Verification checks the signature, the chain up to Fieldbench's
 * root and that the signer was not revoked.
 */
export class RecordSigner {
  constructor(
    private readonly db: Database,
    private readonly pki: Pki,
  ) {}

  private async signer(): Promise<{ pem: string; key: crypto.KeyObject }> {
    const row = this.db
      .prepare<[string], { value: string }>('SELECT value FROM commissioning_meta WHERE key = ?')
      .get(SIGNER_KEY);
    let serial = row?.value;
    if (!serial || !this.pki.getCertificate(serial) || this.pki.isRevoked(serial)) {
      serial = (await this.pki.issueDeviceCertificate({ name: SIGNER_NAME, accountId: null })).serial;
      this.db
        .prepare('INSERT OR REPLACE INTO commissioning_meta (key, value) VALUES (?, ?)')
        .run(SIGNER_KEY, serial);
    }
    const exported = this.pki.exportPem(serial, { includePrivateKey: true });
    if (!exported.privateKeyPem) throw new Error('the record signer has no private key');
    return { pem: exported.certificatePem, key: crypto.createPrivateKey(exported.privateKeyPem) };
  }

  async sign(record: unknown): Promise<SignedRecord> {
    const { pem, key } = await this.signer();
    const signature = crypto.sign(digestFor(key), Buffer.from(canonicalJson(record)), key);
    return { signature: signature.toString('base64'), signerPem: pem };
  }

  verify(record: unknown, signed: SignedRecord): Verification {
    let signer: X509Certificate;
    try {
      signer = new X509Certificate(signed.signerPem);
    } catch {
      return {
        valid: false,
        reason: 'the signer certificate is unreadable',
        signerSubject: null,
        signerFingerprint: null,
      };
    }
    const who = { signerSubject: signer.subject, signerFingerprint: signer.fingerprint256 };
    const ok = crypto.verify(
      digestFor(signer.publicKey),
      Buffer.from(canonicalJson(record)),
      signer.publicKey,
      Buffer.from(signed.signature, 'base64'),
    );
    if (!ok) return { valid: false, reason: 'the signature does not match the record (altered?)', ...who };
    const chain = (this.pki.caChainPem().match(PEM_CERT) ?? []).map((p) => new X509Certificate(p));
    const roots = new Set(
      this.pki
        .listAuthorities()
        .filter((a) => a.role === 'root')
        .map((a) => new X509Certificate(a.certificatePem).fingerprint256),
    );
    let current = signer;
    for (let depth = 0; depth < 5; depth++) {
      if (roots.has(current.fingerprint256)) break;
      const issuer = chain.find((c) => current.checkIssued(c) && current.verify(c.publicKey));
      if (!issuer)
        return { valid: false, reason: "the signer is not issued by this Fieldbench's CA", ...who };
      current = issuer;
    }
    if (!roots.has(current.fingerprint256)) {
      return { valid: false, reason: "the signer does not chain to this Fieldbench's root CA", ...who };
    }
    if (this.pki.isRevoked(signer.serialNumber.toLowerCase()) || this.pki.isRevoked(signer.serialNumber)) {
      return { valid: false, reason: 'the signer certificate was revoked', ...who };
    }
    return { valid: true, reason: "signed by Fieldbench's CA", ...who };
  }
}
