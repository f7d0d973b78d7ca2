import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createCore } from '../../main/core';
import { openStore, type Store } from '../../main/store';
import { DEFAULT_LOCKOUT, LoginFailureTracker } from '../../main/tenancy/lockout';
import { callCore } from '../helpers/core-call';
import { listenerPort } from '../helpers/mosquitto-clients';
import { tempDir } from '../helpers/temp-dir';
import { startTenancyBroker } from './broker-fixture';
import { type ConnectOutcome, endAll, tryConnectFrom } from '../helpers/mqtt-client';
import { call, localServiceId, openTenancy, rootId } from './helpers';

const rowCount = (store: Store) =>
  store.db.prepare('SELECT COUNT(*) FROM tenancy_login_failures').pluck().get() as number;
/** Rows this connection has inserted, updated or deleted so far. */
const changes = (store: Store) => store.db.prepare('SELECT total_changes()').pluck().get() as number;

const outcome = (o: ConnectOutcome) => (o.ok ? 'connected' : `${o.message} (${o.reasonCode})`);

describe('failed-login counters in SQLite', () => {
  it('a lockout and a partial count survive closing and reopening the store; other addresses stay free', () => {
    const dir = tempDir();
    let now = 10_000_000;
    const clock = () => now;

    const first = openStore(dir);
    const before = new LoginFailureTracker(DEFAULT_LOCKOUT, clock, { db: first.db });
    for (let i = 0; i < 10; i++) before.recordFailure('dev', '10.0.0.1');
    for (let i = 0; i < 9; i++) before.recordFailure('dev', '10.0.0.3');
    assert.equal(before.lockedFor('dev', '10.0.0.1'), 300_000);
    first.close();

    now += 60_000; // a minute later
    const second = openStore(dir);
    try {
      const after = new LoginFailureTracker(DEFAULT_LOCKOUT, clock, { db: second.db });
      assert.equal(after.lockedFor('dev', '10.0.0.1'), 240_000, 'still locked, for the rest of its time');
      assert.equal(after.lockedFor('dev', '10.0.0.2'), 0, 'another address is not locked');
      assert.equal(after.lockedFor('dev', '10.0.0.3'), 0, 'nine failures are not a lockout');
      assert.equal(after.lockedFor('other', '10.0.0.1'), 0, 'another username is not locked');
      assert.deepEqual(after.lockedAddresses('dev'), ['10.0.0.1']);
      after.recordFailure('dev', '10.0.0.3');
      assert.equal(after.lockedFor('dev', '10.0.0.3'), 300_000, 'the nine earlier failures still count');
    } finally {
      second.close();
    }
  });

  it('unlocking and a successful login clear the stored row; logins without failures write nothing', () => {
    const dir = tempDir();
    const now = 5_000_000;
    const store = openStore(dir);
    const tracker = new LoginFailureTracker({ maxFailures: 3, windowMs: 1000, lockMs: 5000 }, () => now, {
      db: store.db,
    });
    for (let i = 0; i < 3; i++) tracker.recordFailure('u', 'a');
    tracker.recordFailure('u', 'b');
    assert.equal(rowCount(store), 2);

    const before = changes(store);
    for (let i = 0; i < 1000; i++) tracker.recordSuccess('v', `10.1.${i >> 8}.${i & 255}`);
    assert.equal(changes(store), before, 'successful logins without earlier failures touch no row');

    tracker.recordSuccess('u', 'b');
    tracker.clear('u', 'a');
    assert.equal(rowCount(store), 0);
    store.close();

    const reopened = openStore(dir);
    try {
      const again = new LoginFailureTracker({ maxFailures: 3, windowMs: 1000, lockMs: 5000 }, () => now, {
        db: reopened.db,
      });
      assert.equal(again.lockedFor('u', 'a'), 0, 'the unlock was saved');
    } finally {
      reopened.close();
    }
  });

  it('prunes rows that no longer matter, at start and while running', () => {
    const dir = tempDir();
    let now = 1_000_000;
    const policy = { maxFailures: 2, windowMs: 10_000, lockMs: 30_000 };
    const store = openStore(dir);
    const tracker = new LoginFailureTracker(policy, () => now, { db: store.db });
    tracker.recordFailure('u', 'counted'); // matters until now + 10 s
    tracker.recordFailure('u', 'locked');
    tracker.recordFailure('u', 'locked'); // locked until now + 30 s
    assert.equal(rowCount(store), 2);

    now += 61_000; // past both, and past the running prune interval
    tracker.recordFailure('u', 'fresh');
    assert.deepEqual(
      store.db.prepare('SELECT address FROM tenancy_login_failures').pluck().all(),
      ['fresh'],
      'the stale rows went with the next write',
    );
    store.close();

    now += 11_000;
    const reopened = openStore(dir);
    try {
      new LoginFailureTracker(policy, () => now, { db: reopened.db });
      assert.equal(rowCount(reopened), 0, 'a start deletes what expired while it was stopped');
    } finally {
      reopened.close();
    }
  });

  it('writing a failure through costs little next to the password hash it follows', () => {
    const dir = tempDir();
    const store = openStore(dir);
    try {
      const tracker = new LoginFailureTracker(DEFAULT_LOCKOUT, Date.now, { db: store.db });
      const n = 5000;
      const started = process.hrtime.bigint();
      for (let i = 0; i < n; i++)
        tracker.recordFailure(`user-${i % 50}`, `10.2.${(i >> 8) & 255}.${i & 255}`);
      const perFailureMs = Number(process.hrtime.bigint() - started) / 1e6 / n;
      // scrypt at N=2^14 takes tens of milliseconds per wrong password; a slow CI machine still writes
      // a row in well under a millisecond (typically ~0.02 ms).
      assert.ok(perFailureMs < 2, `${perFailureMs.toFixed(3)} ms per recorded failure`);
      assert.equal(rowCount(store), n);
    } finally {
      store.close();
    }
  });
});

