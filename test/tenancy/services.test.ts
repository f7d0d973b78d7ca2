import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { MethodName } from '../../preload/contract';
import { startTestCore, type TestCore } from '../helpers/test-core';
import { endAll, tryConnect } from '../helpers/mqtt-client';

/** Deleting messaging services through the validating operator-API dispatcher of a real core. */
describe('services.delete', () => {
  let tc: TestCore;
  let url: string;
  const call: TestCore['call'] = (method, request) => tc.call(method, request);
  /** The error outcome of a request (which must fail), as the transports would send it. */
  const refusal = async (method: string, request: unknown) => {
    const outcome = await tc.core.dispatch(method as MethodName, request as never, {
      transport: 'internal',
      actor: 'test',
    });
    assert.ok(!outcome.ok, `${method} should fail`);
    return outcome.error;
  };
  const serviceNames = async () => (await call('services.list', {})).services.map((s) => s.name);

  before(async () => {
    tc = await startTestCore({ listeners: { mqttPort: 0 } });
    url = `mqtt://127.0.0.1:${tc.port('mqtt')}`;
  });
  after(async () => {
    await tc.close();
  });

  it('validates the request against the contract', async () => {
    assert.equal((await refusal('services.delete', {})).code, 'BAD_REQUEST');
    assert.equal((await refusal('services.delete', { id: '' })).code, 'BAD_REQUEST');
    assert.equal((await refusal('services.delete', { id: 'x', force: true })).code, 'BAD_REQUEST');
    const missing = await refusal('services.delete', { id: 'no-such-service' });
    assert.equal(missing.code, 'NOT_FOUND');
  });

  it('never deletes the embedded service', async () => {
    const local = (await call('services.list', {})).services.find((s) => s.kind === 'embedded')!;
    const error = await refusal('services.delete', { id: local.id });
    assert.equal(error.code, 'CONFLICT');
    assert.match(error.message, /embedded broker’s service cannot be deleted/);
    assert.ok((await serviceNames()).includes('local'));
  });

  it('refuses while accounts use the service, naming them; deletes once none does', async () => {
    const { services } = await call('services.list', {});
    const local = services.find((s) => s.kind === 'embedded')!;
    const root = (await call('accounts.list', {})).accounts.find((a) => a.depth === 0)!;
    const cluster = await call('services.createExternal', {
      name: 'cluster-eu',
      endpoints: [{ scheme: 'mqtts', host: 'mqtt.example.net', port: 8883 }],
    });
    const acme = await call('accounts.create', { parentId: root.id, name: 'acme', serviceId: cluster.id });
    const beta = await call('accounts.create', { parentId: root.id, name: 'beta', serviceId: cluster.id });
    const plant = await call('accounts.create', { parentId: acme.id, name: 'acme-plant' });
    await call('accounts.create', { parentId: plant.id, name: 'acme-line-1' });
    await call('credentials.create', {
      accountId: acme.id,
      username: 'acme-gw',
      password: 'Quiet-Lantern-7',
    });

    // Its devices are refused while the account is on the external cluster …
    const refused = await tryConnect(url, {
      clientId: 'gw-1',
      username: 'acme-gw',
      password: 'Quiet-Lantern-7',
    });
    assert.ok(!refused.ok && refused.reasonCode === 0x87, refused.ok ? 'connected' : refused.message);

    const inUse = await refusal('services.delete', { id: cluster.id });
    assert.equal(inUse.code, 'CONFLICT');
    assert.match(inUse.message, /"cluster-eu" is still used by accounts "acme", "beta"/);
    assert.match(inUse.message, /2 sub-accounts below/);
    assert.deepEqual(inUse.details, { accounts: ['acme', 'beta'], inheritingSubAccounts: 2 });
    assert.ok((await serviceNames()).includes('cluster-eu'), 'nothing was deleted');

    await call('accounts.assignService', { accountId: acme.id, serviceId: local.id });
    const one = await refusal('services.delete', { id: cluster.id });
    assert.match(one.message, /still used by account "beta"; assign it another service first/);
    assert.doesNotMatch(one.message, /sub-account/);

    await call('accounts.assignService', { accountId: beta.id, serviceId: null });
    assert.deepEqual(await call('services.delete', { id: cluster.id }), { ok: true });
    assert.deepEqual(await serviceNames(), ['local']);
    assert.equal((await refusal('services.delete', { id: cluster.id })).code, 'NOT_FOUND');

    const audit = await call('audit.query', { action: 'services.delete' });
    assert.equal(audit.total, 1, 'only the successful delete is audited');
    assert.equal(audit.entries[0]?.target, 'service:cluster-eu');

    // … and connect on the embedded broker once moved back to it.
    const moved = await tryConnect(url, {
      clientId: 'gw-1',
      username: 'acme-gw',
      password: 'Quiet-Lantern-7',
    });
    assert.ok(moved.ok, moved.ok ? '' : moved.message);
    await endAll(moved.client);
  });
});
