import crypto from 'node:crypto';

const MAX_ENTRIES = 100_000;

/**
 * Remembers, in memory only, a keyed HMAC of passwords that recently passed scrypt, so a fleet
 * reconnecting after a restart does not queue behind tens of milliseconds of scrypt per device.
 * Entries are tied to the stored hash, so a password change invalidates them. Wrong passwords
 * never hit the cache and still pay the full scrypt cost.
 */
export class VerifiedLoginCache {
  private readonly key = crypto.randomBytes(32);
  private readonly entries = new Map<string, Buffer>();

  private mac(storedHash: string, password: string): Buffer {
    return crypto
      .createHmac('sha256', this.key)
      .update(storedHash)
      .update('\u0000')
      .update(password)
      .digest();
  }

  has(credentialId: string, storedHash: string, password: string): boolean {
    const entry = this.entries.get(credentialId);
    return entry !== undefined && crypto.timingSafeEqual(entry, this.mac(storedHash, password));
  }

  remember(credentialId: string, storedHash: string, password: string): void {
    if (this.entries.size >= MAX_ENTRIES) this.entries.clear();
    this.entries.set(credentialId, this.mac(storedHash, password));
  }

  forget(credentialId: string): void {
    this.entries.delete(credentialId);
  }
}
