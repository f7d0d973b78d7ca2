import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_LOCKOUT, LoginFailureTracker } from '../../main/tenancy/lockout';
import { hashPassword, verifyPassword } from '../../main/tenancy/password-hash';

describe('login failure tracking', () => {
  it('defaults to 10 failures in 5 minutes, per address', () => {
    assert.deepEqual(DEFAULT_LOCKOUT, {
      maxFailures: 10,
      windowMs: 300_000,
      lockMs: 300_000,
      maxFailuresPerAddress: 100,
    });
    let now = 1_000_000;
    const tracker = new LoginFailureTracker(DEFAULT_LOCKOUT, () => now);
    for (let i = 0; i < 9; i++) tracker.recordFailure('dev', '10.0.0.1');
    assert.equal(tracker.lockedFor('dev', '10.0.0.1'), 0, 'nine failures are not enough');
    tracker.recordFailure('dev', '10.0.0.1');
    assert.equal(tracker.lockedFor('dev', '10.0.0.1'), 300_000);
    assert.equal(tracker.lockedFor('dev', '10.0.0.2'), 0, 'other addresses are unaffected');
    assert.equal(tracker.lockedFor('other', '10.0.0.1'), 0, 'other usernames are unaffected');
    assert.deepEqual(tracker.lockedAddresses('dev'), ['10.0.0.1']);
    now += 300_001;
    assert.equal(tracker.lockedFor('dev', '10.0.0.1'), 0, 'the lockout ends');
  });

  it('only counts failures inside the window, and success resets the count', () => {
    let now = 0;
    const tracker = new LoginFailureTracker({ maxFailures: 3, windowMs: 1000, lockMs: 5000 }, () => now);
    tracker.recordFailure('u', 'a');
    tracker.recordFailure('u', 'a');
    now = 1500; // both earlier failures left the window
    tracker.recordFailure('u', 'a');
    assert.equal(tracker.lockedFor('u', 'a'), 0);
    tracker.recordFailure('u', 'a');
    tracker.recordSuccess('u', 'a');
    tracker.recordFailure('u', 'a');
    assert.equal(tracker.lockedFor('u', 'a'), 0);
  });
});

describe('password hashing', () => {
  it('salts, verifies and rejects', async () => {
    const a = await hashPassword('correct horse');
    const b = await hashPassword('correct horse');
    assert.notEqual(a, b, 'random salt');
    assert.equal(await verifyPassword('correct horse', a), true);
    assert.equal(await verifyPassword('correct horse!', a), false);
    assert.equal(await verifyPassword('correct horse', 'garbage'), false);
  });
});
