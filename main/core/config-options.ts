import type { Logger } from 'pino';
import type { Pki } from '../pki';
import type { LockoutPolicy, Tenancy } from '../tenancy';
import type { FileConfig } from './config-file';

/** The lockout keys in seconds, as tenancy's policy in ms; the lock lasts as long as the window unless set. */
export function lockoutPolicyOf(config?: FileConfig): Partial<LockoutPolicy> | undefined {
  const lockout = config?.tenancy?.lockout;
  if (!lockout) return undefined;
  const policy: Partial<LockoutPolicy> = {};
  if (lockout.maxFailures !== undefined) policy.maxFailures = lockout.maxFailures;
  if (lockout.windowSeconds !== undefined) policy.windowMs = lockout.windowSeconds * 1000;
  const lockSeconds = lockout.lockSeconds ?? lockout.windowSeconds;
  if (lockSeconds !== undefined) policy.lockMs = lockSeconds * 1000;
  if (lockout.maxFailuresPerAddress !== undefined)
    policy.maxFailuresPerAddress = lockout.maxFailuresPerAddress;
  return policy;
}

/** `tenancy.lockout.maxQueuedLogins`: logins that may wait for a password hash. */
export function loginQueueOf(config?: FileConfig): { maxQueued: number } | undefined {
  const maxQueued = config?.tenancy?.lockout?.maxQueuedLogins;
  return maxQueued === undefined ? undefined : { maxQueued };
}

/**
 * The CA algorithm and root account name only apply when those are first created; a later config
 * that asks for something else cannot change them, so say so rather than ignore it silently.
 */
export function warnAboutFirstStartSettings(
  config: FileConfig | undefined,
  pki: Pki,
  tenancy: Tenancy,
  logger: Logger,
): void {
  const wantedAlgorithm = config?.pki?.authorityAlgorithm;
  const root = pki.listAuthorities().find((a) => a.role === 'root');
  if (wantedAlgorithm && root && root.keyAlgorithm !== wantedAlgorithm) {
    logger.warn(
      `pki.authorityAlgorithm is "${wantedAlgorithm}" but the existing local CA uses "${root.keyAlgorithm}"; ` +
        'the setting only applies when the CA is first created (in a new data directory)',
    );
  }
  const wantedRoot = config?.tenancy?.rootAccountName;
  const rootAccount = tenancy.accounts.root();
  if (wantedRoot && rootAccount && rootAccount.name !== wantedRoot) {
    logger.warn(
      `tenancy.rootAccountName is "${wantedRoot}" but the root account is already named "${rootAccount.name}"; ` +
        'the setting only applies when the root account is first created (rename it on the Accounts page)',
    );
  }
}
