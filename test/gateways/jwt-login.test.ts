import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  ACCOUNT,
  clientIdOf,
  connect,
  connected,
  createWithKey,
  type GatewayLab,
  jwtFor,
  nextEvent,
  REGISTRY,
  startLab,
  strayKey,
} from './helpers';

describe('JWT device logins', () => {
  let lab: GatewayLab;
  let key: string;
  const refused: { clientId: string; reason?: string; reasonCode: number }[] = [];

  before(async () => {
    lab = await startLab();
    key = await createWithKey(lab, 'meter-1', 'device');
    lab.core.broker.events.on('client.connect-refused', (e) => refused.push(e));
  });
  after(async () => {
    await lab.core.close();
  });

  const refusalFor = (clientId: string) => refused.filter((r) => r.clientId === clientId).at(-1);

  test('a device connects with an ES256 JWT (username ignored) and shows as connected', async () => {
    const client = await connected(lab, clientIdOf('meter-1'), await jwtFor(key));
    try {
      const { device } = await lab.call('gateways.getDevice', {
        accountId: lab.accountId,
        registryId: REGISTRY,
        deviceId: 'meter-1',
      });
      assert.equal(device.connected, true);
    } finally {
      await client.endAsync();
    }
  });

  test('the IoT Core client id form and an RS256 key work too, over MQTT 3.1.1', async () => {
    const rsa = await createWithKey(lab, 'meter-rsa', 'device', {}, 'RS256');
    const client = await connected(
      lab,
      `projects/${ACCOUNT}/locations/europe-west1/registries/${REGISTRY}/devices/meter-rsa`,
      await jwtFor(rsa),
      { protocolVersion: 4 },
    );
    await client.endAsync();
  });

  const refusals: [string, () => Promise<{ clientId: string; password: string }>, RegExp][] = [
    [
      'a JWT signed by another key',
      async () => ({ clientId: clientIdOf('meter-1'), password: await jwtFor(strayKey()) }),
      /bad-signature/,
    ],
    [
      'an expired JWT',
      async () => ({
        clientId: clientIdOf('meter-1'),
        password: await jwtFor(key, 600, ACCOUNT, Math.floor(Date.now() / 1000) - 3600),
      }),
      /expired/,
    ],
    [
      'a JWT issued in the future',
      async () => ({
        clientId: clientIdOf('meter-1'),
        password: await jwtFor(key, 600, ACCOUNT, Math.floor(Date.now() / 1000) + 3600),
      }),
      /not-yet-valid/,
    ],
    [
      'a JWT for another audience',
      async () => ({ clientId: clientIdOf('meter-1'), password: await jwtFor(key, 600, 'other') }),
      /wrong-audience/,
    ],
    [
      'a JWT valid for longer than 24 h + 10 min',
      async () => ({ clientId: clientIdOf('meter-1'), password: await jwtFor(key, 24 * 3600 + 601) }),
      /lifetime-too-long/,
    ],
    [
      'an unknown device',
      async () => ({ clientId: clientIdOf('nobody'), password: await jwtFor(key) }),
      /unknown device/,
    ],
    [
      'a password that is no JWT',
      async () => ({ clientId: clientIdOf('meter-1'), password: 'hunter2' }),
      /malformed/,
    ],
    [
      'a 60,000-byte password (not parsed at all)',
      async () => ({
        clientId: clientIdOf('meter-1'),
        password: `${await jwtFor(key)}${'A'.repeat(60_000)}`,
      }),
      /malformed/,
    ],
  ];
  for (const [what, make, reason] of refusals) {
    test(`${what} is refused with 0x86 and the reason is logged`, async () => {
      const { clientId, password } = await make();
      const outcome = await connect(lab, clientId, password);
      assert.equal(outcome.ok, false);
      assert.equal(!outcome.ok && outcome.reasonCode, 0x86);
      assert.match(refusalFor(clientId)?.reason ?? '', reason);
    });
  }

  test('a token lifetime of exactly 24 h + 10 min is accepted', async () => {
    const client = await connected(lab, clientIdOf('meter-1'), await jwtFor(key, 24 * 3600 + 600));
    await client.endAsync();
  });

  test('a blocked device is refused with 0x87; unblocked it connects again', async () => {
    const ref = { accountId: lab.accountId, registryId: REGISTRY, deviceId: 'meter-1' };
    await lab.call('gateways.updateDevice', { ...ref, blocked: true });
    const outcome = await connect(lab, clientIdOf('meter-1'), await jwtFor(key));
    assert.equal(!outcome.ok && outcome.reasonCode, 0x87);
    assert.match(refusalFor(clientIdOf('meter-1'))?.reason ?? '', /blocked/);
    await lab.call('gateways.updateDevice', { ...ref, blocked: false });
    await (await connected(lab, clientIdOf('meter-1'), await jwtFor(key))).endAsync();
  });

  test('blocking a connected device disconnects it', async () => {
    const ref = { accountId: lab.accountId, registryId: REGISTRY, deviceId: 'meter-1' };
    const client = await connected(lab, clientIdOf('meter-1'), await jwtFor(key));
    const closed = nextEvent(client, 'close');
    await lab.call('gateways.updateDevice', { ...ref, blocked: true });
    await closed;
    await lab.call('gateways.updateDevice', { ...ref, blocked: false });
  });

  test('a JWT signed with an expired key is refused as key-expired', async () => {
    const ref = { accountId: lab.accountId, registryId: REGISTRY, deviceId: 'meter-old' };
    await lab.call('gateways.createDevice', { ...ref, kind: 'device' });
    const { privateKeyPem } = await lab.call('gateways.generateKey', {
      ...ref,
      expiresAt: Date.now() - 1000,
    });
    const outcome = await connect(lab, clientIdOf('meter-old'), await jwtFor(privateKeyPem));
    assert.equal(!outcome.ok && outcome.reasonCode, 0x86);
    assert.match(refusalFor(clientIdOf('meter-old'))?.reason ?? '', /key-expired/);
  });

  test('the connection closes when its JWT expires', async () => {
    const client = await connected(lab, clientIdOf('meter-1'), await jwtFor(key, 2));
    const packet = await nextEvent<{ reasonCode?: number; properties?: { reasonString?: string } }>(
      client,
      'disconnect',
    );
    assert.equal(packet.reasonCode, 0x87);
    assert.match(packet.properties?.reasonString ?? '', /JWT expired/);
    client.end(true);
  });

  test('tenancy admission still applies: an account without a messaging service is refused', async () => {
    await lab.call('accounts.assignService', { accountId: lab.accountId, serviceId: null });
    try {
      const outcome = await connect(lab, clientIdOf('meter-1'), await jwtFor(key));
      assert.equal(!outcome.ok && outcome.reasonCode, 0x87);
      assert.match(refusalFor(clientIdOf('meter-1'))?.reason ?? '', /no messaging service/);
    } finally {
      const local = (await lab.call('services.list', {})).services.find((s) => s.kind === 'embedded')!;
      await lab.call('accounts.assignService', { accountId: lab.accountId, serviceId: local.id });
    }
  });
});
