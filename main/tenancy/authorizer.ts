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
  stripSharePrefix,
} from './topic-rules';

interface CachedRules {
  rules: CompiledRule[];
  /** Why the whole principal is refused right now (e.g. revoked key), or null. */
  refusal: string | null;
  expiresAt: number | null;
}

const MAX_CACHED = 20_000;

export type Decision = { allowed: true; rule: AccessRule | null } | { allowed: false; reason: string };

/**
 * Evaluates access rules for every publish and subscribe. Compiled rules are cached per
 * (credential or key, client) and the cache is dropped on any change, so a change applies to the
 * very next operation.
 */
export class Authorizer {
  private readonly cache = new Map<string, CachedRules>();

  constructor(
    private readonly rules: AccessRuleService,
    private readonly apiKeys: ApiKeyService,
    private readonly credentials: CredentialService,
    private readonly now: () => number,
  ) {}

  invalidate(): void {
    this.cache.clear();
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
    const accountId = client.principal.accountId;
    if (accountId === null) return undefined;
    const attrs = client.principal.attributes ?? {};
    const credentialId = typeof attrs['credentialId'] === 'string' ? attrs['credentialId'] : undefined;
    const apiKeyId = typeof attrs['apiKeyId'] === 'string' ? attrs['apiKeyId'] : undefined;
    // Devices admitted without a credential (e.g. by client certificate) follow the account template.
    const owner = credentialId ? `c:${credentialId}` : apiKeyId ? `k:${apiKeyId}` : `t:${accountId}`;
    const key = `${owner}\u0000${client.clientId}`;
    const cached = this.cache.get(key);
    if (cached) return cached;
    const vars = {
      clientId: client.clientId,
      username: client.principal.username,
      accountName: client.principal.accountName,
    };
    const entry = credentialId
      ? this.credentialRules(accountId, credentialId, vars)
      : apiKeyId
        ? this.apiKeyRules(apiKeyId, vars)
        : {
            rules: this.rules.template(accountId).map((r) => compileRule(r, vars)),
            refusal: null,
            expiresAt: null,
          };
    if (this.cache.size >= MAX_CACHED) this.cache.clear();
    this.cache.set(key, entry);
    return entry;
  }

  private credentialRules(accountId: string, credentialId: string, vars: RuleVariables): CachedRules {
    const credential = this.credentials.row(credentialId);
    return {
      rules: this.rules.effective(accountId, credentialId).map((r) => compileRule(r, vars)),
      refusal: !credential ? 'credential was deleted' : credential.enabled ? null : 'credential is disabled',
      expiresAt: credential?.expires_at ?? null,
    };
  }

  private apiKeyRules(apiKeyId: string, vars: RuleVariables): CachedRules {
    const row = this.apiKeys.row(apiKeyId);
    const usable = row
      ? this.apiKeys.usable(row, 'mqtt')
      : { ok: false as const, reason: 'API key was deleted' };
    return {
      rules: row ? parseJson<AccessRule[]>(row.permissions, []).map((r) => compileRule(r, vars)) : [],
      refusal: usable.ok ? null : usable.reason,
      expiresAt: row?.expires_at ?? null,
    };
  }
}
