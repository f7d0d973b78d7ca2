import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { createResources } from '../../main/resources';
import { openStore } from '../../main/store';
import { createTenancy } from '../../main/tenancy';
import { tempDir } from '../helpers/temp-dir';
import {
  createAccount,
  createKey,
  eventually,
  mqttWithKey,
  openSocket,
  type ResourceFixture,
  restClient,
  startResourceCore,
} from './fixture';

describe('pubStates', () => {
  let fx: ResourceFixture;
  let key: string;
  let thng: string;
  let rest: ReturnType<typeof restClient>;

  before(async () => {
    fx = await startResourceCore();
    const account = await createAccount(fx.core, 'acme');
    key = (await createKey(fx.core, account, 'operator')).key;
    rest = restClient(fx.ports.rest, key);
    thng = ((await rest('POST', '/thngs', { name: 'meter' })).body as { id: string }).id;
    await rest('PUT', `/thngs/${thng}/properties/temp`, [{ value: 5, timestamp: 1000 }]);
  });

  after(async () => {
    await fx.close();
  });

  it('publishes the current value at once, without retain, only to the new subscriber, and again on reconnect', async () => {
    const filter = `thngs/${thng}/properties/temp?pubStates=1`;
    const earlier = await mqttWithKey(fx.ports.mqtt, key);
    await earlier.client.subscribeAsync(filter, { qos: 1 });
    await eventually('the first subscriber gets the state', () => earlier.received.length === 1);

    const opts = { clientId: 'meter-app', clean: false, properties: { sessionExpiryInterval: 300 } };
    const first = await mqttWithKey(fx.ports.mqtt, key, opts);
    await first.client.subscribeAsync(filter, { qos: 1 });
    const state = await eventually('the current value', () => first.received[0]);
    assert.equal(state.topic, filter);
    assert.equal(state.retain, false);
    assert.deepEqual(state.payload, [{ key: 'temp', value: 5, timestamp: 1000 }]);
    await first.client.endAsync();

    // A marker update proves everything sent so far arrived; the earlier subscriber got no second state.
    await rest('PUT', `/thngs/${thng}/properties/temp`, [{ value: 6, timestamp: 2000 }]);
    await eventually('the marker update', () => earlier.received.length === 2);
    assert.deepEqual(
      earlier.received.map((r) => (r.payload as { value: number }[])[0]?.value),
      [5, 6],
    );

    const again = await mqttWithKey(fx.ports.mqtt, key, opts);
    assert.equal(again.connack.sessionPresent, true);
    // No SUBSCRIBE this time: the session kept it, and reconnecting publishes the state again.
    // The update queued while offline, then the state published because the connection came back.
    const sixes = () => again.received.filter((r) => (r.payload as { value: number }[])[0]?.value === 6);
    await eventually('the queued update and the state after reconnecting', () => sixes().length === 2);
    assert.ok(sixes().every((r) => !r.retain));
    // A marker: anything duplicated would have arrived before it.
    await rest('PUT', `/thngs/${thng}/properties/temp`, [{ value: 7, timestamp: 3000 }]);
    await eventually('the marker', () => again.received.length === 3);
    await Promise.all([again.client.endAsync(), earlier.client.endAsync()]);
  });

  it('a native WebSocket with pubStates gets the current value as its first frame', async () => {
    const socket = await openSocket(fx.ports.ws, `/thngs/${thng}/properties/temp?pubStates=1`, key);
    const first = await eventually('the first frame', () => socket.received[0]);
    assert.deepEqual(first, [{ key: 'temp', value: 7, timestamp: 3000 }]);
    socket.ws.close();
  });

  it('history: from/to/perPage, newest first; the latest value is the newest timestamp', async () => {
    const points = [3000, 3100, 3200, 3300, 3400].map((timestamp, i) => ({ value: i, timestamp }));
    assert.equal((await rest('PUT', `/thngs/${thng}/properties/level`, points.reverse())).status, 200);
    const range = await rest('GET', `/thngs/${thng}/properties/level?from=3100&to=3300`);
    assert.deepEqual(
      (range.body as { timestamp: number }[]).map((p) => p.timestamp),
      [3300, 3200, 3100],
    );
    const page = await rest('GET', `/thngs/${thng}/properties/level?perPage=2`);
    assert.deepEqual(
      (page.body as { value: number }[]).map((p) => p.value),
      [4, 3],
    );
    const late = await rest('PUT', `/thngs/${thng}/properties/level`, [{ value: -1, timestamp: 10 }]);
    assert.equal(late.status, 200);
    const latest = (await rest('GET', `/thngs/${thng}/properties`)).body as { key: string; value: number }[];
    assert.equal(
      latest.find((p) => p.key === 'level')?.value,
      4,
      'an older reading does not replace the latest',
    );
    assert.equal((await rest('GET', `/thngs/${thng}/properties/nope`)).status, 404);
  });
});

describe('retention', () => {
  it('keeps a bounded history per property and rejects properties beyond the limit', () => {
    const dir = tempDir();
    const store = openStore(dir);
    const tenancy = createTenancy({
      db: store.db,
      logger: pino({ level: 'silent' }),
      listenerKinds: () => [],
      runningListeners: () => [],
      expirySweepMs: 0,
    });
    const resources = createResources({
      db: store.db,
      logger: pino({ level: 'silent' }),
      tenancy,
      tlsMaterial: () => Promise.reject(new Error('no TLS here')),
      limits: { historyPerProperty: 50, propertiesPerOwner: 3 },
    });
    try {
      const root = tenancy.accounts.root()!;
      const access = {
        accountId: root.id,
        apiKeyId: 'test',
        keyName: 'test',
        keyType: 'operator' as const,
        thngId: null,
        projectId: null,
      };
      const list = {
        path: { kind: 'list' as const, entity: 'thng' as const },
        channel: 'thngs',
        project: null,
        pubStates: false,
      };
      const thng = resources.service.write(access, list, { name: 't' }).body as { id: string };
      const temp = {
        path: { kind: 'properties' as const, owner: 'thng' as const, ownerId: thng.id, key: 'temp' },
        channel: '',
        project: null,
        pubStates: false,
      };
      for (let i = 0; i < 500; i++) resources.service.write(access, temp, [{ value: i, timestamp: i + 1 }]);
      const kept = store.db
        .prepare<[string], { n: number }>('SELECT count(*) AS n FROM res_property_history WHERE owner_id = ?')
        .get(thng.id)!.n;
      assert.ok(kept >= 50 && kept < 50 + 32, `history bounded near 50 (kept ${kept})`);
      const newest = resources.service.read(access, temp, { perPage: 1 }) as { value: number }[];
      assert.equal(newest[0]?.value, 499, 'the newest readings are the ones kept');
      const all = { ...temp, path: { ...temp.path, key: null } };
      resources.service.write(access, all, [
        { key: 'a', value: 1 },
        { key: 'b', value: 2 },
      ]);
      assert.throws(
        () => resources.service.write(access, all, [{ key: 'c', value: 3 }]),
        /at most 3 properties/,
      );
    } finally {
      void resources.close();
      tenancy.close();
      store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
