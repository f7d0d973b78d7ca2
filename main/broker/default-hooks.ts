import type { AuthorizeResult, BrokerHooks, Principal } from './hooks';
import { parseSubscriptionFilter, topicMatches } from './topics';
import type { AccessRule } from './types';

const NOT_AUTHORIZED: AuthorizeResult = { reasonCode: 0x87, reasonString: 'not authorized' };

/** Whether every topic `filter` can match is also matched by `rule`. */
export function filterCovers(rule: string, filter: string): boolean {
  const r = rule.split('/');
  const f = filter.split('/');
  for (let i = 0; i < r.length; i++) {
    const rl = r[i]!;
    if (rl === '#') return true;
    const fl = f[i];
    if (fl === undefined) return false;
    if (rl === '+') {
      if (fl === '#') return false;
      continue;
    }
    if (rl !== fl) return false;
  }
  return r.length === f.length;
}

/** Whether some topic could match both filters. */
export function filtersIntersect(a: string, b: string): boolean {
  const x = a.split('/');
  const y = b.split('/');
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const xl = x[i];
    const yl = y[i];
    if (xl === '#' || yl === '#') return true;
    if (xl === undefined || yl === undefined) return false;
    if (xl !== '+' && yl !== '+' && xl !== yl) return false;
  }
  return true;
}

function applies(rule: AccessRule, action: 'publish' | 'subscribe'): boolean {
  return rule.actions === undefined || rule.actions.includes(action);
}

/**
 * Hooks used when the application supplies none: anonymous clients in the root namespace
 * (only with `allowAnonymous`), optionally limited by simple allow / deny topic-filter rules.
 * Decisions are synchronous so the publish path stays Promise-free.
 */
export function createDefaultHooks(
  allowAnonymous: boolean,
  rules: { allow?: AccessRule[]; deny?: AccessRule[] } = {},
): BrokerHooks {
  const allow = rules.allow;
  const anonymous: Principal = Object.freeze({ kind: 'anonymous', accountId: null, topicPrefix: '' });
  const deny = rules.deny ?? [];
  return {
    authenticate: (ctx) =>
      allowAnonymous
        ? {
            ok: true,
            // one shared principal unless there is a user name to remember (idle clients stay small)
            principal: ctx.username === undefined ? anonymous : { ...anonymous, username: ctx.username },
          }
        : { ok: false, reasonCode: 0x87, reasonString: 'anonymous access is disabled' },
    authorizePublish: (_client, topic) => {
      if (allow === undefined && deny.length === 0) return true;
      for (const rule of deny)
        if (applies(rule, 'publish') && topicMatches(rule.filter, topic)) return NOT_AUTHORIZED;
      if (allow === undefined) return true;
      for (const rule of allow) if (applies(rule, 'publish') && topicMatches(rule.filter, topic)) return true;
      return NOT_AUTHORIZED;
    },
    authorizeSubscribe: (_client, rawFilter) => {
      if (allow === undefined && deny.length === 0) return true;
      const filter = parseSubscriptionFilter(rawFilter)?.filter ?? rawFilter;
      for (const rule of deny) {
        if (applies(rule, 'subscribe') && filtersIntersect(rule.filter, filter)) return NOT_AUTHORIZED;
      }
      if (allow === undefined) return true;
      for (const rule of allow)
        if (applies(rule, 'subscribe') && filterCovers(rule.filter, filter)) return true;
      return NOT_AUTHORIZED;
    },
  };
}
