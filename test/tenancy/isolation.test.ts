import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { MqttClient } from 'mqtt';
import { prng } from '../helpers/prng';
import { waitFor } from '../helpers/wait-for';
import {
  createAccount,
  createKey,
  mqttWithKey,
  openSocket,
  restClient,
  startResourceCore,
  subackCodes,
} from '../resources/fixture';
import { type TenancyBroker, startTenancyBroker } from './broker-fixture';
import { connectOk, endAll } from '../helpers/mqtt-client';
import { localServiceId, openTenancy, operator, rootId, type TenancyFixture } from './helpers';

const seed = Number(process.env['TENANCY_SEED'] ?? Math.floor(Math.random() * 2 ** 31));
console.log(`isolation property test seed: ${seed} (replay with TENANCY_SEED=${seed})`);
const random = prng(seed);
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;

interface Device {
  account: string;
  clientId: string;
  client: MqttClient;
  received: { topic: string; payload: string }[];
}

describe(`account isolation over real sockets (seed ${seed})`, () => {
  let fx: TenancyFixture;
  let tb: TenancyBroker;
  const devices: Device[] = [];
  const accountNames: string[] = [];

  before(async () => {
    fx = openTenancy();
    tb = await startTenancyBroker(fx);
    const h = fx.tenancy.handlers;
    const accountCount = 3 + Math.floor(random() * 3);
    const words = ['acme', 'globex', 'initech', 'umbrella', 'hooli', 'stark', 'wayne'];
    const parents: string[] = [rootId(fx)];
    for (let i = 0; i < accountCount; i++) {
      const name = `${pick(words)}-${i}`;
      const parentId = i === 0 ? rootId(fx) : pick(parents);
      const levelOne = parentId === rootId(fx);
      const account = await h['accounts.create'](
        {
          parentId,
          name,
          organization: name,
          email: null,
          expiresAt: null,
          maxChildAccounts: null,
          maxDevices: null,
          userCoupling: 'loose',
          serviceId: levelOne ? localServiceId(fx) : null,
        },
        operator,
      );
      parents.push(account.id);
      accountNames.push(name);
      await h['credentials.create'](
        {
          accountId: account.id,
          username: `u-${name}`,
          password: `pw-${name}-secret`,
          expiresAt: null,
          enabled: true,
        },
        operator,
      );
    }
    // The root account's devices are a namespace like any other.
    accountNames.push('sys');
    await h['credentials.create'](
      { accountId: rootId(fx), username: 'u-sys', password: 'pw-sys-secret', expiresAt: null, enabled: true },
      operator,
    );
    for (const account of accountNames) {
      const perAccount = 2 + Math.floor(random() * 2);
      for (let d = 0; d < perAccount; d++) {
        // Same client ids in every account on purpose: namespaces must keep them apart.
        const clientId = `dev-${d}`;
        const client = await connectOk(tb.url, {
          clientId,
          username: `u-${account}`,
          password: `pw-${account}-secret`,
          protocolVersion: random() < 0.5 ? 5 : 4,
        });
        const device: Device = { account, clientId, client, received: [] };
        client.on('message', (topic, payload) =>
          device.received.push({ topic, payload: payload.toString() }),
        );
        devices.push(device);
      }
    }
  });

  after(async () => {
    await endAll(...devices.map((d) => d.client));
    await tb.close();
    fx.close();
  });

  it('no message ever crosses an account boundary, whatever the filter', async () => {
    const others = () => pick(accountNames);
    const topics = () =>
      pick([
        'sensors/temp',
        'sensors/hum',
        `devices/${pick(['dev-0', 'dev-1', 'dev-2'])}/state`,
        'a',
        'a/b/c',
        `$a/${others()}/sensors/temp`,
        `$a/${others()}/a`,
        '$SYS/broker/uptime',
        `${others()}/x`,
      ]);
    const filters = () =>
      pick([
        '#',
        '+',
        '+/#',
        '+/+',
        'sensors/#',
        'devices/+/state',
        'a/#',
        '$a/#',
        `$a/${others()}/#`,
        `$a/+/sensors/#`,
        '$share/g/#',
        `$share/g/$a/${others()}/#`,
        '$SYS/#',
        `${others()}/#`,
      ]);

    let sent = 0;
    const publishRound = async (retain: boolean) => {
      for (const device of devices) {
        const n = 1 + Math.floor(random() * 4);
        for (let i = 0; i < n; i++) {
          const topic = topics();
          const payload = `${device.account}|${device.clientId}|${sent++}`;
          await device.client
            .publishAsync(topic, payload, { qos: random() < 0.5 ? 1 : 0, retain })
            .catch(() => {});
        }
      }
    };

    await publishRound(true);
    for (const device of devices) {
      const count = 1 + Math.floor(random() * 4);
      for (let i = 0; i < count; i++) {
        await device.client.subscribeAsync(filters(), { qos: 1 }).catch(() => {});
      }
      // A guaranteed in-account subscription so the run is never vacuous.
      await device.client.subscribeAsync('sensors/#', { qos: 1 });
    }
    await publishRound(false);
    for (const device of devices) {
      await device.client.publishAsync('sensors/temp', `${device.account}|${device.clientId}|${sent++}`, {
        qos: 1,
      });
    }
    const heardPeers = (device: Device, topic: string) =>
      device.received.filter((m) => m.topic === topic).length >=
      devices.filter((d) => d.account === device.account).length;
    await waitFor(
      () => devices.every((d) => heardPeers(d, 'sensors/temp')),
      'every device to hear its peers on sensors/temp',
      20_000,
    );
    // Every publish above has been routed (each device's last one was acknowledged after its earlier
    // ones). Markers sent now reach each device after anything routed to it before, strays included.
    for (const device of devices) {
      await device.client.publishAsync('sensors/marker', `${device.account}|${device.clientId}|marker`, {
        qos: 1,
      });
    }
    await waitFor(
      () => devices.every((d) => heardPeers(d, 'sensors/marker')),
      'every device to hear its peers’ markers',
      20_000,
    );

    let delivered = 0;
    for (const device of devices) {
      for (const message of device.received) {
        delivered++;
        const from = message.payload.split('|')[0];
        assert.equal(
          from,
          device.account,
          `seed ${seed}: ${device.account}/${device.clientId} received ${message.payload} on "${message.topic}"`,
        );
        assert.ok(
          !message.topic.startsWith('$a/'),
          `seed ${seed}: ${device.account}/${device.clientId} saw a namespace topic "${message.topic}"`,
        );
      }
    }
    // Every device hears at least its account peers' final sensors/temp messages.
    for (const device of devices) {
      const peers = devices.filter((d) => d.account === device.account).length;
      const heard = device.received.filter((m) => m.topic === 'sensors/temp').length;
      assert.ok(
        heard >= peers,
        `seed ${seed}: ${device.account}/${device.clientId} heard ${heard} < ${peers}`,
      );
    }
    console.log(
      `isolation: ${devices.length} devices in ${accountNames.length} accounts, ${sent} publishes, ${delivered} deliveries`,
    );
  });
});

