import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { MqttClient } from 'mqtt';
import { waitFor } from '../helpers/wait-for';
import { addWebSocketListener, type TenancyBroker, startTenancyBroker } from './broker-fixture';
import { connectOk, disconnectedBy, endAll, tryConnect, tryConnectFrom } from '../helpers/mqtt-client';
import { call, localServiceId, openTenancy, rootId, type TenancyFixture } from './helpers';

/** Publishes at QoS 1 and returns the PUBACK reason code (0 = accepted). */
function pubackCode(client: MqttClient, topic: string): Promise<number> {
  return new Promise((resolve) => {
    client.publish(topic, 'x', { qos: 1 }, (err, packet) => {
      const code = (packet as { reasonCode?: number } | undefined)?.reasonCode;
      resolve(err ? ((err as Error & { code?: number }).code ?? code ?? -1) : (code ?? 0));
    });
  });
}

/** Subscribes at QoS 1 and returns the SUBACK code (1 = granted QoS 1). */
async function subackCode(client: MqttClient, filter: string): Promise<number> {
  try {
    const granted = await client.subscribeAsync(filter, { qos: 1 });
    return granted[0]?.qos ?? -1;
  } catch (err) {
    // mqtt.js rejects when the broker refuses; the SUBACK is on the error.
    return (err as { packet?: { granted?: number[] } }).packet?.granted?.[0] ?? -1;
  }
}

