import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ClientRef, ConnectContext } from '../../main/broker/hooks';
import { call, localServiceId, openTenancy, rootId, type TenancyFixture } from './helpers';

describe('admission for logins proven elsewhere (client certificates)', () => {
  let fx: TenancyFixture;
  let accountId: string;
  const listener = { id: 'mtls', kind: 'mqtts-mutual' as const, host: '127.0.0.1', port: 8884 };
  const ctx = (clientId: string): ConnectContext => ({
    clientId,
    protocolVersion: 5,
    listener,
    remoteAddress: '127.0.0.1',
  });

  before(async () => {
    fx = openTenancy();
    fx.listeners.push({ kind: 'mqtts-mutual', host: '127.0.0.1', port: 8884 });
    accountId = (
      await call(fx, 'accounts.create', {
        parentId: rootId(fx),
        name: 'certco',
        serviceId: localServiceId(fx),
        maxDevices: 1,
      })
    ).id;
    await call(fx, 'accessRules.set', {
      accountId,
      credentialId: null,
      rules: [{ filter: 'things/%c/#', action: 'both' }],
    });
  });
  after(() => fx.close());

  it('applies account checks, the device quota and the account template', () => {
    const account = fx.tenancy.accounts.require(accountId);
    const admitted = fx.tenancy.admitToAccount(
      ctx('thing-1'),
      account,
      { kind: 'device', attributes: { certificateSerial: '01' } },
      null,
    );
    assert.ok(admitted.ok);
    assert.equal(admitted.principal.topicPrefix, '$a/certco/');
    const client: ClientRef = {
      clientId: 'thing-1',
      principal: admitted.principal,
      listener,
      remoteAddress: '127.0.0.1',
    };
    assert.equal(fx.tenancy.hooks.authorizePublish(client, 'things/thing-1/temp', 1, false), true);
    assert.notEqual(fx.tenancy.hooks.authorizePublish(client, 'things/thing-2/temp', 1, false), true);

    const second = fx.tenancy.admitToAccount(ctx('thing-2'), account, { kind: 'device' }, null);
    assert.ok(!second.ok && second.reasonCode === 0x97);
  });

  it('refuses when the account has no messaging service', async () => {
    await call(fx, 'accounts.assignService', { accountId, serviceId: null });
    const refused = fx.tenancy.admitToAccount(
      ctx('thing-1'),
      fx.tenancy.accounts.require(accountId),
      { kind: 'device' },
      null,
    );
    assert.ok(
      !refused.ok &&
        refused.reasonCode === 0x87 &&
        /has no messaging service/.test(refused.reasonString ?? ''),
    );
  });
});
