import type { Logger } from 'pino';
import type { KeyProtector } from '../secrets';
import type { AccountLookup } from './accounts';
import type { LocalAuthorities } from './authorities';
import type { PkiRepository } from './repository';

/** What the PKI services share. */
export interface PkiContext {
  repo: PkiRepository;
  protector: KeyProtector;
  authorities: LocalAuthorities;
  now: () => Date;
  logger?: Logger;
  /** Tenancy accounts; without it account ids are not checked. */
  accounts?: AccountLookup;
}

export const DAY_MS = 86_400_000;
