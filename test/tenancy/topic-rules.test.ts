import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AccessRule } from '../../preload/contract/tenancy';
import {
  compileRule,
  findPermittingRule,
  type RuleVariables,
  ruleFilterProblem,
} from '../../main/tenancy/topic-rules';

const vars = { clientId: 'dev-1', username: 'alice', accountName: 'acme' };

function allowed(
  rules: AccessRule[],
  action: 'publish' | 'subscribe',
  topic: string,
  v: RuleVariables = vars,
): boolean {
  return (
    findPermittingRule(
      rules.map((r) => compileRule(r, v)),
      action,
      topic,
    ) !== null
  );
}

describe('access rules', () => {
  it('substitutes %c, %u and %a', () => {
    const rules: AccessRule[] = [
      { filter: 'devices/%c/#', action: 'both' },
      { filter: 'users/%u/inbox', action: 'subscribe' },
      { filter: 'accounts/%a/+/status', action: 'publish' },
    ];
    assert.ok(allowed(rules, 'publish', 'devices/dev-1/temp'));
    assert.ok(allowed(rules, 'subscribe', 'devices/dev-1/#'));
    assert.ok(!allowed(rules, 'publish', 'devices/dev-2/temp'));
    assert.ok(allowed(rules, 'subscribe', 'devices/+/temp'), 'wider: granted, narrowed at delivery');
    assert.ok(!allowed(rules, 'subscribe', 'devices/dev-2/#'), "another device's topics only");
    assert.ok(allowed(rules, 'subscribe', 'users/alice/inbox'));
    assert.ok(!allowed(rules, 'publish', 'users/alice/inbox'), 'subscribe-only rule');
    assert.ok(allowed(rules, 'publish', 'accounts/acme/x/status'));
    assert.ok(!allowed(rules, 'subscribe', 'accounts/acme/x/status'), 'publish-only rule');
  });

  it('substituted values are literal, never wildcards', () => {
    const rules: AccessRule[] = [{ filter: 'devices/%c/#', action: 'both' }];
    const sneaky = { ...vars, clientId: '+' };
    assert.ok(!allowed(rules, 'subscribe', 'devices/+/#', sneaky));
    assert.ok(!allowed(rules, 'publish', 'devices/other/x', sneaky));
  });

  it('a substituted value is exactly one level: "/", "+", "#" or empty match nothing', () => {
    const rules: AccessRule[] = [{ filter: 'devices/%c/#', action: 'both' }];
    const slashy = { ...vars, clientId: 'a/b' };
    assert.ok(!allowed(rules, 'publish', 'devices/a/b/x', slashy), 'not two levels');
    assert.ok(!allowed(rules, 'publish', 'devices/a/x', slashy));
    for (const clientId of ['a+', '#', 'x/', '']) {
      assert.ok(!allowed(rules, 'publish', `devices/${clientId}/x`, { ...vars, clientId }), clientId);
    }
    const users: AccessRule[] = [{ filter: 'users/%u-in/#', action: 'both' }];
    assert.ok(!allowed(users, 'publish', 'users/a/b-in/x', { ...vars, username: 'a/b' }));
    assert.ok(allowed(users, 'publish', 'users/ab-in/x', { ...vars, username: 'ab' }));
  });

  it('a missing variable value matches nothing', () => {
    const rules: AccessRule[] = [{ filter: 'users/%u/#', action: 'both' }];
    assert.ok(!allowed(rules, 'publish', 'users//x', { clientId: 'c' }));
  });

  it('a subscription is granted when some rule reaches into its filter, refused when none does', () => {
    const rules: AccessRule[] = [
      { filter: 'a/+/c', action: 'subscribe' },
      { filter: 'x/#', action: 'subscribe' },
    ];
    assert.ok(allowed(rules, 'subscribe', 'a/b/c'));
    assert.ok(allowed(rules, 'subscribe', 'a/+/c'));
    assert.ok(allowed(rules, 'subscribe', 'a/#'), 'wider: granted, narrowed at delivery');
    assert.ok(allowed(rules, 'subscribe', '#'));
    assert.ok(allowed(rules, 'subscribe', '+/b/+'));
    assert.ok(!allowed(rules, 'subscribe', 'a/b/d'), 'wholly outside every rule');
    assert.ok(!allowed(rules, 'subscribe', 'a/+'));
    assert.ok(!allowed(rules, 'subscribe', 'b/#'));
    assert.ok(allowed(rules, 'subscribe', 'x'));
    assert.ok(allowed(rules, 'subscribe', 'x/y/#'));
    assert.ok(allowed(rules, 'subscribe', '$share/g/x/y'));
    assert.ok(
      allowed([{ filter: 'a/b', action: 'subscribe' }], 'subscribe', 'a/b/#'),
      "'a/b/#' matches 'a/b'",
    );
    assert.ok(
      !allowed([{ filter: 'a/%c', action: 'subscribe' }], 'subscribe', 'a/#', { ...vars, clientId: 'x/y' }),
    );
  });

  it('deliveries follow the rules topic by topic', () => {
    const rules: AccessRule[] = [{ filter: 'lab/public/#', action: 'subscribe' }];
    assert.ok(allowed(rules, 'subscribe', 'lab/public/x'));
    assert.ok(!allowed(rules, 'subscribe', 'lab/secret/x'));
    assert.ok(allowed(rules, 'subscribe', '#'));
  });

  it('leading wildcards never reach $ topics', () => {
    const rules: AccessRule[] = [{ filter: '#', action: 'both' }];
    assert.ok(allowed(rules, 'publish', 'a/b'));
    assert.ok(!allowed(rules, 'publish', '$a/other/x'));
    assert.ok(!allowed(rules, 'subscribe', '$SYS/#'));
    assert.ok(!allowed([{ filter: '$a/x/#', action: 'both' }], 'subscribe', '#'), '# never reaches $ topics');
    assert.ok(!allowed([{ filter: '$a/x/#', action: 'both' }], 'subscribe', '+/x'));
    assert.ok(!allowed([{ filter: '+/x', action: 'both' }], 'publish', '$a/x'));
  });

  it('rejects malformed operations and explains malformed rules', () => {
    const rules: AccessRule[] = [{ filter: '#', action: 'both' }];
    assert.ok(!allowed(rules, 'publish', 'a/+'));
    assert.ok(!allowed(rules, 'subscribe', 'a/#/b'));
    assert.match(ruleFilterProblem('a/#/b') ?? '', /last level/);
    assert.match(ruleFilterProblem('a/b+') ?? '', /whole level/);
    assert.match(ruleFilterProblem('a/%x') ?? '', /unknown variable "%x"/);
    assert.equal(ruleFilterProblem('d/%c/%u-%a/#'), null);
  });
});
