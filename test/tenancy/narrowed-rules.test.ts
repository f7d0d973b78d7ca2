import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, it } from 'node:test';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import type { BrokerEventMap } from '../../main/broker';
import { type Core, createCore } from '../../main/core';
import type { MethodName, RequestOf } from '../../preload/contract';
import type { AccessRule } from '../../preload/contract/tenancy';
import { callCore } from '../helpers/core-call';
import { listenerPort } from '../helpers/mosquitto-clients';
import { tempDir } from '../helpers/temp-dir';
import { waitFor } from '../helpers/wait-for';
import { connectOk, endAll } from '../helpers/mqtt-client';

interface Device {
  client: MqttClient;
  /** Topics received, as the device sees them, in arrival order. */
  topics: string[];
  connects: number;
  closes: number;
}

/**
 * Narrowing a credential's rules, the account template or an API key's permissions through the
 * operator API reaches subscriptions a device made before the change (issue 4), over a real core:
 * real SQLite, the platform hooks, the broker on a loopback port and mqtt.js clients.
 */
describe('narrowed access rules stop deliveries on existing subscriptions', () => {
  let core: Core;
  let dir: string;
  let url: string;
  let acme: string;
  let publisher: MqttClient;
  const dropped: BrokerEventMap['message.dropped'][] = [];
  const open: (MqttClient | undefined)[] = [];
  const call = <M extends MethodName>(method: M, request: RequestOf<M>) => callCore(core, method, request);

  async function credential(username: string, rules: AccessRule[]): Promise<string> {
    const created = await call('credentials.create', {
      accountId: acme,
      username,
      password: `${username}-Pass-9`,
    });
    if (rules.length > 0) await setRules(created.id, rules);
    return created.id;
  }

  async function setRules(credentialId: string | null, rules: AccessRule[]): Promise<void> {
    await call('accessRules.set', { accountId: acme, credentialId, rules });
  }

  async function device(opts: IClientOptions): Promise<Device> {
    const client = await connectOk(url, { connectTimeout: 30_000, ...opts });
    open.push(client);
    const d: Device = { client, topics: [], connects: 1, closes: 0 };
    client.on('message', (topic) => d.topics.push(topic));
    client.on('connect', () => d.connects++);
    client.on('close', () => d.closes++);
    return d;
  }

  async function login(username: string, clientId: string): Promise<Device> {
    return device({ clientId, username, password: `${username}-Pass-9` });
  }

  async function subscribe(d: Device, filter: string): Promise<void> {
    const granted = await d.client.subscribeAsync(filter, { qos: 1 });
    assert.equal(granted[0]?.qos, 1, `SUBACK for ${filter}: ${JSON.stringify(granted)}`);
  }

  /**
   * Publishes `probe` then `marker` (QoS 1, one publisher) and waits for `marker` to reach `d`. The
   * broker delivers one publisher's messages to a subscriber in order, so whether `probe` arrived is
   * settled once `marker` has.
   */
  async function probeThenMarker(d: Device, probe: string, marker: string): Promise<boolean> {
    const before = d.topics.length;
    await publisher.publishAsync(probe, 'p', { qos: 1 });
    await publisher.publishAsync(marker, 'm', { qos: 1 });
    await waitFor(() => d.topics.slice(before).includes(marker), `${marker} to arrive`, 30_000);
    return d.topics.slice(before).includes(probe);
  }

  function droppedFor(clientId: string, topic: string): number {
    return dropped.filter(
      (e) => e.clientId === clientId && e.topic === `$a/acme/${topic}` && e.reason === 'not-authorized',
    ).length;
  }

  before(async () => {
    dir = tempDir();
    core = await createCore({
      dataDir: dir,
      mode: 'headless',
      listeners: { brokerHost: '127.0.0.1', mqttPort: 0 },
    });
    url = `mqtt://127.0.0.1:${listenerPort(core.readyDetails(), 'mqtt')}`;
    core.broker.events.on('message.dropped', (e) => dropped.push(e));
    const local = (await call('services.list', {})).services.find((s) => s.kind === 'embedded')!;
    const root = (await call('accounts.list', {})).accounts.find((a) => a.depth === 0)!;
    acme = (await call('accounts.create', { parentId: root.id, name: 'acme', serviceId: local.id })).id;
    // Its own rules, so that narrowing the account template leaves the publisher alone.
    await credential('publisher', [{ filter: '#', action: 'both' }]);
    publisher = (await login('publisher', 'pub-1')).client;
  });

  after(async () => {
    await endAll(...open);
    await core.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("narrowing a credential's rules from # to sensors/# stops cmd/x on its existing # subscription", async () => {
    const id = await credential('field-dev', [{ filter: '#', action: 'both' }]);
    const d = await login('field-dev', 'field-1');
    await subscribe(d, '#');
    assert.equal(await probeThenMarker(d, 'cmd/x', 'sensors/x'), true, 'before the change cmd/x arrives');

    await setRules(id, [{ filter: 'sensors/#', action: 'both' }]);
    assert.equal(
      await probeThenMarker(d, 'cmd/x', 'sensors/x'),
      false,
      'after narrowing cmd/x is not delivered',
    );
    assert.equal(droppedFor('field-1', 'cmd/x'), 1, 'the refused delivery is counted as not-authorized');
    assert.equal(d.closes, 0, 'the device stayed connected');
  });

  it('narrowing the account template stops cmd/# on subscriptions the rules allowed before', async () => {
    await setRules(null, [
      { filter: 'sensors/#', action: 'both' },
      { filter: 'cmd/#', action: 'both' },
    ]);
    await credential('template-dev', []);
    const d = await login('template-dev', 'template-1');
    await subscribe(d, 'sensors/#');
    await subscribe(d, 'cmd/#');
    assert.equal(await probeThenMarker(d, 'cmd/y', 'sensors/y'), true, 'before the change cmd/y arrives');

    await setRules(null, [{ filter: 'sensors/#', action: 'both' }]);
    assert.equal(
      await probeThenMarker(d, 'cmd/y', 'sensors/y'),
      false,
      'after narrowing cmd/y is not delivered',
    );
    assert.equal(droppedFor('template-1', 'cmd/y'), 1);
    await setRules(null, [{ filter: '#', action: 'both' }]);
  });

  it("reducing an API key's permissions stops deliveries it may no longer read", async () => {
    const created = await call('apiKeys.create', {
      accountId: acme,
      name: 'dashboard',
      type: 'application',
      permissions: [{ filter: '#', action: 'both' }],
    });
    const d = await device({ clientId: 'app-1', username: 'authorization', password: created.key });
    await subscribe(d, '#');
    assert.equal(await probeThenMarker(d, 'cmd/z', 'sensors/z'), true, 'before the change cmd/z arrives');

    // cmd/# stays publishable but no longer readable.
    await call('apiKeys.update', {
      id: created.apiKey.id,
      permissions: [
        { filter: 'sensors/#', action: 'both' },
        { filter: 'cmd/#', action: 'publish' },
      ],
    });
    assert.equal(
      await probeThenMarker(d, 'cmd/z', 'sensors/z'),
      false,
      'after the reduction cmd/z is not delivered',
    );
    assert.equal(droppedFor('app-1', 'cmd/z'), 1);
    await d.client.publishAsync('cmd/from-app', 'still allowed', { qos: 1 });
    assert.equal(d.closes, 0, 'the key stayed connected');
  });

  it('widening again restores delivery on the same connection, without reconnecting', async () => {
    const id = await credential('widen-dev', [{ filter: '#', action: 'both' }]);
    const d = await login('widen-dev', 'widen-1');
    await subscribe(d, '#');
    await setRules(id, [{ filter: 'sensors/#', action: 'both' }]);
    assert.equal(await probeThenMarker(d, 'cmd/w', 'sensors/w'), false, 'narrowed: cmd/w is not delivered');

    await setRules(id, [
      { filter: 'sensors/#', action: 'both' },
      { filter: 'cmd/#', action: 'subscribe' },
    ]);
    assert.equal(await probeThenMarker(d, 'cmd/w', 'sensors/w'), true, 'widened: cmd/w arrives again');
    assert.equal(droppedFor('widen-1', 'cmd/w'), 1, 'only the delivery while narrowed was refused');
    assert.deepEqual([d.connects, d.closes], [1, 0], 'one connection throughout');
  });

  it('a QoS 1 message for an offline persistent session under narrowed rules is not queued', async () => {
    const id = await credential('sleepy-dev', [{ filter: '#', action: 'both' }]);
    const session = { clean: false, properties: { sessionExpiryInterval: 3600 } };
    const first = await device({
      clientId: 'sleepy-1',
      username: 'sleepy-dev',
      password: 'sleepy-dev-Pass-9',
      ...session,
    });
    await subscribe(first, '#');
    await first.client.endAsync();
    await waitFor(
      () => core.broker.sessions().some((s) => s.clientId === 'sleepy-1' && !s.connected),
      'the session to be offline',
      30_000,
    );

    await setRules(id, [{ filter: 'sensors/#', action: 'both' }]);
    await publisher.publishAsync('cmd/q', 'refused', { qos: 1 });
    await publisher.publishAsync('sensors/q', 'kept', { qos: 1 });
    assert.equal(droppedFor('sleepy-1', 'cmd/q'), 1, 'refused at routing time');
    const offline = core.broker.sessions().find((s) => s.clientId === 'sleepy-1');
    assert.equal(offline?.queued, 1, 'only sensors/q is queued');
    // Widen before it comes back: a queued cmd/q would now be allowed, so only not queuing keeps it away.
    await setRules(id, [{ filter: '#', action: 'both' }]);

    // Listening before CONNACK: the queued messages follow it at once.
    const topics: string[] = [];
    const again = mqtt.connect(url, {
      protocolVersion: 5,
      reconnectPeriod: 0,
      connectTimeout: 30_000,
      clientId: 'sleepy-1',
      username: 'sleepy-dev',
      password: 'sleepy-dev-Pass-9',
      ...session,
    });
    open.push(again);
    again.on('message', (topic) => topics.push(topic));
    const connack = await new Promise<{ sessionPresent: boolean }>((resolve, reject) => {
      again.once('connect', resolve);
      again.once('error', reject);
    });
    assert.equal(connack.sessionPresent, true);
    // Queued messages are sent in order, so cmd/q would come before sensors/q.
    await waitFor(() => topics.includes('sensors/q'), 'the queued sensors/q', 30_000);
    assert.deepEqual(topics, ['sensors/q']);
    // Deliveries after the widening arrive on the resumed subscription.
    await publisher.publishAsync('cmd/after', 'ok', { qos: 1 });
    await waitFor(() => topics.includes('cmd/after'), 'cmd/after on the resumed session', 30_000);
  });

  it('a message queued while the rules allowed it is not sent after they narrow', async () => {
    const id = await credential('queued-dev', [{ filter: '#', action: 'both' }]);
    const session = { clean: false, properties: { sessionExpiryInterval: 3600 } };
    const login = { clientId: 'queued-1', username: 'queued-dev', password: 'queued-dev-Pass-9', ...session };
    const first = await device(login);
    await subscribe(first, '#');
    await first.client.endAsync();
    await waitFor(
      () => core.broker.sessions().some((s) => s.clientId === 'queued-1' && !s.connected),
      'the session to be offline',
      30_000,
    );
    // Both are allowed and queued while the device is away…
    await publisher.publishAsync('cmd/early', 'queued-then-refused', { qos: 1 });
    await publisher.publishAsync('sensors/early', 'kept', { qos: 1 });
    await waitFor(
      () => core.broker.sessions().find((s) => s.clientId === 'queued-1')?.queued === 2,
      'two queued messages',
      30_000,
    );
    // …then the rule narrows before it comes back.
    await setRules(id, [{ filter: 'sensors/#', action: 'both' }]);

    const topics: string[] = [];
    const again = mqtt.connect(url, {
      protocolVersion: 5,
      reconnectPeriod: 0,
      connectTimeout: 30_000,
      ...login,
    });
    open.push(again);
    again.on('message', (topic) => topics.push(topic));
    await new Promise((resolve, reject) => {
      again.once('connect', resolve);
      again.once('error', reject);
    });
    // Queued messages are sent in order, so cmd/early would come before sensors/early.
    await waitFor(() => topics.includes('sensors/early'), 'the queued sensors/early', 30_000);
    assert.deepEqual(topics, ['sensors/early']);
    assert.equal(droppedFor('queued-1', 'cmd/early'), 1, 'refused when the queue drained');
  });
});
