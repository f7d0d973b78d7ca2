import type { BrokerHooks, Principal } from '../../main/broker';

/** Username `acme` logs in as a device of account acme (topics under `$a/acme/`); others are anonymous. */
function principalFor(username: string | undefined): Principal {
  if (username === 'acme')
    return { kind: 'device', accountId: 'acme', accountName: 'acme', topicPrefix: '$a/acme/' };
  return { kind: 'anonymous', accountId: null, topicPrefix: '' };
}

export const allowAllHooks: BrokerHooks = {
  authenticate: async (c) => ({ ok: true, principal: principalFor(c.username) }),
  authorizePublish: async () => true as const,
  authorizeSubscribe: async () => true as const,
};
