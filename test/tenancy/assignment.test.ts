import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { waitFor } from '../helpers/wait-for';
import { type TenancyBroker, startTenancyBroker } from './broker-fixture';
import { connectOk, disconnectedBy, endAll, tryConnect } from '../helpers/mqtt-client';
import { call, localServiceId, openTenancy, rootId, type TenancyFixture } from './helpers';

describe('messaging-service assignment enforced by the broker', () => {
  let fx: TenancyFixture;
  let tb: TenancyBroker;
  let levelOne: string;
  let deep: string;

  before(async () => {
    fx = openTenancy();
    tb = await startTenancyBroker(fx);
    levelOne = (
      await call(fx, 'accounts.create', {
        parentId: rootId(fx),
        name: 'fleet',
        serviceId: localServiceId(fx),
      })
    ).id;
    const mid = await call(fx, 'accounts.create', { parentId: levelOne, name: 'fleet-eu' });
    deep = (await call(fx, 'accounts.create', { parentId: mid.id, name: 'fleet-eu-depot' })).id;
    await call(fx, 'credentials.create', {
      accountId: levelOne,
      username: 'fleet-dev',
      password: 'fleet-secret-1',
      expiresAt: null,
      enabled: true,
    });
    await call(fx, 'credentials.create', {
      accountId: deep,
      username: 'depot-dev',
      password: 'depot-secret-1',
      expiresAt: null,
      enabled: true,
    });
    await call(fx, 'credentials.create', {
      accountId: rootId(fx),
      username: 'sys-dev',
      password: 'sys-secret-1',
      expiresAt: null,
      enabled: true,
    });
  });
  after(async () => {
    await tb.close();
    fx.close();
  });

  it('root and level-one accounts connect once assigned; deeper accounts inherit', async () => {
    const a = await connectOk(tb.url, { clientId: 'a1', username: 'fleet-dev', password: 'fleet-secret-1' });
    const b = await connectOk(tb.url, { clientId: 'b1', username: 'depot-dev', password: 'depot-secret-1' });
    const c = await connectOk(tb.url, { clientId: 'c1', username: 'sys-dev', password: 'sys-secret-1' });
    await endAll(a, b, c);
  });

  it('an inherited assignment cannot be changed on the descendant', async () => {
    await assert.rejects(
      async () => call(fx, 'accounts.assignService', { accountId: deep, serviceId: null }),
      /inherits its messaging service from level-one account "fleet"/,
    );
  });

  it('unassign drops connected devices and refuses new ones; reassign lets them back', async () => {
    const a = await connectOk(tb.url, { clientId: 'a2', username: 'fleet-dev', password: 'fleet-secret-1' });
    const b = await connectOk(tb.url, { clientId: 'b2', username: 'depot-dev', password: 'depot-secret-1' });
    const c = await connectOk(tb.url, { clientId: 'c2', username: 'sys-dev', password: 'sys-secret-1' });
    const aGone = disconnectedBy(a);
    const bGone = disconnectedBy(b);
    await call(fx, 'accounts.assignService', { accountId: levelOne, serviceId: null });
    const [aWhy, bWhy] = await Promise.all([aGone, bGone]);
    assert.equal(aWhy.reasonCode, 0x87);
    assert.match(aWhy.reasonString ?? '', /account "fleet" has no messaging service/);
    assert.equal(bWhy.reasonCode, 0x87);
    assert.ok(c.connected, 'the root account keeps its own assignment');

    for (const [username, password] of [
      ['fleet-dev', 'fleet-secret-1'],
      ['depot-dev', 'depot-secret-1'],
    ]) {
      const refused = await tryConnect(tb.url, { clientId: `x-${username}`, username, password });
      assert.equal(refused.ok, false);
      assert.ok(!refused.ok && refused.reasonCode === 0x87, `refused with 0x87: ${JSON.stringify(refused)}`);
      assert.ok(
        !refused.ok && /has no messaging service/.test(refused.message),
        refused.ok ? '' : refused.message,
      );
    }
    // MQTT 3.1.1 clients get "not authorized" too.
    const v4 = await tryConnect(tb.url, {
      clientId: 'v4',
      username: 'fleet-dev',
      password: 'fleet-secret-1',
      protocolVersion: 4,
    });
    assert.ok(!v4.ok && v4.reasonCode === 5, JSON.stringify(v4));

    await waitFor(
      () => fx.tenancy.devices.get(levelOne, 'a2')?.status === 'disconnected',
      'the connection record of a2 to show the server disconnect',
    );
    assert.match(fx.tenancy.devices.get(levelOne, 'a2')?.lastDisconnectReason ?? '', /no messaging service/);

    await call(fx, 'accounts.assignService', { accountId: levelOne, serviceId: localServiceId(fx) });
    const a3 = await connectOk(tb.url, { clientId: 'a3', username: 'fleet-dev', password: 'fleet-secret-1' });
    const b3 = await connectOk(tb.url, { clientId: 'b3', username: 'depot-dev', password: 'depot-secret-1' });
    await endAll(a3, b3, c);
  });

  it('an account moved to an external service is refused by the embedded broker', async () => {
    const a = await connectOk(tb.url, { clientId: 'a4', username: 'fleet-dev', password: 'fleet-secret-1' });
    const gone = disconnectedBy(a);
    const external = await call(fx, 'services.createExternal', {
      name: 'cloud',
      endpoints: [{ scheme: 'mqtts', host: 'mqtt.example.net', port: 8883 }],
    });
    await call(fx, 'accounts.assignService', { accountId: levelOne, serviceId: external.id });
    assert.match((await gone).reasonString ?? '', /moved to messaging service "cloud"/);
    const refused = await tryConnect(tb.url, {
      clientId: 'b4',
      username: 'depot-dev',
      password: 'depot-secret-1',
    });
    assert.ok(
      !refused.ok && /served by messaging service "cloud"/.test(refused.message),
      JSON.stringify(refused),
    );
    await call(fx, 'accounts.assignService', { accountId: levelOne, serviceId: localServiceId(fx) });
    await endAll(
      await connectOk(tb.url, { clientId: 'b4', username: 'depot-dev', password: 'depot-secret-1' }),
    );
  });

  it('disabling a level-one account drops and refuses its descendants’ devices', async () => {
    const b = await connectOk(tb.url, { clientId: 'b5', username: 'depot-dev', password: 'depot-secret-1' });
    const gone = disconnectedBy(b);
    await call(fx, 'accounts.setEnabled', { id: levelOne, enabled: false });
    assert.match((await gone).reasonString ?? '', /account "fleet" is disabled/);
    const refused = await tryConnect(tb.url, {
      clientId: 'b5',
      username: 'depot-dev',
      password: 'depot-secret-1',
    });
    assert.ok(
      !refused.ok && /ancestor account "fleet" is disabled/.test(refused.message),
      JSON.stringify(refused),
    );
    await call(fx, 'accounts.setEnabled', { id: levelOne, enabled: true });
    await endAll(
      await connectOk(tb.url, { clientId: 'b5', username: 'depot-dev', password: 'depot-secret-1' }),
    );
  });
});
