import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import mqtt, { type IConnackPacket } from 'mqtt';
import { endAll, tryConnect } from '../helpers/mqtt-client';
import { openCore, pubackCode, type SecuredCore } from './helpers';

const connect = (url: string, opts: mqtt.IClientOptions) =>
  new Promise<{ client: mqtt.MqttClient; connack: IConnackPacket }>((resolve, reject) => {
    const client = mqtt.connect(url, {
      protocolVersion: 5,
      reconnectPeriod: 0,
      connectTimeout: 10_000,
      ...opts,
    });
    client.once('connect', (connack) => resolve({ client, connack }));
    client.once('error', reject);
  });

/** One tenant cannot fill the disk: retained messages and persistent sessions have per-account quotas. */
describe('per-account quotas for retained messages and persistent sessions', () => {
  let sc: SecuredCore;
  const login = (username: string) => ({ username, password: `${username} password` });

  before(async () => {
    sc = await openCore({ broker: { maxRetainedPerAccount: 3, maxPersistentSessionsPerAccount: 2 } });
    for (const name of ['acme', 'beta']) {
      const accountId = await sc.account(name, [{ filter: '#', action: 'both' }]);
      await sc.call('credentials.create', { accountId, ...login(name) });
    }
  });
  after(() => sc.core.close());

  it('refuses a new retained topic beyond the quota with 0x97; replacing and clearing still work', async () => {
    const { client: dev } = await connect(sc.url, { clientId: 'acme-dev', ...login('acme') });
    const { client: other } = await connect(sc.url, { clientId: 'beta-dev', ...login('beta') });
    try {
      for (const n of [1, 2, 3]) assert.equal(await pubackCode(dev, `r/${n}`, `v${n}`, true), 0);
      assert.equal(await pubackCode(dev, 'r/4', 'v4', true), 0x97, 'quota exceeded');
      assert.equal(await pubackCode(dev, 'r/1', 'v1b', true), 0, 'replacing a retained topic is fine');
      assert.equal(await pubackCode(other, 'r/4', 'beta', true), 0, 'another account has its own quota');

      const got: string[] = [];
      const { client: sub } = await connect(sc.url, { clientId: 'acme-sub', ...login('acme') });
      const marker = new Promise<void>((resolve) =>
        sub.on('message', (topic, payload) =>
          topic === 'r/marker' ? resolve() : got.push(`${topic}=${payload}`),
        ),
      );
      await sub.subscribeAsync('r/#', { qos: 1 });
      assert.equal(await pubackCode(dev, 'r/marker', 'end'), 0);
      await marker;
      assert.deepEqual(got.sort(), ['r/1=v1b', 'r/2=v2', 'r/3=v3'], 'the refused message was not retained');

      // A retained will on a new topic is delivered but not kept past the quota either.
      const { client: willing } = await connect(sc.url, {
        clientId: 'acme-will',
        ...login('acme'),
        will: { topic: 'r/will', payload: Buffer.from('gone'), qos: 1, retain: true },
      });
      const willSeen = new Promise<void>((resolve) => sub.on('message', (t) => t === 'r/will' && resolve()));
      willing.stream.destroy();
      await willSeen;
      const late: string[] = [];
      const { client: lateSub } = await connect(sc.url, { clientId: 'acme-late', ...login('acme') });
      const lateMarker = new Promise<void>((resolve) =>
        lateSub.on('message', (topic) => (topic === 'r/marker' ? resolve() : late.push(topic))),
      );
      await lateSub.subscribeAsync('r/#', { qos: 1 });
      assert.equal(await pubackCode(dev, 'r/marker', 'end'), 0);
      await lateMarker;
      assert.deepEqual(late.sort(), ['r/1', 'r/2', 'r/3'], 'the will was not retained');

      assert.equal(await pubackCode(dev, 'r/2', '', true), 0, 'clearing one makes room');
      assert.equal(await pubackCode(dev, 'r/4', 'v4', true), 0);
      await endAll(sub, lateSub);
    } finally {
      await endAll(dev, other);
    }
  });

  it('does not keep a new persistent session beyond the quota, and says so in the CONNACK', async () => {
    const persistent = { properties: { sessionExpiryInterval: 3600 }, clean: false };
    const p1 = await connect(sc.url, { clientId: 'p1', ...login('acme'), ...persistent });
    const p2 = await connect(sc.url, { clientId: 'p2', ...login('acme'), ...persistent });
    assert.equal(p1.connack.properties?.sessionExpiryInterval, undefined, 'kept as asked');
    const p3 = await connect(sc.url, { clientId: 'p3', ...login('acme'), ...persistent });
    assert.equal(p3.connack.reasonCode, 0, 'still connected');
    assert.equal(p3.connack.properties?.sessionExpiryInterval, 0, 'told its session is not kept');
    assert.match(p3.connack.properties?.reasonString ?? '', /not kept.*2 persistent sessions/);

    const v311 = await tryConnect(sc.url, {
      clientId: 'p4',
      ...login('acme'),
      protocolVersion: 4,
      clean: false,
    });
    assert.equal(v311.ok, false, '3.1.1 cannot be told, so it is refused');
    assert.equal(!v311.ok && v311.reasonCode, 3, 'server unavailable');

    const beta = await connect(sc.url, { clientId: 'p1', ...login('beta'), ...persistent });
    assert.equal(
      beta.connack.properties?.sessionExpiryInterval,
      undefined,
      'another account has its own quota',
    );

    await endAll(p1.client, p2.client, p3.client, beta.client);
    const back = await connect(sc.url, { clientId: 'p1', ...login('acme'), ...persistent });
    assert.equal(back.connack.sessionPresent, true, 'a kept session comes back');
    assert.equal(back.connack.properties?.sessionExpiryInterval, undefined);
    // A clean start without expiry ends p1's session, which makes room for another.
    await endAll(back.client);
    const ended = await connect(sc.url, { clientId: 'p1', ...login('acme'), clean: true });
    await endAll(ended.client);
    const room = await connect(sc.url, { clientId: 'p5', ...login('acme'), ...persistent });
    assert.equal(room.connack.properties?.sessionExpiryInterval, undefined, 'room again');
    await endAll(room.client);
  });
});
