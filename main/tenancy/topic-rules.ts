import type { AccessRule, RuleAction } from '../../preload/contract/tenancy';

/** Values substituted for %c, %u and %a. A missing value makes the rule match nothing. */
export interface RuleVariables {
  clientId: string;
  username?: string;
  accountName?: string;
}

type Level = { kind: 'literal'; value: string } | { kind: 'plus' } | { kind: 'hash' } | { kind: 'never' };

export interface CompiledRule {
  rule: AccessRule;
  levels: Level[];
}

const VARIABLE = /%(.)/g;

/** Returns why a rule filter is malformed, or null when it is fine. */
export function ruleFilterProblem(filter: string): string | null {
  if (filter.length === 0) return 'the filter is empty';
  const levels = filter.split('/');
  for (const [i, level] of levels.entries()) {
    if (level === '#' && i !== levels.length - 1) return '"#" may only be the last level';
    if (level !== '#' && level !== '+' && /[#+]/.test(level)) return 'wildcards must occupy a whole level';
    for (const m of level.matchAll(VARIABLE)) {
      if (!'cua'.includes(m[1] ?? '')) return `unknown variable "%${m[1]}" (use %c, %u or %a)`;
    }
  }
  return null;
}

/** Characters a substituted value may not contain: it must stay exactly one literal topic level. */
const NOT_ONE_LEVEL = /[/+#\u0000]/;

/**
 * Binds variables level by level. A substituted value is exactly one literal level: a client id or
 * username that is empty or contains "/", "+" or "#" makes that rule match nothing (as mosquitto
 * does), so "A/x" cannot reach into "devices/A/..." and "+" never becomes a wildcard.
 */
export function compileRule(rule: AccessRule, vars: RuleVariables): CompiledRule {
  const levels: Level[] = [];
  for (const level of rule.filter.split('/')) {
    if (level === '#') levels.push({ kind: 'hash' });
    else if (level === '+') levels.push({ kind: 'plus' });
    else {
      let missing = false;
      const value = level.replace(VARIABLE, (_, name: string) => {
        const v = name === 'c' ? vars.clientId : name === 'u' ? vars.username : vars.accountName;
        if (v === undefined || v === '' || NOT_ONE_LEVEL.test(v)) missing = true;
        return v ?? '';
      });
      levels.push(missing ? { kind: 'never' } : { kind: 'literal', value });
    }
  }
  return { rule, levels };
}

function isDollar(level: string | undefined): boolean {
  return level?.startsWith('$') === true;
}

/** Whether a concrete topic name matches the rule. Leading wildcards never match `$` topics. */
export function ruleMatchesTopic(levels: Level[], topic: string[]): boolean {
  for (const [i, level] of levels.entries()) {
    if (level.kind === 'hash') return !(i === 0 && isDollar(topic[0]));
    const part = topic[i];
    if (part === undefined || level.kind === 'never') return false;
    if (level.kind === 'plus') {
      if (i === 0 && isDollar(part)) return false;
      continue;
    }
    if (level.value !== part) return false;
  }
  return levels.length === topic.length;
}

/**
 * Whether some topic the subscription filter can match is also matched by the rule: such a
 * subscription is granted, and the topics outside the rule are withheld at delivery.
 */
export function ruleIntersectsFilter(levels: Level[], filter: string[]): boolean {
  for (let i = 0; ; i++) {
    const level = levels[i];
    const part = filter[i];
    if (level?.kind === 'never') return false;
    if (level?.kind === 'hash') return !(i === 0 && isDollar(filter[0]));
    if (part === '#') {
      // The filter matches every deeper topic, but a leading wildcard never a `$` one.
      const rest = levels.slice(i);
      if (rest.some((l) => l.kind === 'never')) return false;
      return !(i === 0 && rest[0]?.kind === 'literal' && isDollar(rest[0].value));
    }
    if (level === undefined || part === undefined) return level === part;
    if (level.kind === 'plus') {
      if (i === 0 && part !== '+' && isDollar(part)) return false;
      continue;
    }
    if (part === '+') {
      if (i === 0 && isDollar(level.value)) return false;
      continue;
    }
    if (level.value !== part) return false;
  }
}

export function isValidTopicName(topic: string): boolean {
  return topic.length > 0 && !/[#+\u0000]/.test(topic);
}

export function isValidTopicFilter(filter: string): boolean {
  if (filter.length === 0 || filter.includes('\u0000')) return false;
  const levels = filter.split('/');
  return levels.every(
    (level, i) => (level === '#' && i === levels.length - 1) || level === '+' || !/[#+]/.test(level),
  );
}

/** `$share/<group>/<filter>` → `<filter>`; the group name is not a topic. */
export function stripSharePrefix(filter: string): string {
  if (!filter.startsWith('$share/')) return filter;
  const rest = filter.slice('$share/'.length);
  const slash = rest.indexOf('/');
  return slash < 0 ? '' : rest.slice(slash + 1);
}

function allows(action: RuleAction, wanted: 'publish' | 'subscribe'): boolean {
  return action === 'both' || action === wanted;
}

/**
 * Whether the rules let a subscriber read every topic outside `$` (a `#` rule that allows
 * subscribing), so deliveries need no per-topic check.
 */
export function readsEverything(rules: CompiledRule[]): boolean {
  return rules.some(
    (r) => allows(r.rule.action, 'subscribe') && r.levels.length === 1 && r.levels[0]!.kind === 'hash',
  );
}

/**
 * The first rule that permits the operation, or null (deny). A subscription is granted when some
 * rule reaches into its filter (only topics wholly outside every rule make it refused); deliveries
 * then ask again per topic, which for a concrete topic name means the rule matches it.
 */
export function findPermittingRule(
  rules: CompiledRule[],
  wanted: 'publish' | 'subscribe',
  topicOrFilter: string,
): AccessRule | null {
  const target = wanted === 'subscribe' ? stripSharePrefix(topicOrFilter) : topicOrFilter;
  if (wanted === 'publish' && !isValidTopicName(target)) return null;
  if (wanted === 'subscribe' && !isValidTopicFilter(target)) return null;
  const parts = target.split('/');
  for (const compiled of rules) {
    if (!allows(compiled.rule.action, wanted)) continue;
    const ok =
      wanted === 'publish'
        ? ruleMatchesTopic(compiled.levels, parts)
        : ruleIntersectsFilter(compiled.levels, parts);
    if (ok) return compiled.rule;
  }
  return null;
}