describe('credentials, coupling, access rules and API keys at the broker', () => {
  let fx: TenancyFixture;
  let tb: TenancyBroker;
  let acme: string;

  before(async () => {
    fx = openTenancy({ lockout: { maxFailures: 3, windowMs: 60_000, lockMs: 60_000 } });
    tb = await startTenancyBroker(fx);
    acme = (
      await call(fx, 'accounts.create', { name: 'acme', parentId: rootId(fx), serviceId: localServiceId(fx) })
    ).id;
  });
  after(async () => {
    await tb.close();
    fx.close();
  });

  async function credential(
    username: string,
    password: string,
    extra: Record<string, unknown> = {},
    accountId = acme,
  ) {
    return call(fx, 'credentials.create', {
      accountId,
      username,
      password,
      expiresAt: null,
      enabled: true,
      ...extra,
    });
  }

  it('stores only a scrypt hash', async () => {
    await credential('hashme', 'plain-text-pw');
    const row = fx.store.db
      .prepare('SELECT password_hash FROM tenancy_credentials WHERE username = ?')
      .get('hashme') as {
      password_hash: string;
    };
    assert.match(row.password_hash, /^scrypt\$16384\$8\$1\$/);
    assert.ok(!row.password_hash.includes('plain-text-pw'));
    await assert.rejects(async () => credential('hashme', 'another-pw-1'), /already taken/);
    const raced = await Promise.allSettled([
      credential('racer', 'race-pw-111'),
      credential('racer', 'race-pw-222'),
    ]);
    assert.equal(raced.filter((r) => r.status === 'fulfilled').length, 1);
    const loser = raced.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    assert.equal((loser.reason as { code?: string }).code, 'CONFLICT');
    await assert.rejects(
      async () => credential('authorization', 'another-pw-1'),
      /reserved for API-key logins/,
    );
  });

  it('refuses a wrong password, an unknown user, a disabled and an expired credential', async () => {
    await credential('dev-a', 'right-password');
    const wrong = await tryConnect(tb.url, { clientId: 'w1', username: 'dev-a', password: 'wrong-password' });
    assert.ok(!wrong.ok && wrong.reasonCode === 0x86, JSON.stringify(wrong));
    const unknown = await tryConnect(tb.url, { clientId: 'w2', username: 'nobody', password: 'whatever' });
    assert.ok(!unknown.ok && unknown.reasonCode === 0x86, JSON.stringify(unknown));

    const ok = await connectOk(tb.url, { clientId: 'w3', username: 'dev-a', password: 'right-password' });
    const cred = fx.tenancy.credentials.byUsername('dev-a')!;
    const gone = disconnectedBy(ok);
    await call(fx, 'credentials.update', { id: cred.id, enabled: false });
    assert.equal((await gone).reasonCode, 0x87, 'disabling drops the connected client');
    const disabled = await tryConnect(tb.url, {
      clientId: 'w3',
      username: 'dev-a',
      password: 'right-password',
    });
    assert.ok(
      !disabled.ok && disabled.reasonCode === 0x87 && /disabled/.test(disabled.message),
      JSON.stringify(disabled),
    );

    await call(fx, 'credentials.update', { id: cred.id, enabled: true, expiresAt: Date.now() - 1000 });
    const expired = await tryConnect(tb.url, {
      clientId: 'w3',
      username: 'dev-a',
      password: 'right-password',
    });
    assert.ok(
      !expired.ok && expired.reasonCode === 0x87 && /expired/.test(expired.message),
      JSON.stringify(expired),
    );
    await call(fx, 'credentials.update', { id: cred.id, expiresAt: null });
    await endAll(await connectOk(tb.url, { clientId: 'w3', username: 'dev-a', password: 'right-password' }));
  });

  it('a password change takes effect at once, even for recently verified logins', async () => {
    const cred = await credential('dev-rotate', 'first-password');
    await endAll(
      await connectOk(tb.url, { clientId: 'rot', username: 'dev-rotate', password: 'first-password' }),
    );
    await endAll(
      await connectOk(tb.url, { clientId: 'rot', username: 'dev-rotate', password: 'first-password' }),
    );
    const wrong = await tryConnect(tb.url, {
      clientId: 'rot',
      username: 'dev-rotate',
      password: 'first-passwordX',
    });
    assert.ok(!wrong.ok && wrong.reasonCode === 0x86, JSON.stringify(wrong));
    await call(fx, 'credentials.setPassword', { id: cred.id, password: 'second-password' });
    const old = await tryConnect(tb.url, {
      clientId: 'rot',
      username: 'dev-rotate',
      password: 'first-password',
    });
    assert.ok(!old.ok && old.reasonCode === 0x86, JSON.stringify(old));
    await endAll(
      await connectOk(tb.url, { clientId: 'rot', username: 'dev-rotate', password: 'second-password' }),
    );
  });

  it('drops clients whose credential or account expires while connected', async () => {
    const later = Date.now() + 3_600_000;
    const cred = await credential('dev-soon', 'soon-password', { expiresAt: later });
    const tmp = await call(fx, 'accounts.create', {
      name: 'tempco',
      parentId: rootId(fx),
      serviceId: localServiceId(fx),
      expiresAt: later,
    });
    await credential('tempco-dev', 'tempco-password', {}, tmp.id);
    const a = await connectOk(tb.url, { clientId: 'soon', username: 'dev-soon', password: 'soon-password' });
    const b = await connectOk(tb.url, {
      clientId: 'tmp',
      username: 'tempco-dev',
      password: 'tempco-password',
    });
    const aGone = disconnectedBy(a);
    const bGone = disconnectedBy(b);
    // Let the clock "pass" both expiry dates without any operator change (no disconnect yet).
    const past = Date.now() - 1;
    fx.store.db.prepare('UPDATE tenancy_credentials SET expires_at = ? WHERE id = ?').run(past, cred.id);
    fx.store.db.prepare('UPDATE tenancy_accounts SET expires_at = ? WHERE id = ?').run(past, tmp.id);
    assert.ok(a.connected && b.connected);
    fx.tenancy.sweepExpired();
    assert.equal((await aGone).reasonCode, 0x87);
    assert.equal((await bGone).reasonCode, 0x87);
    const again = await tryConnect(tb.url, {
      clientId: 'tmp',
      username: 'tempco-dev',
      password: 'tempco-password',
    });
    assert.ok(!again.ok && /account "tempco" has expired/.test(again.message), JSON.stringify(again));
  });

  it('locks out only the address with repeated failures', async () => {
    await credential('dev-lock', 'lock-password');
    for (let i = 0; i < 3; i++) {
      const bad = await tryConnectFrom('127.0.0.2', tb.port, {
        clientId: 'l1',
        username: 'dev-lock',
        password: 'nope-nope',
      });
      assert.ok(!bad.ok && bad.reasonCode === 0x86, JSON.stringify(bad));
    }
    const locked = await tryConnectFrom('127.0.0.2', tb.port, {
      clientId: 'l1',
      username: 'dev-lock',
      password: 'lock-password',
    });
    assert.ok(
      !locked.ok && /too many failed logins from 127\.0\.0\.2/.test(locked.message),
      JSON.stringify(locked),
    );
    const cred = fx.tenancy.credentials.byUsername('dev-lock')!;
    assert.deepEqual(fx.tenancy.credentials.toDto(cred).lockedAddresses, ['127.0.0.2']);

    const elsewhere = await tryConnectFrom('127.0.0.1', tb.port, {
      clientId: 'l2',
      username: 'dev-lock',
      password: 'lock-password',
    });
    assert.ok(elsewhere.ok, 'another address is not locked out');
    await endAll(elsewhere.client);

    await call(fx, 'credentials.unlock', { id: cred.id, address: '127.0.0.2' });
    const unlocked = await tryConnectFrom('127.0.0.2', tb.port, {
      clientId: 'l1',
      username: 'dev-lock',
      password: 'lock-password',
    });
    assert.ok(unlocked.ok, 'unlock lets the address back in');
    await endAll(unlocked.client);
  });

  it('strict coupling keeps a device on its first credential and honours reservations', async () => {
    const strict = (
      await call(fx, 'accounts.create', {
        name: 'strictco',
        parentId: rootId(fx),
        serviceId: localServiceId(fx),
        userCoupling: 'strict',
      })
    ).id;
    await credential('s-one', 'strict-pass-1', {}, strict);
    const two = await credential('s-two', 'strict-pass-2', {}, strict);
    const first = await connectOk(tb.url, { clientId: 'sd', username: 's-one', password: 'strict-pass-1' });
    await endAll(first);
    const switched = await tryConnect(tb.url, {
      clientId: 'sd',
      username: 's-two',
      password: 'strict-pass-2',
    });
    assert.ok(!switched.ok && /bound to another credential/.test(switched.message), JSON.stringify(switched));

    await call(fx, 'connections.update', { accountId: strict, clientId: 'sd', allowUserChange: true });
    await endAll(await connectOk(tb.url, { clientId: 'sd', username: 's-two', password: 'strict-pass-2' }));
    assert.equal(
      fx.tenancy.devices.get(strict, 'sd')?.boundCredentialId,
      two.id,
      'the binding follows the change',
    );

    await call(fx, 'connections.update', {
      accountId: strict,
      clientId: 'reserved-dev',
      reservedCredentialId: two.id,
    });
    const stolen = await tryConnect(tb.url, {
      clientId: 'other-dev',
      username: 's-two',
      password: 'strict-pass-2',
    });
    assert.ok(!stolen.ok && /reserved for another device/.test(stolen.message), JSON.stringify(stolen));
    const owner = await tryConnect(tb.url, {
      clientId: 'reserved-dev',
      username: 's-one',
      password: 'strict-pass-1',
    });
    assert.ok(!owner.ok && /must use its reserved credential/.test(owner.message), JSON.stringify(owner));
    await endAll(
      await connectOk(tb.url, { clientId: 'reserved-dev', username: 's-two', password: 'strict-pass-2' }),
    );

    // A per-device loose override lifts the binding for that device only.
    await call(fx, 'connections.update', {
      accountId: strict,
      clientId: 'sd',
      coupling: 'loose',
      allowUserChange: false,
    });
    await endAll(await connectOk(tb.url, { clientId: 'sd', username: 's-one', password: 'strict-pass-1' }));
  });

  it('enforces the device quota (0 = none allowed)', async () => {
    const small = (
      await call(fx, 'accounts.create', {
        name: 'smallco',
        parentId: rootId(fx),
        serviceId: localServiceId(fx),
        maxDevices: 1,
      })
    ).id;
    await credential('small-dev', 'small-pass-1', {}, small);
    const one = await connectOk(tb.url, {
      clientId: 'only',
      username: 'small-dev',
      password: 'small-pass-1',
    });
    const two = await tryConnect(tb.url, {
      clientId: 'second',
      username: 'small-dev',
      password: 'small-pass-1',
    });
    assert.ok(
      !two.ok && two.reasonCode === 0x97 && /device limit \(1\)/.test(two.message),
      JSON.stringify(two),
    );
    await endAll(one);
    await call(fx, 'accounts.update', { id: small, maxDevices: 0 });
    const none = await tryConnect(tb.url, {
      clientId: 'third',
      username: 'small-dev',
      password: 'small-pass-1',
    });
    assert.ok(!none.ok && none.reasonCode === 0x97, JSON.stringify(none));
  });

  it('access rules with %c, %u and %a apply to every publish and subscribe', async () => {
    const rules = await credential('rules-dev', 'rules-pass-1');
    await call(fx, 'accessRules.set', {
      accountId: acme,
      credentialId: rules.id,
      rules: [
        { filter: 'devices/%c/#', action: 'both' },
        { filter: 'users/%u/inbox', action: 'subscribe' },
        { filter: 'org/%a/status', action: 'publish' },
      ],
    });
    const c = await connectOk(tb.url, { clientId: 'r1', username: 'rules-dev', password: 'rules-pass-1' });
    assert.equal(await pubackCode(c, 'devices/r1/temp'), 0);
    assert.equal(await pubackCode(c, 'devices/r2/temp'), 0x87);
    assert.equal(await pubackCode(c, 'org/acme/status'), 0);
    assert.equal(await pubackCode(c, 'users/rules-dev/inbox'), 0x87, 'subscribe-only');
    assert.equal(await subackCode(c, 'users/rules-dev/inbox'), 1);
    assert.equal(
      await subackCode(c, 'devices/+/temp'),
      1,
      'wider than the rule: granted, narrowed at delivery',
    );
    assert.equal(await subackCode(c, 'devices/r2/#'), 0x87, 'wholly outside the rules');
    assert.equal(await subackCode(c, 'devices/r1/#'), 1);

    // A rule change applies to the next operation without reconnecting.
    await call(fx, 'accessRules.set', {
      accountId: acme,
      credentialId: rules.id,
      rules: [{ filter: 'other/#', action: 'both' }],
    });
    assert.equal(await pubackCode(c, 'devices/r1/temp'), 0x87);
    assert.equal(await pubackCode(c, 'other/x'), 0);
    // Clearing its own rules falls back to the account template ("#" by default).
    const cleared = await call(fx, 'accessRules.set', { accountId: acme, credentialId: rules.id, rules: [] });
    assert.equal(cleared.usesTemplate, true);
    assert.equal(await pubackCode(c, 'devices/r2/temp'), 0);
    await endAll(c);
  });

  it('API keys: username "authorization", permission changes apply to the next publish, revocation disconnects', async () => {
    const created = await call(fx, 'apiKeys.create', {
      accountId: acme,
      name: 'ingest',
      type: 'device',
      permissions: [{ filter: 'data/#', action: 'publish' }],
      expiresAt: null,
    });
    assert.match(created.key, /^fbk_/);
    const stored = JSON.stringify(fx.store.db.prepare('SELECT * FROM tenancy_api_keys').all());
    // The secret is everything after the id (base64url, so it may itself contain "_").
    const secret = /^fbk_[0-9a-f]{32}_(.+)$/.exec(created.key)![1]!;
    assert.ok(!stored.includes(secret), 'only a hash of the key is stored');
    assert.ok(!JSON.stringify(await call(fx, 'apiKeys.list', { accountId: acme })).includes(created.key));

    const c = await connectOk(tb.url, {
      clientId: 'app-1',
      username: 'authorization',
      password: created.key,
    });
    assert.equal(await pubackCode(c, 'data/a'), 0);
    assert.equal(await pubackCode(c, 'control/a'), 0x87);
    await call(fx, 'apiKeys.update', {
      id: created.apiKey.id,
      permissions: [{ filter: 'control/#', action: 'publish' }],
    });
    assert.equal(await pubackCode(c, 'data/a'), 0x87, 'the very next publish sees the change');
    assert.equal(await pubackCode(c, 'control/a'), 0);

    const bad = await tryConnect(tb.url, {
      clientId: 'app-2',
      username: 'authorization',
      password: `${created.key}x`,
    });
    assert.ok(!bad.ok && bad.reasonCode === 0x86, JSON.stringify(bad));

    const gone = disconnectedBy(c);
    await call(fx, 'apiKeys.revoke', { id: created.apiKey.id });
    assert.equal((await gone).reasonCode, 0x87);
    const revoked = await tryConnect(tb.url, {
      clientId: 'app-1',
      username: 'authorization',
      password: created.key,
    });
    assert.ok(!revoked.ok && /revoked/.test(revoked.message), JSON.stringify(revoked));

    const operatorKey = await call(fx, 'apiKeys.create', {
      accountId: acme,
      name: 'ops',
      type: 'operator',
      permissions: [],
      expiresAt: null,
    });
    const noMqtt = await tryConnect(tb.url, {
      clientId: 'ops',
      username: 'authorization',
      password: operatorKey.key,
    });
    assert.ok(!noMqtt.ok && /lacks the "mqtt" scope/.test(noMqtt.message), JSON.stringify(noMqtt));
  });

  it('connection options are enforced by listener kind', async () => {
    const ws = await addWebSocketListener(fx, tb);
    try {
      await credential('opt-dev', 'opt-pass-1');
      await call(fx, 'accounts.setConnectionOptions', { accountId: acme, options: ['ws'] });
      const overTcp = await tryConnect(tb.url, {
        clientId: 'o1',
        username: 'opt-dev',
        password: 'opt-pass-1',
      });
      assert.ok(
        !overTcp.ok && /connection option "mqtt" is not enabled/.test(overTcp.message),
        JSON.stringify(overTcp),
      );
      await endAll(await connectOk(ws.url, { clientId: 'o1', username: 'opt-dev', password: 'opt-pass-1' }));
      await call(fx, 'accounts.setConnectionOptions', { accountId: acme, options: null });
      await endAll(await connectOk(tb.url, { clientId: 'o1', username: 'opt-dev', password: 'opt-pass-1' }));
    } finally {
      await ws.close();
    }
  });

  it('keeps connection records: connected, disconnected, missing', async () => {
    await credential('rec-dev', 'rec-pass-1');
    const c = await connectOk(tb.url, { clientId: 'rec', username: 'rec-dev', password: 'rec-pass-1' });
    await waitFor(() => fx.tenancy.devices.get(acme, 'rec')?.status === 'connected', 'connected record');
    const record = fx.tenancy.devices.get(acme, 'rec')!;
    assert.equal(record.protocol, 'MQTT 5.0');
    assert.equal(record.username, 'rec-dev');
    assert.equal(record.listenerKind, 'mqtt');
    assert.equal(record.clientAddress, '127.0.0.1');
    await c.endAsync();
    await waitFor(
      () => fx.tenancy.devices.get(acme, 'rec')?.status === 'disconnected',
      'disconnected record',
    );
    assert.match(fx.tenancy.devices.get(acme, 'rec')?.lastDisconnectReason ?? '', /client sent DISCONNECT/);

    const lost = await connectOk(tb.url, { clientId: 'rec', username: 'rec-dev', password: 'rec-pass-1' });
    await waitFor(() => fx.tenancy.devices.get(acme, 'rec')?.status === 'connected', 'connected again');
    lost.stream.destroy();
    await waitFor(() => fx.tenancy.devices.get(acme, 'rec')?.status === 'missing', 'missing record');
    lost.end(true);
    const listed = await call(fx, 'connections.list', {
      accountId: rootId(fx),
      includeDescendants: true,
      status: 'missing',
    });
    assert.ok(listed.connections.some((d) => d.clientId === 'rec' && d.accountName === 'acme'));
  });
});
