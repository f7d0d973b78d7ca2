import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { waitFor } from '../helpers/wait-for';
import { openCore, type SecuredCore } from './helpers';

const SECRET = 'raw sqlite detail 7f3a: /var/lib/private/path';

/** An operator-API caller gets a clear message and a log reference, never a library's exception text. */
describe('operator-API errors do not echo raw exception text', () => {
  let sc: SecuredCore;
  before(async () => {
    sc = await openCore();
    // A real SQLite error from inside a handler: a trigger that aborts every new account.
    sc.core.store.db.exec(
      `CREATE TRIGGER refuse_accounts BEFORE INSERT ON tenancy_accounts BEGIN SELECT RAISE(ABORT, '${SECRET}'); END`,
    );
  });
  after(() => sc.core.close());

  it('maps an internal SQLite error to a clear message and logs the detail', async () => {
    const root = (await sc.call('accounts.list', {})).accounts.find((a) => a.parentId === null)!;
    const outcome = await sc.core.dispatch(
      'accounts.create',
      { parentId: root.id, name: 'doomed' },
      { transport: 'internal', actor: 'test' },
    );
    assert.equal(outcome.ok, false);
    const error = !outcome.ok ? outcome.error : undefined;
    assert.equal(error?.code, 'INTERNAL');
    assert.doesNotMatch(JSON.stringify(error), /7f3a|sqlite|private|RAISE/i, 'no raw exception text');
    const reference = /reference ([0-9a-f]{8})/.exec(error?.message ?? '')?.[1];
    assert.ok(reference, `a reference to the log: ${error?.message}`);
    assert.match(error?.message ?? '', /^accounts\.create failed/);

    const logged = await waitFor(
      () => sc.core.logs.recent('error', 100).find((e) => e.fields?.['reference'] === reference),
      'the logged detail',
    );
    assert.match(JSON.stringify(logged.fields), /raw sqlite detail 7f3a/, 'the detail is in the server log');
  });
});
