import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { createBroker } from '../../main/broker';
import { openStore } from '../../main/store';
import { connect, endAll, type Received } from '../helpers/mqtt-client';
import { serveBroker } from '../helpers/test-broker';
import { waitFor } from '../helpers/wait-for';
import { tempDir } from '../helpers/temp-dir';

test('restart: persistent sessions, their queued QoS 1 messages and retained messages survive', async () => {
  const dir = tempDir();
  let store = openStore(dir);
  let tb = await serveBroker(createBroker({ db: store.db, allowAnonymous: true }));
  const sub = await connect(tb.url, { clientId: 'keeper', clean: false });
  await sub.subscribeAsync('persist/#', { qos: 1 });
  const sub5 = await connect(tb.url, {
    protocolVersion: 5,
    clientId: 'keeper5',
    clean: false,
    properties: { sessionExpiryInterval: 3600 },
  });
  await sub5.subscribeAsync('persist/#', { qos: 2, properties: { subscriptionIdentifier: 7 } });
  await endAll(sub, sub5);
  const pub = await connect(tb.url);
  await pub.publishAsync('persist/a', 'queued-1', { qos: 1 });
  await pub.publishAsync('persist/b', 'queued-2', { qos: 2 });
  await pub.publishAsync('persist/r', 'retained', { qos: 1, retain: true });
  await endAll(pub);
  await tb.close();
  store.close();

  store = openStore(dir);
  tb = await serveBroker(createBroker({ db: store.db, allowAnonymous: true }));
  try {
    assert.deepEqual(
      tb.broker.retained().map((r) => `${r.topic}=${r.payload}`),
      ['persist/r=retained'],
    );
    const got: Received[] = [];
    const back = await connect(tb.url, { clientId: 'keeper', clean: false }, got);
    await waitFor(() => got.length === 3, 'got.length === 3');
    assert.deepEqual(got.map((m) => m.payload.toString()).sort(), ['queued-1', 'queued-2', 'retained']);
    const got5: Received[] = [];
    const back5 = await connect(
      tb.url,
      { protocolVersion: 5, clientId: 'keeper5', clean: false, properties: { sessionExpiryInterval: 3600 } },
      got5,
    );
    await waitFor(() => got5.length === 3, 'got5.length === 3');
    // mqtt.js emits QoS 2 messages on PUBREL, so compare without order
    assert.deepEqual(got5.map((m) => `${m.payload}/${m.packet.qos}`).sort(), [
      'queued-1/1',
      'queued-2/2',
      'retained/1',
    ]);
    assert.equal(got5[0]!.packet.properties?.subscriptionIdentifier, 7);
    // subscriptions were restored too
    const pub2 = await connect(tb.url);
    await pub2.publishAsync('persist/after', 'new', { qos: 1 });
    await waitFor(() => got.length === 4 && got5.length === 4, 'got.length === 4 && got5.length === 4');
    await endAll(back, back5, pub2);
    // a clean session discards the stored one
    const clean = await connect(tb.url, { clientId: 'keeper', clean: true });
    await endAll(clean);
    await waitFor(
      () => !tb.broker.sessions().some((s) => s.clientId === 'keeper'),
      "!tb.broker.sessions().some((s) => s.clientId === 'keeper')",
    );
  } finally {
    await tb.close();
    store.close();
  }
  const count = openStore(dir);
  const rows = count.db
    .prepare("SELECT count(*) AS n FROM broker_sessions WHERE client_id = 'keeper'")
    .get() as {
    n: number;
  };
  assert.equal(rows.n, 0);
  count.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

function startChild(dir: string): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(__dirname, 'fixtures', 'broker-process.ts'), dir],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += String(d);
      const m = /PORT (\d+)/.exec(out);
      if (m) resolve({ child, port: Number(m[1]) });
    });
    child.once('exit', (code) => reject(new Error(`child exited early (${code})`)));
  });
}

function kill9(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

test('kill -9: an acknowledged QoS 1 message to an offline persistent session is delivered after restart', async () => {
  const dir = tempDir();
  const first = await startChild(dir);
  const url1 = `mqtt://127.0.0.1:${first.port}`;
  try {
    const sub = await connect(url1, { clientId: 'survivor', clean: false });
    await sub.subscribeAsync('crash/#', { qos: 1 });
    await endAll(sub);
    const pub = await connect(url1);
    // publishAsync resolves on PUBACK
    await pub.publishAsync('crash/1', 'acked-before-crash', { qos: 1 });
    await pub.publishAsync('crash/2', 'also-acked', { qos: 1 });
    await kill9(first.child);
    await endAll(pub);
  } catch (err) {
    first.child.kill('SIGKILL');
    throw err;
  }
  const second = await startChild(dir);
  try {
    const got: Received[] = [];
    const back = await connect(
      `mqtt://127.0.0.1:${second.port}`,
      { clientId: 'survivor', clean: false },
      got,
    );
    await waitFor(() => got.length === 2, 'got.length === 2', 10_000);
    assert.deepEqual(
      got.map((m) => m.payload.toString()),
      ['acked-before-crash', 'also-acked'],
    );
    await endAll(back);
  } finally {
    await kill9(second.child);
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