describe('lockout across a restart of tenancy, store and broker (mqtt.js over loopback)', () => {
  const open = (dir: string) => openTenancy({}, dir);

  it('an address locked out before the restart is still refused after it; another address connects', async () => {
    const dir = tempDir();
    const login = { clientId: 'gw-1', username: 'gw-user', protocolVersion: 5 as const };

    let fx = open(dir);
    let tb = await startTenancyBroker(fx);
    try {
      const acme = await call(fx, 'accounts.create', {
        name: 'acme',
        parentId: rootId(fx),
        serviceId: localServiceId(fx),
      });
      await call(fx, 'credentials.create', {
        accountId: acme.id,
        username: 'gw-user',
        password: 'Right-Horse-42',
      });
      for (let i = 0; i < 10; i++) {
        const bad = await tryConnectFrom('127.0.0.1', tb.port, { ...login, password: `wrong-${i}` });
        assert.ok(!bad.ok && bad.reasonCode === 0x86, `attempt ${i}: ${outcome(bad)}`);
      }
      const locked = await tryConnectFrom('127.0.0.1', tb.port, { ...login, password: 'Right-Horse-42' });
      assert.ok(!locked.ok && /too many failed logins/.test(locked.message), outcome(locked));
    } finally {
      await tb.close();
      fx.close();
    }

    fx = open(dir);
    tb = await startTenancyBroker(fx);
    try {
      const acme = (await call(fx, 'accounts.list', {})).accounts.find((a) => a.name === 'acme')!;
      const [cred] = (await call(fx, 'credentials.list', { accountId: acme.id })).credentials;
      assert.deepEqual(cred?.lockedAddresses, ['127.0.0.1'], 'the Credentials page still shows the lockout');

      const still = await tryConnectFrom('127.0.0.1', tb.port, { ...login, password: 'Right-Horse-42' });
      assert.ok(!still.ok && /too many failed logins/.test(still.message), outcome(still));

      const elsewhere = await tryConnectFrom('127.0.0.2', tb.port, { ...login, password: 'Right-Horse-42' });
      assert.ok(elsewhere.ok, `another address is unaffected: ${outcome(elsewhere)}`);
      await endAll(elsewhere.client);

      await call(fx, 'credentials.unlock', { id: cred!.id, address: '127.0.0.1' });
      const unlocked = await tryConnectFrom('127.0.0.1', tb.port, { ...login, password: 'Right-Horse-42' });
      assert.ok(unlocked.ok, 'unlocking from the operator API lets it in');
      await endAll(unlocked.client);
    } finally {
      await tb.close();
      fx.close();
    }
  });
});

describe('lockout across a restart of the whole core on one data directory', () => {
  it('stays locked for the locked address only', async () => {
    const dir = tempDir();
    const start = () =>
      createCore({ dataDir: dir, mode: 'headless', listeners: { brokerHost: '127.0.0.1', mqttPort: 0 } });
    const login = { clientId: 'core-gw', username: 'core-user', protocolVersion: 5 as const };

    let core = await start();
    try {
      const root = (await callCore(core, 'accounts.list', {})).accounts.find((a) => a.depth === 0)!;
      const local = (await callCore(core, 'services.list', {})).services.find((s) => s.kind === 'embedded')!;
      const acct = await callCore(core, 'accounts.create', {
        parentId: root.id,
        name: 'plant',
        serviceId: local.id,
      });
      await callCore(core, 'credentials.create', {
        accountId: acct.id,
        username: 'core-user',
        password: 'Granite-Owl-77',
      });
      const port = listenerPort(core.readyDetails(), 'mqtt');
      for (let i = 0; i < 10; i++) {
        const bad = await tryConnectFrom('127.0.0.3', port, { ...login, password: `nope-${i}` });
        assert.ok(!bad.ok && bad.reasonCode === 0x86, `attempt ${i}: ${outcome(bad)}`);
      }
    } finally {
      await core.close();
    }

    core = await start();
    try {
      const port = listenerPort(core.readyDetails(), 'mqtt');
      const locked = await tryConnectFrom('127.0.0.3', port, { ...login, password: 'Granite-Owl-77' });
      assert.ok(
        !locked.ok && /too many failed logins from 127\.0\.0\.3/.test(locked.message),
        outcome(locked),
      );
      const other = await tryConnectFrom('127.0.0.4', port, { ...login, password: 'Granite-Owl-77' });
      assert.ok(other.ok, `another address is unaffected: ${outcome(other)}`);
      await endAll(other.client);
    } finally {
      await core.close();
    }
  });
});
