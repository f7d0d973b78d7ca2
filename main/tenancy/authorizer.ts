import type { AccessRule } from '../../preload/contract/tenancy';
import type { ClientRef } from '../broker/hooks';
import type { AccessRuleService } from './access-rules';
import type { ApiKeyService } from './api-keys';
import { parseJson } from './context';
import type { CredentialService } from './credentials';
import { type CompiledRule, compileRule, findPermittingRule, stripSharePrefix } from './topic-rules';

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
    const attrs = client.principal.attributes ?? {};
    const credentialId = attrs['credentialId'];
    const apiKeyId = attrs['apiKeyId'];
    const owner =
      typeof credentialId === 'string'
        ? `c:${credentialId}`
        : typeof apiKeyId === 'string'
          ? `k:${apiKeyId}`
          : null;
    if (owner === null || client.principal.accountId === null) return undefined;
    const key = `${owner}\u0000${client.clientId}`;
    const cached = this.cache.get(key);
    if (cached) return cached;
    const vars = {
      clientId: client.clientId,
      username: client.principal.username,
      accountName: client.principal.accountName,
    };
    let entry: CachedRules;
    if (typeof credentialId === 'string') {
      const credential = this.credentials.row(credentialId);
      const rules = this.rules.effective(client.principal.accountId, credentialId);
      entry = {
        rules: rules.map((r) => compileRule(r, vars)),
        refusal: !credential
          ? 'credential was deleted'
          : credential.enabled
            ? null
            : 'credential is disabled',
        expiresAt: credential?.expires_at ?? null,
      };
    } else {
      const row = this.apiKeys.row(String(apiKeyId));
      const usable = row
        ? this.apiKeys.usable(row, 'mqtt')
        : { ok: false as const, reason: 'API key was deleted' };
      entry = {
        rules: row ? parseJson<AccessRule[]>(row.permissions, []).map((r) => compileRule(r, vars)) : [],
        refusal: usable.ok ? null : usable.reason,
        expiresAt: row?.expires_at ?? null,
      };
    }
    if (this.cache.size >= MAX_CACHED) this.cache.clear();
    this.cache.set(key, entry);
    return entry;
  }
}
