import { useId } from 'react';
import {
  type AccessRule,
  accessRuleSchema,
  type RuleAction,
  ruleActionSchema,
} from '../../../../../preload/contract/tenancy';

/** Why a rule filter is malformed (same checks as the core), or undefined. */
export function ruleProblem(rule: AccessRule): string | undefined {
  const parsed = accessRuleSchema.safeParse(rule);
  if (!parsed.success) {
    return rule.filter.length === 0
      ? 'Enter a topic filter.'
      : (parsed.error.issues[0]?.message ?? 'Invalid');
  }
  const levels = rule.filter.split('/');
  for (const [i, level] of levels.entries()) {
    if (level === '#' && i !== levels.length - 1) return '"#" may only be the last level.';
    if (level !== '#' && level !== '+' && /[#+]/.test(level)) return 'Wildcards must occupy a whole level.';
    for (const m of level.matchAll(/%(.)/g)) {
      if (!'cua'.includes(m[1] ?? '')) return `Unknown variable "%${m[1]}" (use %c, %u or %a).`;
    }
  }
  return undefined;
}

export function rulesValid(rules: readonly AccessRule[]): boolean {
  return rules.every((r) => ruleProblem(r) === undefined);
}

export function VariablesHelp() {
  return (
    <details className="tn-help">
      <summary>Topic filter variables</summary>
      <dl className="facts">
        <dt>
          <code>%c</code>
        </dt>
        <dd>the device's MQTT client id</dd>
        <dt>
          <code>%u</code>
        </dt>
        <dd>the username it logged in with</dd>
        <dt>
          <code>%a</code>
        </dt>
        <dd>its account's name</dd>
        <dt>
          <code>+</code> <code>#</code>
        </dt>
        <dd>one level / every remaining level, as in MQTT</dd>
      </dl>
      <p className="muted">
        Filters are relative to the account's own topic namespace, so devices never see other accounts'
        topics. A substituted value is always literal: a client id such as <code>a/#</code> never widens a
        rule. Example: <code>telemetry/%c/#</code> lets each device use only its own subtree.
      </p>
    </details>
  );
}

/** An editable list of access rules (topic filter + publish/subscribe/both). */
export function RulesEditor({
  rules,
  onChange,
  testId = 'rules-editor',
  disabled,
}: {
  rules: AccessRule[];
  onChange(rules: AccessRule[]): void;
  testId?: string;
  disabled?: boolean;
}) {
  const base = useId();
  const update = (i: number, patch: Partial<AccessRule>) =>
    onChange(rules.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  return (
    <div className="tn-rules" data-testid={testId}>
      {rules.length === 0 ? <p className="muted">No rules.</p> : null}
      {rules.map((rule, i) => {
        const problem = ruleProblem(rule);
        const errId = `${base}-err-${i}`;
        return (
          // biome-ignore lint/suspicious/noArrayIndexKey: rows are positional; editing keeps their order.
          <div className="tn-rule" key={i}>
            <input
              aria-label={`Rule ${i + 1} topic filter`}
              className="mono"
              value={rule.filter}
              disabled={disabled}
              placeholder="e.g. telemetry/%c/#"
              aria-invalid={problem ? true : undefined}
              aria-describedby={errId}
              data-testid="rule-filter"
              onChange={(e) => update(i, { filter: e.target.value })}
            />
            <select
              aria-label={`Rule ${i + 1} action`}
              value={rule.action}
              disabled={disabled}
              data-testid="rule-action"
              onChange={(e) => update(i, { action: ruleActionSchema.parse(e.target.value) as RuleAction })}
            >
              <option value="publish">publish</option>
              <option value="subscribe">subscribe</option>
              <option value="both">publish + subscribe</option>
            </select>
            <button
              type="button"
              disabled={disabled}
              aria-label={`Remove rule ${i + 1}`}
              onClick={() => onChange(rules.filter((_, j) => j !== i))}
            >
              Remove
            </button>
            <div id={errId} className="ui-field-error">
              {problem ?? ''}
            </div>
          </div>
        );
      })}
      <button
        type="button"
        disabled={disabled}
        data-testid="rule-add"
        onClick={() => onChange([...rules, { filter: '', action: 'both' }])}
      >
        Add rule
      </button>
    </div>
  );
}
