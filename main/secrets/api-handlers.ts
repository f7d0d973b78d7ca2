import type { SecretsStatus, secretsMethods } from '../../preload/contract/secrets';
import { ApiError } from '../api/api-error';
import type { HandlersFor } from '../api/handlers';
import type { KeyProtector } from './key-protector';
import { PassphraseError } from './passphrase-key';

/** `secrets.status` and `secrets.setPassphrase` over the core's key protector. */
export function createSecretsHandlers(protector: KeyProtector): HandlersFor<keyof typeof secretsMethods> {
  const status = (): SecretsStatus => ({
    protection: protector.kind,
    fixedPassword: protector.fixedPassword ?? false,
    canSetPassphrase: protector.setPassphrase !== undefined,
    locked: false,
  });
  return {
    'secrets.status': status,
    'secrets.unlock': status, // already running: nothing to unlock
    'secrets.setPassphrase': async ({ passphrase, currentPassphrase }) => {
      if (!protector.setPassphrase) {
        throw new ApiError(
          'UNAVAILABLE',
          'Headless Fieldbench keeps the key in an owner-only file; a passphrase is offered on desktops',
        );
      }
      try {
        await protector.setPassphrase(passphrase, currentPassphrase);
      } catch (err) {
        if (err instanceof PassphraseError) throw new ApiError('FORBIDDEN', err.message);
        throw err;
      }
      return status();
    },
  };
}
