import type { AgentDto, onboardingMethods, OnboardingSettingsDto } from '../../preload/contract/onboarding';
import { ApiError } from '../api/api-error';
import type { CallContext, HandlersFor } from '../api/handlers';
import type { PlatformMessage } from '../broker';
import { acceptAfter } from './agent-admission';
import type { AgentRow, OnboardingStore } from './store';
import { eu2DeviceboundFilter } from './topic-rules';

export interface HandlerDeps {
  store: OnboardingStore;
  account: (id: string) => { id: string; name: string } | undefined;
  /** Gives the account a scope id if it has an accepted tenant CA. */
  refreshScopeId: (accountId: string) => void;
  isConnected: (accountId: string, clientId: string) => boolean;
  lastProperties: (accountId: string, clientId: string) => Record<string, string> | null;
  disconnectAgent: (accountId: string, clientId: string, reason: string) => void;
  publish: (message: PlatformMessage, accountName: string) => Promise<void>;
  audit: (call: CallContext, action: string, target: string, details?: unknown) => void;
  record: (accountId: string, clientId: string, kind: string, detail: string) => void;
  announce: (accountId: string, clientId: string | null, kind: string) => void;
}

export function createOnboardingHandlers(d: HandlerDeps): HandlersFor<keyof typeof onboardingMethods> {
  const requireAccount = (id: string) => {
    const account = d.account(id);
    if (!account) throw new ApiError('NOT_FOUND', `Account ${id} does not exist`);
    return account;
  };
  const settingsDto = (account: { id: string; name: string }): OnboardingSettingsDto => {
    const s = d.store.settings(account.id);
    return {
      accountId: account.id,
      accountName: account.name,
      mode: s.mode,
      reconnectDelaySeconds: s.reconnectDelaySeconds,
      scopeId: s.scopeId,
      applications: s.applications,
    };
  };
  const agentDto = (row: AgentRow): AgentDto => {
    const delay = d.store.settings(row.account_id).reconnectDelaySeconds;
    return {
      accountId: row.account_id,
      clientId: row.client_id,
      commonName: row.common_name,
      fingerprintSha256: row.fingerprint,
      issuer: row.issuer,
      state: row.state,
      connected: d.isConnected(row.account_id, row.client_id),
      firstSeen: row.first_seen,
      lastSeen: row.last_seen,
      stateChangedAt: row.state_changed_at,
      acceptAfter: row.state === 'awaiting-reconnect' ? acceptAfter(row, delay) : null,
      lastProperties: d.lastProperties(row.account_id, row.client_id),
    };
  };

  return {
    'onboarding.settings.get': (req) => {
      const account = requireAccount(req.accountId);
      d.refreshScopeId(account.id);
      return settingsDto(account);
    },
    'onboarding.settings.update': (req, call) => {
      const account = requireAccount(req.accountId);
      const { accountId: _, ...given } = req;
      const changes = Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined));
      d.store.updateSettings(account.id, changes);
      d.refreshScopeId(account.id);
      d.audit(call, 'onboarding.settings.update', `account:${account.name}`, changes);
      d.announce(account.id, null, 'settings');
      return settingsDto(account);
    },
    'onboarding.agents.list': (req) => {
      requireAccount(req.accountId);
      return { agents: d.store.agents(req.accountId).map(agentDto) };
    },
    'onboarding.agents.remove': (req, call) => {
      const account = requireAccount(req.accountId);
      const removed = d.store.removeAgent(account.id, req.clientId);
      if (removed) {
        d.disconnectAgent(account.id, req.clientId, 'agent removed by the operator; it onboards again');
        d.record(account.id, req.clientId, 'removed', 'removed by the operator');
        d.audit(call, 'onboarding.agents.remove', `account:${account.name}`, { clientId: req.clientId });
      }
      return { removed };
    },
    'onboarding.agents.timeline': (req) => {
      requireAccount(req.accountId);
      return { events: d.store.events(req.accountId, req.clientId) };
    },
    'onboarding.agents.send': async (req, call) => {
      const account = requireAccount(req.accountId);
      const agent = d.store.agent(account.id, req.clientId);
      if (!agent) throw new ApiError('NOT_FOUND', `No agent "${req.clientId}" on account ${account.name}`);
      const settings = d.store.settings(account.id);
      let topic: string;
      if (settings.mode === 'eu2') {
        topic = eu2DeviceboundFilter(req.clientId).slice(0, -1) + req.subtopic;
      } else if (settings.mode === 'eu1') {
        const app = req.subtopic.split('/')[0] ?? '';
        if (!settings.applications.includes(app) || req.subtopic.split('/').length < 2) {
          throw new ApiError(
            'BAD_REQUEST',
            `eu1: the subtopic is <app>_<version>/<topic> with a registered application (${settings.applications.join(', ')})`,
          );
        }
        topic = `tc/${account.name}/${req.clientId}/i/${req.subtopic}`;
      } else {
        throw new ApiError(
          'BAD_REQUEST',
          'The account is in strict mode: agents have no inbound topic structure',
        );
      }
      if (/[+#\u0000]/.test(topic)) throw new ApiError('BAD_REQUEST', 'The topic may not contain wildcards');
      await d.publish({ topic, payload: req.payload, qos: req.qos }, account.name);
      d.audit(call, 'onboarding.agents.send', `account:${account.name}`, { clientId: req.clientId, topic });
      return { topic };
    },
  };
}
