import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { call, localServiceId, openTenancy, rootId, type TenancyFixture } from './helpers';

/** Which endpoint names belong in the embedded broker's server certificate. */
describe('secure endpoint domains of the embedded service', () => {
  let fx: TenancyFixture;
  let externalId: string;
  const domains = () => fx.tenancy.endpoints.secureDomains();
  const account = async (name: string, parentId: string, serviceId: string | null = null) =>
    (await call(fx, 'accounts.create', { parentId, name, serviceId })).id;
  const endpoint = (accountId: string, scheme: string, domain: string, port: number) =>
    call(fx, 'endpoints.create', { accountId, scheme, domain, port });

  before(async () => {
    fx = openTenancy();
    externalId = (
      await call(fx, 'services.createExternal', {
        name: 'cloud',
        endpoints: [{ scheme: 'mqtts', host: 'cluster.cloud.example.net', port: 8883 }],
      })
    ).id;
  });
  after(() => fx.close());

  it('include secure endpoints of local accounts and leave out plain ones', async () => {
    const onprem = await account('onprem', rootId(fx), localServiceId(fx));
    await endpoint(onprem, 'mqtts', 'OnPrem.Example.com', 8883);
    await endpoint(onprem, 'wss', 'ws.onprem.example.com', 8443);
    await endpoint(onprem, 'mqtt', 'plain.onprem.example.com', 1883);
    assert.deepEqual(domains(), ['onprem.example.com', 'ws.onprem.example.com']);
  });

  it('leave out accounts on an external service, their sub-accounts and unassigned accounts', async () => {
    const cloudy = await account('cloudy', rootId(fx), externalId);
    await endpoint(cloudy, 'mqtts', 'devices.cloud.example.net', 8883);
    const cloudyChild = await account('cloudy-child', cloudy);
    await endpoint(cloudyChild, 'wss', 'child.cloud.example.net', 443);
    const unassigned = await account('unassigned', rootId(fx));
    await endpoint(unassigned, 'mqtts', 'nowhere.example.org', 8883);
    assert.deepEqual(domains(), ['onprem.example.com', 'ws.onprem.example.com']);
  });

  it('include a name a local account inherits from an ancestor on an external service', async () => {
    await call(fx, 'accounts.assignService', { accountId: rootId(fx), serviceId: externalId });
    await endpoint(rootId(fx), 'mqtts', 'shared.example.org', 8883);
    assert.ok(!domains().includes('shared.example.org'), 'no local account uses the root endpoints yet');
    const inheriting = await account('inheriting', rootId(fx), localServiceId(fx));
    assert.equal((await call(fx, 'endpoints.list', { accountId: inheriting })).inheritedFrom, rootId(fx));
    assert.ok(domains().includes('shared.example.org'), 'a local account dials the inherited name');
    await call(fx, 'accounts.assignService', { accountId: inheriting, serviceId: externalId });
    assert.ok(
      !domains().includes('shared.example.org'),
      'gone once that account moves to the external service',
    );
  });

  it('follow an account moving from the external service to the embedded one', async () => {
    const cloudy = fx.tenancy.accounts.list(rootId(fx)).find((a) => a.name === 'cloudy')!;
    await call(fx, 'accounts.assignService', { accountId: cloudy.id, serviceId: localServiceId(fx) });
    assert.deepEqual(
      domains().filter((d) => d.includes('cloud')),
      ['child.cloud.example.net', 'devices.cloud.example.net'],
    );
  });
});