/** The same property for resources: updates over MQTT, native WebSocket and REST stay in their account. */
describe(`resource isolation across MQTT, WebSocket and REST (seed ${seed})`, () => {
  it('no resource notification or write crosses an account boundary', async () => {
    const fx = await startResourceCore();
    type Tenant = {
      name: string;
      key: string;
      thngs: string[];
      rest: ReturnType<typeof restClient>;
      heard: { via: string; value: string }[];
    };
    const tenants: Tenant[] = [];
    const closers: Array<() => unknown> = [];
    try {
      const count = 2 + Math.floor(random() * 3);
      for (let i = 0; i < count; i++) {
        const name = `res-${i}`;
        const key = (await createKey(fx.core, await createAccount(fx.core, name), 'operator')).key;
        const rest = restClient(fx.ports.rest, key);
        const thngs: string[] = [];
        for (let t = 0; t < 1 + Math.floor(random() * 2); t++) {
          thngs.push(((await rest('POST', '/thngs', { name: 'same-name' })).body as { id: string }).id);
        }
        tenants.push({ name, key, thngs, rest, heard: [] });
      }
      const valueIn = (n: unknown) => String((n as { value?: unknown }[])[0]?.value ?? '');
      for (const tenant of tenants) {
        const mqttSub = await mqttWithKey(fx.ports.mqtt, tenant.key);
        closers.push(() => mqttSub.client.endAsync());
        mqttSub.client.on('message', (_t, payload) =>
          tenant.heard.push({ via: 'mqtt', value: valueIn(JSON.parse(String(payload))) }),
        );
        for (const thng of tenant.thngs) await mqttSub.client.subscribeAsync(`thngs/${thng}/properties/p`);
        for (const other of tenants.filter((t) => t !== tenant)) {
          const foreign = pick(other.thngs);
          assert.deepEqual(await subackCodes(mqttSub.client, [`thngs/${foreign}/properties/p`]), [0x87]);
          await assert.rejects(
            openSocket(fx.ports.ws, `/thngs/${foreign}/properties/p`, tenant.key),
            /handshake 404/,
          );
        }
        const socket = await openSocket(fx.ports.ws, `/thngs/${pick(tenant.thngs)}/properties`, tenant.key);
        closers.push(() => socket.ws.close());
        socket.ws.on('message', (data) =>
          tenant.heard.push({ via: 'ws', value: valueIn(JSON.parse(String(data))) }),
        );
      }
      const writer = new Map<Tenant, Awaited<ReturnType<typeof mqttWithKey>>>();
      for (const tenant of tenants) {
        const client = await mqttWithKey(fx.ports.mqtt, tenant.key);
        closers.push(() => client.client.endAsync());
        writer.set(tenant, client);
      }
      let n = 0;
      for (let round = 0; round < 40; round++) {
        const tenant = pick(tenants);
        const target = random() < 0.5 ? tenant : pick(tenants);
        const thng = pick(target.thngs);
        const body = JSON.stringify([{ value: `${tenant.name}|${n++}` }]);
        if (random() < 0.5) {
          const res = await tenant.rest('PUT', `/thngs/${thng}/properties/p`, undefined, body);
          assert.equal(
            res.status,
            target === tenant ? 200 : 404,
            `seed ${seed}: REST write by ${tenant.name}`,
          );
        } else {
          await writer
            .get(tenant)!
            .client.publishAsync(`/thngs/${thng}/properties/p`, body, { qos: 1 })
            .catch(() => {});
        }
      }
      // Markers: every tenant's own last write must reach its own listeners.
      for (const tenant of tenants) {
        for (const thng of tenant.thngs)
          await tenant.rest('PUT', `/thngs/${thng}/properties/p`, [{ value: `${tenant.name}|marker` }]);
      }
      await waitFor(
        () =>
          tenants.every(
            (t) => t.heard.filter((h) => h.value === `${t.name}|marker`).length >= t.thngs.length + 1,
          ),
        'every tenant to hear its markers',
        20_000,
      );
      for (const tenant of tenants) {
        for (const heard of tenant.heard) {
          assert.equal(
            heard.value.split('|')[0],
            tenant.name,
            `seed ${seed}: ${tenant.name} heard ${heard.value} via ${heard.via}`,
          );
        }
        for (const thng of tenant.thngs) {
          const history = (await tenant.rest('GET', `/thngs/${thng}/properties/p?perPage=100`)).body as {
            value: string;
          }[];
          for (const point of history)
            assert.equal(point.value.split('|')[0], tenant.name, `seed ${seed}: stored ${point.value}`);
        }
      }
    } finally {
      for (const close of closers) await close();
      await fx.close();
    }
  });
});
