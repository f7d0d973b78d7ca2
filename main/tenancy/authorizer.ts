import type { AccessRule } from '../../preload/contract/tenancy';
import type { ClientRef } from '../broker/hooks';
import type { AccessRuleService } from './access-rules';
import type { ApiKeyService } from './api-keys';
import { parseJson } from './context';
import type { CredentialService } from './credentials';
import {
  type CompiledRule,
  compileRule,
  findPermittingRule,
  type RuleVariables,
  readsEverything,
  stripSharePrefix,
} from './topic-rules';

interface RuleSet {
  rules: CompiledRule[];
  /** Why the whole principal is refused right now (e.g. revoked key), or null. */
  refusal: string | null;
  expiresAt: number | null;
}

interface CachedRules extends RuleSet {
  /** A `#` rule allows subscribing: any topic outside `$` may be delivered without a lookup. */
  readsAll: boolean;
  /** Delivery decisions per topic (as the subscriber sees it). */
  reads: Map<string, boolean>;
}

const MAX_CACHED = 20_000;
/** Cached delivery decisions over all clients; past it every cache starts afresh. */
const MAX_CACHED_READS = 200_000;

export type Decision = { allowed: true; rule: AccessRule | null } | { allowed: false; reason: string };

/**
 * Evaluates access rules for every publish, subscribe and delivery. Compiled rules (and delivery
 * decisions per topic) are cached per (credential or key, client) and the cache is dropped on any
 * change, so a change applies to the very next operation, including messages for subscriptions
 * made before it.
 */
export class Authorizer {
  private readonly cache = new Map<string, CachedRules>();
  /** The same entries by connection, which skips building the string key on every delivery. */
  private byClient = new WeakMap<ClientRef, CachedRules>();
  private cachedReads = 0;

  constructor(
    private readonly rules: AccessRuleService,
    private readonly apiKeys: ApiKeyService,
    private readonly credentials: CredentialService,
    private readonly now: () => number,
  ) {}

  invalidate(): void {
    this.cache.clear();
    this.byClient = new WeakMap();
    this.cachedReads = 0;
  }

  /**
   * Whether a message on `topic` (as the subscriber sees it) may be delivered: the subscriber's
   * current rules must allow subscribing to that exact topic. Runs for every delivery.
   */
  mayReceive(client: ClientRef, topic: string): boolean {
    const principal = client.principal;
    // Lab clients in the root namespace follow static rules checked at SUBSCRIBE.
    if (principal.kind === 'anonymous' && principal.accountId === null) return true;
    const entry = this.rulesFor(client);
    if (!entry || entry.refusal) return false;
    if (entry.expiresAt !== null && entry.expiresAt <= this.now()) return false;
    if (entry.readsAll && topic.charCodeAt(0) !== 0x24 /* $ */) return true;
    let allowed = entry.reads.get(topic);
    if (allowed === undefined) {
      allowed = findPermittingRule(entry.rules, 'subscribe', topic) !== null;
      if (++this.cachedReads > MAX_CACHED_READS) this.invalidate();
      entry.reads.set(topic, allowed);
    }
    return allowed;
  }

  decide(client: ClientRef, action: 'publish' | 'subscribe', topicOrFilter: string): Decision {
    const principal = client.principal;
    if (principal.kind === 'anonymous' && principal.accountId === null) {
      // Lab use in the root namespace: never into `$` topics, where account namespaces live.
      const target = action === 'subscribe' ? stripSharePrefix(topicOrFilter) : topicOrFilter;
      return target.startsWith('$')
        ? { allowed: false, reason: 'anonymous clients may not use $ topics' }
        : { allowed: true, rule: null };
    }
    const entry = this.rulesFor(client);
    if (!entry) return { allowed: false, reason: 'client is not known to tenancy' };
    if (entry.refusal) return { allowed: false, reason: entry.refusal };
    if (entry.expiresAt !== null && entry.expiresAt <= this.now())
      return { allowed: false, reason: 'credential expired' };
    const rule = findPermittingRule(entry.rules, action, topicOrFilter);
    return rule
      ? { allowed: true, rule }
      : {
          allowed: false,
          reason: `no access rule allows ${action === 'publish' ? 'publishing to' : 'subscribing to'} "${topicOrFilter}"`,
        };
  }

  private rulesFor(client: ClientRef): CachedRules | undefined {
    const known = this.byClient.get(client);
    if (known) return known;
    const accountId = client.principal.accountId;
    if (accountId === null) return undefined;
    const attrs = client.principal.attributes ?? {};
    const credentialId = typeof attrs['credentialId'] === 'string' ? attrs['credentialId'] : undefined;
    const apiKeyId = typeof attrs['apiKeyId'] === 'string' ? attrs['apiKeyId'] : undefined;
    // Devices admitted without a credential (e.g. by client certificate) follow the account template.
    const owner = credentialId ? `c:${credentialId}` : apiKeyId ? `k:${apiKeyId}` : `t:${accountId}`;
    const key = `${owner}\u0000${client.clientId}`;
    const cached = this.cache.get(key);
    if (cached) return this.remember(client, cached);
    const vars = {
      clientId: client.clientId,
      username: client.principal.username,
      accountName: client.principal.accountName,
    };
    const entry = credentialId
      ? this.credentialRules(accountId, credentialId, vars)
      : apiKeyId
        ? this.apiKeyRules(apiKeyId, vars)
        : { rules: this.compile(this.rules.template(accountId), vars), refusal: null, expiresAt: null };
    if (this.cache.size >= MAX_CACHED) this.cache.clear();
    const full: CachedRules = { ...entry, readsAll: readsEverything(entry.rules), reads: new Map() };
    this.cache.set(key, full);
    return this.remember(client, full);
  }

  private remember(client: ClientRef, entry: CachedRules): CachedRules {
    // Offline persistent sessions get a fresh ClientRef (listener id '') for each delivery.
    if (client.listener.id !== '') this.byClient.set(client, entry);
    return entry;
  }

  private compile(rules: AccessRule[], vars: RuleVariables): CompiledRule[] {
    return rules.map((r) => compileRule(r, vars));
  }

  private credentialRules(accountId: string, credentialId: string, vars: RuleVariables): RuleSet {
    const credential = this.credentials.row(credentialId);
    return {
      rules: this.compile(this.rules.effective(accountId, credentialId), vars),
      refusal: !credential ? 'credential was deleted' : credential.enabled ? null : 'credential is disabled',
      expiresAt: credential?.expires_at ?? null,
    };
  }

  private apiKeyRules(apiKeyId: string, vars: RuleVariables): RuleSet {
    const row = this.apiKeys.row(apiKeyId);
    const usable = row
      ? this.apiKeys.usable(row, 'mqtt')
      : { ok: false as const, reason: 'API key was deleted' };
    return {
      rules: row ? this.compile(parseJson<AccessRule[]>(row.permissions, []), vars) : [],
      refusal: usable.ok ? null : usable.reason,
      expiresAt: row?.expires_at ?? null,
    };
  }
}
