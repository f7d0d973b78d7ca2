import { z } from 'zod';
import { method, type MethodSpec } from './define';

export const secretsStatusSchema = z.object({
  /** What seals the key that encrypts private keys and passwords at rest. */
  protection: z.enum(['key-file', 'os-keychain', 'passphrase']),
  /**
   * True on Linux desktops without a keyring: Electron's safeStorage then seals with a fixed, well-known
   * password ('basic_text'), so a copy of the data directory reveals the keys. Offer a passphrase.
   */
  fixedPassword: z.boolean(),
  /** Whether `secrets.setPassphrase` is offered here (desktop). */
  canSetPassphrase: z.boolean(),
  /** True while a desktop start waits for the passphrase (`secrets.unlock`); every other method is UNAVAILABLE. */
  locked: z.boolean(),
});
export type SecretsStatus = z.infer<typeof secretsStatusSchema>;

export const secretsMethods = {
  'secrets.status': method(
    z.object({}).strict(),
    secretsStatusSchema,
    'How secrets at rest are sealed here.',
  ),
  'secrets.setPassphrase': method(
    z
      .object({
        passphrase: z.string().min(8).max(1024),
        /** Required when a passphrase is already set. */
        currentPassphrase: z.string().max(1024).optional(),
      })
      .strict(),
    secretsStatusSchema,
    'Seals the data key with an operator passphrase (scrypt; stored nowhere), or changes it. A wrong current passphrase is FORBIDDEN and changes nothing.',
  ),
  'secrets.unlock': method(
    z.object({ passphrase: z.string().min(1).max(1024) }).strict(),
    secretsStatusSchema,
    'At a locked start: opens the data key with the passphrase and starts Fieldbench (answers once it runs). A wrong passphrase is FORBIDDEN.',
  ),
} satisfies Record<string, MethodSpec>;
