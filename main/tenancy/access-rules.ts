import type { Database } from 'better-sqlite3';
import type { AccessRule } from '../../preload/contract/tenancy';
import { ApiError } from '../api/api-error';
import type { TenancyContext } from './context';
import { compileRule, findPermittingRule, type RuleVariables, ruleFilterProblem } from './topic-rules';

/**
 * New accounts start with a template allowing everything inside their own namespace; isolation
 * between accounts comes from the namespace, the rules narrow access within it.
 */
export const DEFAULT_TEMPLATE: readonly AccessRule[] = [{ filter: '#', action: 'both' }];

export function assertRules(rules: readonly AccessRule[]): void {
  for (const [i, rule] of rules.entries()) {
    const problem = ruleFilterProblem(rule.filter);
    if (problem)
      throw new ApiError('BAD_REQUEST', `Rule ${i + 1} ("${rule.filter}"): ${problem}.`, { index: i });
  }
}

export function writeRules(
  db: Database,
  accountId: string,
  credentialId: string | null,
  rules: readonly AccessRule[],
): void {
  db.prepare('DELETE FROM tenancy_access_rules WHERE account_id = ? AND credential_id IS ?').run(
    accountId,
    credentialId,
  );
  const insert = db.prepare(
    'INSERT INTO tenancy_access_rules (account_id, credential_id, filter, action, position) VALUES (?, ?, ?, ?, ?)',
  );
  for (const [i, rule] of rules.entries()) insert.run(accountId, credentialId, rule.filter, rule.action, i);
}

/** Access rules per credential, with an account-wide template for credentials without their own. */
export class AccessRuleService {
  constructor(private readonly ctx: TenancyContext) {}

  private read(accountId: string, credentialId: string | null): AccessRule[] {
    return this.ctx.db
      .prepare<[string, string | null], AccessRule>(
        'SELECT filter, action FROM tenancy_access_rules WHERE account_id = ? AND credential_id IS ? ORDER BY position',
      )
      .all(accountId, credentialId);
  }

  get(accountId: string, credentialId: string | null): { rules: AccessRule[]; usesTemplate: boolean } {
    const rules = this.read(accountId, credentialId);
    return { rules, usesTemplate: credentialId !== null && rules.length === 0 };
  }

  /** The account-wide template. */
  template(accountId: string): AccessRule[] {
    return this.read(accountId, null);
  }

  /** The rules that apply to a credential: its own if it has any, otherwise the account template. */
  effective(accountId: string, credentialId: string): AccessRule[] {
    const own = this.read(accountId, credentialId);
    return own.length > 0 ? own : this.read(accountId, null);
  }

  set(
    accountId: string,
    credentialId: string | null,
    rules: readonly AccessRule[],
  ): { rules: AccessRule[]; usesTemplate: boolean } {
    assertRules(rules);
    if (credentialId !== null) {
      const owner = this.ctx.db
        .prepare<[string], { account_id: string }>('SELECT account_id FROM tenancy_credentials WHERE id = ?')
        .get(credentialId);
      if (!owner) throw new ApiError('NOT_FOUND', `No credential with id ${credentialId}.`);
      if (owner.account_id !== accountId) {
        throw new ApiError('BAD_REQUEST', 'The credential belongs to another account.');
      }
    }
    this.ctx.db.transaction(() => writeRules(this.ctx.db, accountId, credentialId, rules))();
    this.ctx.invalidate();
    return this.get(accountId, credentialId);
  }

  /** Dry run of the broker's decision, for the operator UI. */
  check(
    accountId: string,
    credentialId: string,
    vars: RuleVariables,
    action: 'publish' | 'subscribe',
    topic: string,
  ): { allowed: boolean; matchedRule: AccessRule | null } {
    const compiled = this.effective(accountId, credentialId).map((rule) => compileRule(rule, vars));
    const matchedRule = findPermittingRule(compiled, action, topic);
    return { allowed: matchedRule !== null, matchedRule };
  }
}
