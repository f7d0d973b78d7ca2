import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import mqtt from 'mqtt';
import { endAll } from '../helpers/mqtt-client';
import { openCore, pubackCode, type SecuredCore, subackCode } from './helpers';

const connect = (url: string, opts: mqtt.IClientOptions = {}) =>
  mqtt.connectAsync(url, { protocolVersion: 5, reconnectPeriod: 0, connectTimeout: 10_000, ...opts });

/** `$SYS` counts over every account: anonymous lab clients and account devices may not read it. */
describe('$SYS statistics are for operators only', () => {
  let sc: SecuredCore;
  before(async () => {
    sc = await openCore({ broker: { sysIntervalSeconds: 1 } }, true);
    const acme = await sc.account('acme', [{ filter: '#', action: 'both' }]);
    await sc.call('credentials.create', { accountId: acme, username: 'gw', password: 'gateway pass 1' });
  });
  after(() => sc.core.close());

  it('refuses $SYS to anonymous clients, for reading and for writing', async () => {
    const anon = await connect(sc.url, { clientId: 'anon' });
    try {
      for (const filter of ['$SYS/#', '$SYS/broker/clients/connected', '$share/g/$SYS/#', '$SYS/+/uptime'])
        assert.equal(await subackCode(anon, filter), 0x87, filter);
      assert.equal(await pubackCode(anon, '$SYS/broker/clients/connected', '0'), 0x87, 'no forged figures');
      assert.equal(await subackCode(anon, 'lab/#'), 1, 'ordinary topics stay open');
    } finally {
      await endAll(anon);
    }
  });

  it('refuses $SYS to account devices', async () => {
    const device = await connect(sc.url, { clientId: 'gw-1', username: 'gw', password: 'gateway pass 1' });
    try {
      assert.equal(await subackCode(device, '$SYS/#'), 0x87);
      assert.equal(await subackCode(device, '$SYS/broker/uptime'), 0x87);
      assert.equal(await subackCode(device, 'plant/#'), 1);
    } finally {
      await endAll(device);
    }
  });
});
