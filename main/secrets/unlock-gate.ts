import type { Logger } from 'pino';
import type { SecretsStatus } from '../../preload/contract/secrets';
import { ApiError } from '../api/api-error';
import { createDispatcher, type Dispatch } from '../api/dispatcher';
import type { KeyProtector } from './key-protector';
import { PassphraseError, unlockWithPassphrase } from './passphrase-key';

const LOCKED: SecretsStatus = {
  protection: 'passphrase',
  fixedPassword: false,
  canSetPassphrase: true,
  locked: true,
};

/**
 * What the operator API answers while a start waits for the passphrase: `secrets.status` (locked) and
 * `secrets.unlock`; everything else is UNAVAILABLE. `secrets.unlock` opens the data key, runs `start`
 * with it (which creates the core and switches the transport to it) and answers once that is done.
 * One attempt at a time; a wrong passphrase is FORBIDDEN and costs a full scrypt.
 */
export function createUnlockGate(
  dataDir: string,
  logger: Logger,
  start: (protector: KeyProtector) => Promise<SecretsStatus>,
): Dispatch {
  let attempt: Promise<unknown> | undefined;
  let started: SecretsStatus | undefined;
  const inner = createDispatcher(
    {
      'secrets.status': () => started ?? LOCKED,
      'secrets.unlock': async ({ passphrase }) => {
        if (started) return started;
        if (attempt) throw new ApiError('UNAVAILABLE', 'Another unlock attempt is running; try again');
        const run = (async () => {
          let protector: KeyProtector;
          try {
            protector = await unlockWithPassphrase(dataDir, passphrase);
          } catch (err) {
            if (err instanceof PassphraseError) {
              logger.warn('wrong passphrase at start');
              throw new ApiError('FORBIDDEN', err.message);
            }
            throw err;
          }
          started = await start(protector);
          return started;
        })();
        attempt = run;
        try {
          return await run;
        } finally {
          attempt = undefined;
        }
      },
    },
    logger,
  );
  return (method, request, ctx) =>
    method === 'secrets.status' || method === 'secrets.unlock'
      ? inner(method, request, ctx)
      : Promise.resolve({
          ok: false,
          error: { code: 'UNAVAILABLE', message: 'Fieldbench is locked: enter the passphrase first.' },
        });
}
