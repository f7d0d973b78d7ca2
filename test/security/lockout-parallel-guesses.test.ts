import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type ConnectOutcome, endAll, tryConnect, tryConnectFrom } from '../helpers/mqtt-client';
import { waitFor } from '../helpers/wait-for';
import { addCredential, openSecured, type SecurityFixture } from './helpers';

const LIMIT = 10;
const RIGHT = 'the right password 1';

/**
 * The lockout counts an attempt before its password is hashed: guesses sent at once cannot all be
 * tried against the limit, and a right password arriving in the same burst does not clear the lock.
 */
describe('lockout under parallel guesses', () => {
  let sf: SecurityFixture;

  before(async () => {
    sf = await openSecured({ lockout: { maxFailures: LIMIT, windowMs: 60_000, lockMs: 60_000 } });
    await addCredential(sf, 'dev-1', RIGHT);
  });
  after(() => sf.close());

  it('tries at most the limit of 40 parallel wrong passwords, and refuses the right one in the burst', async () => {
    const outcomes: (ConnectOutcome | undefined)[] = new Array(40).fill(undefined);
    const burst = outcomes.map((_, i) =>
      tryConnect(sf.tb.url, { clientId: `guess-${i}`, username: 'dev-1', password: `wrong ${i}` }).then(
        (o) => {
          outcomes[i] = o;
          return o;
        },
      ),
    );
    // The right password goes in while the burst is still being answered (or once it all was).
    await waitFor(
      () =>
        outcomes.some((o) => o && !o.ok && /too many/.test(o.message)) ||
        outcomes.every((o) => o !== undefined),
      'the first refusal without a hash, or the whole burst answered',
      30_000,
    );
    const right = await tryConnect(sf.tb.url, { clientId: 'right-one', username: 'dev-1', password: RIGHT });
    const all = await Promise.all(burst);

    assert.equal(all.filter((o) => o.ok).length, 0, 'no wrong password logs in');
    const hashed = all.filter((o) => !o.ok && o.reasonCode === 0x86);
    assert.ok(hashed.length <= LIMIT, `at most ${LIMIT} passwords were checked, not ${hashed.length}`);
    const unhashed = all.filter(
      (o) => !o.ok && o.reasonCode === 0x87 && /too many failed logins/.test(o.message),
    );
    assert.equal(hashed.length + unhashed.length, 40, 'every other guess was refused before hashing');

    if (right.ok) await endAll(right.client);
    assert.equal(right.ok, false, 'the right password in the burst is refused');
    assert.ok(!right.ok && right.reasonCode === 0x87 && /too many failed logins/.test(right.message));
    assert.ok(sf.fx.tenancy.failures.lockedFor('dev-1', '127.0.0.1') > 0, 'the lock was not cleared');

    const again = await tryConnect(sf.tb.url, { clientId: 'right-two', username: 'dev-1', password: RIGHT });
    if (again.ok) await endAll(again.client);
    assert.equal(again.ok, false, 'still locked after the burst settled');

    const elsewhere = await tryConnectFrom('127.0.0.2', sf.tb.port, {
      clientId: 'right-elsewhere',
      username: 'dev-1',
      password: RIGHT,
    });
    assert.ok(elsewhere.ok, 'another address is not locked out');
    await endAll(elsewhere.client);
  });
});
