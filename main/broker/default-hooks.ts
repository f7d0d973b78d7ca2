import type { AuthorizeResult, BrokerHooks, Principal } from './hooks';
import { parseSubscriptionFilter, topicMatches } from './topics';
import type { AccessRule } from './types';

const NOT_AUTHORIZED: AuthorizeResult = { reasonCode: 0x87, reasonString: 'not authorized' };
const DOLLAR_REFUSED: AuthorizeResult = {
  reasonCode: 0x87,
  reasonString: 'not authorized: $ topics ($SYS statistics span every account) are for operators only',
};

const MAX_CACHED_TOPICS = 50_000;

export interface DefaultHookRules {
  allow?: AccessRule[];
  deny?: AccessRule[];
  /** Whether anonymous clients may use `$` topics such as `$SYS/#` (default true: a bare lab broker). */
  allowDollarTopics?: boolean;
}

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

/** Whether a message on `topic` passes the rules: no deny rule matches it and, with allow rules, one does. */
function permits(
  allow: AccessRule[] | undefined,
  deny: AccessRule[],
  action: 'publish' | 'subscribe',
  topic: string,
): boolean {
  for (const rule of deny) if (applies(rule, action) && topicMatches(rule.filter, topic)) return false;
  if (allow === undefined) return true;
  for (const rule of allow) if (applies(rule, action) && topicMatches(rule.filter, topic)) return true;
  return false;
}

/**
 * Hooks used when the application supplies none: anonymous clients in the root namespace
 * (only with `allowAnonymous`), optionally limited by simple allow / deny topic-filter rules.
 * A subscription is refused only when its whole filter lies in denied space (inside one deny rule,
 * or outside every allow rule); a wider one (`#` beside a deny rule `lab/secret/#`) is granted and
 * denied topics are withheld at delivery. Decisions are synchronous so the publish path stays
 * Promise-free; without rules there is no delivery hook at all.
 */
export function createDefaultHooks(allowAnonymous: boolean, rules: DefaultHookRules = {}): BrokerHooks {
  const allow = rules.allow;
  const anonymous: Principal = Object.freeze({ kind: 'anonymous', accountId: null, topicPrefix: '' });
  const deny = rules.deny ?? [];
  const dollarOpen = rules.allowDollarTopics !== false;
  const unrestricted = allow === undefined && deny.length === 0;
  const hooks: BrokerHooks = {
    authenticate: (ctx) =>
      allowAnonymous
        ? {
            ok: true,
            // one shared principal unless there is a user name to remember (idle clients stay small)
            principal: ctx.username === undefined ? anonymous : { ...anonymous, username: ctx.username },
          }
        : { ok: false, reasonCode: 0x87, reasonString: 'anonymous access is disabled' },
    authorizePublish: (_client, topic) => {
      if (!dollarOpen && topic.startsWith('$')) return DOLLAR_REFUSED;
      return unrestricted || permits(allow, deny, 'publish', topic) ? true : NOT_AUTHORIZED;
    },
    authorizeSubscribe: (_client, rawFilter) => {
      const filter = parseSubscriptionFilter(rawFilter)?.filter ?? rawFilter;
      if (!dollarOpen && filter.startsWith('$')) return DOLLAR_REFUSED;
      if (unrestricted) return true;
      for (const rule of deny) {
        if (applies(rule, 'subscribe') && filterCovers(rule.filter, filter)) return NOT_AUTHORIZED;
      }
      if (allow === undefined) return true;
      for (const rule of allow)
        if (applies(rule, 'subscribe') && filtersIntersect(rule.filter, filter)) return true;
      return NOT_AUTHORIZED;
    },
  };
  if (!unrestricted) {
    // The rules never change, so each topic's answer is kept (bounded) instead of matched per message.
    const decided = new Map<string, boolean>();
    hooks.authorizeDelivery = (_client, topic) => {
      let ok = decided.get(topic);
      if (ok === undefined) {
        ok = permits(allow, deny, 'subscribe', topic);
        if (decided.size >= MAX_CACHED_TOPICS) decided.clear();
        decided.set(topic, ok);
      }
      return ok ? true : NOT_AUTHORIZED;
    };
  }
  return hooks;
}
