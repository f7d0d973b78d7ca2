import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { call } from '../tenancy/helpers';
import { connectOk, endAll } from '../helpers/mqtt-client';
import { addCredential, openSecured, pubackCode, type SecurityFixture } from './helpers';

/**
 * `%c` and `%u` stand for exactly one topic level: a client id "A/x" must not publish into
 * "devices/A/x/cmd", where device "A" would receive it.
 */
describe('%c and %u are one topic level', () => {
  let sf: SecurityFixture;

  before(async () => {
    sf = await openSecured();
    await call(sf.fx, 'accessRules.set', {
      accountId: sf.accountId,
      credentialId: null,
      rules: [
        { filter: 'devices/%c/#', action: 'both' },
        { filter: 'users/%u/#', action: 'both' },
      ],
    });
    await addCredential(sf, 'fleet', 'fleet password 1');
    await addCredential(sf, 'A/x', 'slashed password 1');
  });
  after(() => sf.close());

  it('a client id with "/" cannot publish into another device\'s topics', async () => {
    const a = await connectOk(sf.tb.url, { clientId: 'A', username: 'fleet', password: 'fleet password 1' });
    const intruder = await connectOk(sf.tb.url, {
      clientId: 'A/x',
      username: 'fleet',
      password: 'fleet password 1',
    });
    try {
      const received: string[] = [];
      a.on('message', (topic, payload) => received.push(`${topic} ${payload.toString()}`));
      await a.subscribeAsync('devices/A/#', { qos: 1 });
      assert.equal(await pubackCode(intruder, 'devices/A/x/cmd', 'evil'), 0x87, 'refused');
      assert.equal(await pubackCode(intruder, 'devices/A/cmd', 'evil'), 0x87, 'refused');
      // A's own marker arrives after anything the intruder could have routed.
      const marker = new Promise<void>((resolve) =>
        a.on('message', (topic) => topic === 'devices/A/marker' && resolve()),
      );
      assert.equal(await pubackCode(a, 'devices/A/marker', 'mine'), 0);
      await marker;
      assert.deepEqual(received, ['devices/A/marker mine']);
    } finally {
      await endAll(a, intruder);
    }
  });

  it('a username with "/" gets nothing from a %u rule', async () => {
    const slashed = await connectOk(sf.tb.url, {
      clientId: 'slashed-user',
      username: 'A/x',
      password: 'slashed password 1',
    });
    const fleet = await connectOk(sf.tb.url, {
      clientId: 'fleet-1',
      username: 'fleet',
      password: 'fleet password 1',
    });
    try {
      assert.equal(await pubackCode(slashed, 'users/A/x/inbox'), 0x87);
      assert.equal(await pubackCode(fleet, 'users/fleet/inbox'), 0, 'a one-level username still works');
    } finally {
      await endAll(slashed, fleet);
    }
  });
});
