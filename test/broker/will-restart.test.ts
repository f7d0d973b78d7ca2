import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createBroker } from '../../main/broker';
import { openStore } from '../../main/store';
import { connect, endAll, passMarker, RawClient, type Received } from '../helpers/mqtt-client';
import { serveBroker, type TestBroker } from '../helpers/test-broker';
import { waitFor } from '../helpers/wait-for';
import { tempDir } from '../helpers/temp-dir';

const WILL_TOPIC = 'wills/restart';

/**
 * The brokers' clock, moved only by the tests. With node:test mock timers on setTimeout, a restored
 * will's timer fires exactly when the test ticks past its due time.
 */
let now = Date.now();
const clock = () => now;

/** A broker on a data directory, as a restart sees it: a fresh broker on the same SQLite file. */
async function brokerOn(dir: string): Promise<{ tb: TestBroker; stop: () => Promise<void> }> {
  const store = openStore(dir);
  const tb = await serveBroker(createBroker({ db: store.db, allowAnonymous: true, now: clock }));
  return {
    tb,
    stop: async () => {
      await tb.close();
      store.close();
    },
  };
}

/** Connects a persistent MQTT 5 session with a delayed will, then drops the socket without DISCONNECT. */
async function dropWithDelayedWill(port: number, willDelay: number, sessionExpiry: number, payload: string) {
  const raw = await RawClient.open(port, 5);
  raw.send(
    {
      cmd: 'connect',
      protocolId: 'MQTT',
      protocolVersion: 5,
      clean: false,
      clientId: 'testament',
      keepalive: 0,
      properties: { sessionExpiryInterval: sessionExpiry },
      will: {
        topic: WILL_TOPIC,
        payload: Buffer.from(payload),
        qos: 1,
        retain: false,
        properties: { willDelayInterval: willDelay },
      },
    },
    5,
  );
  await raw.next('connack');
  raw.close();
}

/** Leaves a delayed will pending on one broker, stops it, and starts the next one on the same store. */
async function restartWithPendingWill(willDelay: number, payload: string) {
  const dir = tempDir();
  const first = await brokerOn(dir);
  await dropWithDelayedWill(first.tb.port, willDelay, 3600, payload);
  await waitFor(() => testamentOffline(first.tb), 'the broker to see the drop');
  await first.stop();
  return { dir, second: await brokerOn(dir) };
}

const testamentOffline = (tb: TestBroker) =>
  tb.broker.sessions().some((s) => s.clientId === 'testament' && !s.connected);

async function watchWills(url: string) {
  const got: Received[] = [];
  const watcher = await connect(url, { protocolVersion: 5 }, got);
  await watcher.subscribeAsync(WILL_TOPIC, { qos: 1 });
  return { got, watcher };
}

test('[MQTT-3.1.3-9] a delayed will pending at shutdown is published after the restart, at its due time', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const { dir, second } = await restartWithPendingWill(2, 'after-restart');
  try {
    const { got, watcher } = await watchWills(second.tb.url);
    t.mock.timers.tick(1999);
    await passMarker(watcher, WILL_TOPIC, got);
    assert.equal(got.length, 0, 'not before its 2 s delay');
    t.mock.timers.tick(1);
    await waitFor(() => got.length === 1, 'the will after restart');
    assert.equal(got[0]!.payload.toString(), 'after-restart');
    // Published once: the stored row is gone.
    t.mock.timers.tick(10_000);
    await passMarker(watcher, WILL_TOPIC, got);
    assert.equal(got.length, 1);
    await endAll(watcher);
  } finally {
    await second.stop();
  }
  const check = openStore(dir);
  const rows = check.db.prepare('SELECT count(*) AS n FROM broker_pending_wills').get() as { n: number };
  check.close();
  assert.equal(rows.n, 0, 'no will left in the store after publishing');
});

test('[MQTT-3.1.3-9] the client coming back after a restart, before the delay, cancels the stored will', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const { second } = await restartWithPendingWill(3, 'must-not-arrive');
  try {
    const { got, watcher } = await watchWills(second.tb.url);
    const back = await connect(second.tb.url, {
      protocolVersion: 5,
      clientId: 'testament',
      clean: false,
      properties: { sessionExpiryInterval: 3600 },
    });
    assert.equal(back.connected, true);
    t.mock.timers.tick(3500);
    await passMarker(watcher, WILL_TOPIC, got);
    assert.deepEqual(
      got.map((m) => m.payload.toString()),
      [],
      'the will was cancelled by the reconnect',
    );
    await endAll(back, watcher);
  } finally {
    await second.stop();
  }
});

test('[MQTT-3.1.2-8] a session that ended while the broker was down publishes its will at start-up', async () => {
  const dir = tempDir();
  const first = await brokerOn(dir);
  // A persistent subscriber, offline across the restart, receives the will from its queue.
  const keeper = await connect(first.tb.url, {
    protocolVersion: 5,
    clientId: 'keeper',
    clean: false,
    properties: { sessionExpiryInterval: 3600 },
  });
  await keeper.subscribeAsync(WILL_TOPIC, { qos: 1 });
  await endAll(keeper);
  // Will delay 60 s, but the session expires after 1 s: the will is due at the session's end.
  await dropWithDelayedWill(first.tb.port, 60, 1, 'session-ended');
  await waitFor(() => testamentOffline(first.tb), 'the broker to see the drop');
  await first.stop();
  now += 1000;

  const second = await brokerOn(dir);
  try {
    assert.ok(
      !second.tb.broker.sessions().some((s) => s.clientId === 'testament'),
      'the expired session is not restored',
    );
    const got: Received[] = [];
    const back = await connect(
      second.tb.url,
      { protocolVersion: 5, clientId: 'keeper', clean: false, properties: { sessionExpiryInterval: 3600 } },
      got,
    );
    await waitFor(() => got.length === 1, 'the will in the keeper queue', 5000);
    assert.equal(got[0]!.payload.toString(), 'session-ended');
    await endAll(back);
  } finally {
    await second.stop();
  }
});
