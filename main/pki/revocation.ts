import { DAY_MS, type PkiContext } from './context';
import { buildCrl } from './crl';
import { PkiError } from './errors';
import { normalizeSerial } from './serial';
import type { SigningAuthority } from './signing-authority';
import type { CertificateRecord, RevocationReason } from './types';

const CRL_LIFETIME_DAYS = 30;
/** CRLs are re-signed once less than this much of their lifetime is left (an expired CRL fails every handshake). */
const CRL_REFRESH_BEFORE_MS = 15 * DAY_MS;

export type RevokedListener = (cert: CertificateRecord) => void;

export class Revocation {
  private readonly listeners = new Set<RevokedListener>();
  private readonly crls = new Map<string, string>();
  private signing: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly ctx: PkiContext,
    private readonly onCrlChanged: () => void,
  ) {}

  private signers(): SigningAuthority[] {
    return [this.ctx.authorities.root, this.ctx.authorities.issuing];
  }

  /** Loads stored CRLs, re-signing any that are missing or close to their next update. */
  async refresh(force = false): Promise<boolean> {
    let changed = false;
    const now = this.ctx.now().getTime();
    const stored = new Map(this.ctx.repo.authorities().map((a) => [a.id, a]));
    for (const signer of this.signers()) {
      const row = stored.get(signer.id);
      if (!row) continue;
      if (
        !force &&
        row.crlPem &&
        row.crlNextUpdate !== null &&
        row.crlNextUpdate - now > CRL_REFRESH_BEFORE_MS
      ) {
        this.crls.set(signer.id, row.crlPem);
        continue;
      }
      await this.resign(signer);
      changed = true;
    }
    return changed;
  }

  /** Re-signs one CRL; serialized so concurrent revocations get increasing CRL numbers and the newest list wins. */
  private resign(signer: SigningAuthority): Promise<void> {
    const run = this.signing.then(async () => {
      const crlNumber = (this.ctx.repo.authorities().find((a) => a.id === signer.id)?.crlNumber ?? 0) + 1;
      const now = this.ctx.now();
      const nextUpdate = new Date(now.getTime() + CRL_LIFETIME_DAYS * DAY_MS);
      const pem = await buildCrl(signer, this.ctx.repo.revokedBy(signer.id), crlNumber, now, nextUpdate);
      this.ctx.repo.saveCrl(signer.id, crlNumber, pem, nextUpdate.getTime());
      this.crls.set(signer.id, pem);
    });
    this.signing = run.catch(() => {});
    return run;
  }

  async revoke(serial: string, reason: RevocationReason): Promise<CertificateRecord> {
    const key = normalizeSerial(serial);
    const cert = this.ctx.repo.certificate(key);
    if (!cert) throw new PkiError('NOT_FOUND', `No certificate with serial ${serial}`);
    if (!this.ctx.repo.markRevoked(key, reason, this.ctx.now().getTime())) {
      throw new PkiError('CONFLICT', `Certificate ${key} (${cert.commonName}) is already revoked`);
    }
    await this.resign(this.ctx.authorities.issuing);
    const revoked = this.ctx.repo.certificate(key) ?? cert;
    this.ctx.logger?.info({ serial: key, cn: cert.commonName, reason }, 'revoked certificate');
    this.onCrlChanged();
    for (const listener of this.listeners) listener(revoked);
    return revoked;
  }

  isRevoked(serial: string): boolean {
    return this.ctx.repo.isRevoked(normalizeSerial(serial));
  }

  /** The issuing CA's CRL (the one that lists device and server certificates). */
  crlPem(): string {
    return this.crls.get(this.ctx.authorities.issuing.id) ?? '';
  }

  /** Root and issuing CA CRLs: Node's `crl` option checks every certificate of the chain, so both are needed. */
  allCrls(): string[] {
    return this.signers()
      .map((s) => this.crls.get(s.id))
      .filter((pem): pem is string => !!pem);
  }

  onRevoked(listener: RevokedListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
