import type { Logger } from 'pino';
import type { AuthorizeResult, ClientRef } from '../broker/hooks';
import type { AgentKey } from './agent-admission';
import type { OnboardingStore } from './store';
import { type AgentScope, checkPublish, checkSubscribe, eventProperties } from './topic-rules';

const NOT_AUTHORIZED = 0x87;
/** A refusal is written to the agent's timeline at most this often per rule (the log gets every one). */
const TIMELINE_EVERY_MS = 60_000;
/** Agents whose last event properties are remembered in memory. */
const PROPERTY_AGENTS = 10_000;

export interface TopicGuardDeps {
  store: OnboardingStore;
  logger: Logger;
  now: () => number;
  record: (accountId: string, clientId: string, kind: string, detail: string) => void;
}

/** Enforces the eu1/eu2 topic structures for onboarded agents; `undefined` = no objection. */
export function createTopicGuard(deps: TopicGuardDeps) {
  const lastTimelineEntry = new Map<string, number>();
  const lastProperties = new Map<string, Record<string, string>>();

  function scopeOf(client: ClientRef): (AgentScope & { key: AgentKey }) | undefined {
    const key = client.principal.attributes?.['onboardingAgent'] as AgentKey | undefined;
    if (!key || !client.principal.accountName) return undefined;
    const settings = deps.store.settings(key.accountId);
    return {
      key,
      mode: settings.mode,
      tenant: client.principal.accountName,
      clientId: key.clientId,
      applications: settings.applications,
    };
  }

  function refuse(scope: AgentScope & { key: AgentKey }, action: string, topic: string, rule: string) {
    deps.logger.warn(
      { account: scope.tenant, agent: scope.clientId, topic, rule },
      `onboarding: ${action} refused`,
    );
    const slot = `${scope.key.accountId}\u0000${scope.clientId}\u0000${rule}`;
    const at = deps.now();
    if ((lastTimelineEntry.get(slot) ?? 0) + TIMELINE_EVERY_MS <= at) {
      if (lastTimelineEntry.size >= PROPERTY_AGENTS) lastTimelineEntry.clear();
      lastTimelineEntry.set(slot, at);
      deps.record(scope.key.accountId, scope.clientId, 'topic-refused', `${action} "${topic}": ${rule}`);
    }
    const refusal: AuthorizeResult = { reasonCode: NOT_AUTHORIZED, reasonString: `Topic structure: ${rule}` };
    return refusal;
  }

  return {
    authorizePublish(client: ClientRef, topic: string): AuthorizeResult | undefined {
      const scope = scopeOf(client);
      if (!scope) return undefined;
      const check = checkPublish(scope, topic);
      if (check !== true) return refuse(scope, 'publish', topic, check);
      if (scope.mode === 'eu2') {
        const properties = eventProperties(scope.clientId, topic);
        if (properties) {
          const key = `${scope.key.accountId}\u0000${scope.clientId}`;
          if (!lastProperties.has(key) && lastProperties.size >= PROPERTY_AGENTS) lastProperties.clear();
          lastProperties.set(key, properties);
        }
      }
      return undefined;
    },
    authorizeSubscribe(client: ClientRef, filter: string): AuthorizeResult | undefined {
      const scope = scopeOf(client);
      if (!scope) return undefined;
      const check = checkSubscribe(scope, filter);
      return check === true ? undefined : refuse(scope, 'subscribe', filter, check);
    },
    lastProperties(accountId: string, clientId: string): Record<string, string> | null {
      return lastProperties.get(`${accountId}\u0000${clientId}`) ?? null;
    },
  };
}
