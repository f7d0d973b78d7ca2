import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { once } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import mqtt, { type IClientOptions, type IConnackPacket, type MqttClient } from 'mqtt';
import type { ISubackPacket } from 'mqtt-packet';
import { TestApiClient } from '../helpers/api-client';
import { loopbackArgs, type RunningCli, startCli } from '../helpers/cli-process';
import { listenerPort } from '../helpers/mosquitto-clients';
import { tempDir } from '../helpers/temp-dir';
import { waitFor } from '../helpers/wait-for';
import { endAll, tryConnect, tryConnectFrom } from '../helpers/mqtt-client';

const TIMEOUT = 60_000;

function writeConfig(config: unknown): string {
  const file = path.join(tempDir(), 'fieldbench.json');
  fs.writeFileSync(file, JSON.stringify(config, null, 2));
  return file;
}

/** `fieldbench serve --config FILE` on a data directory, with its MQTT port and an operator API client. */
async function serveWithConfig(config: unknown, dataDir = tempDir()) {
  const app = await startCli(loopbackArgs('serve', dataDir, '--config', writeConfig(config)));
  const api = await TestApiClient.connect(app.url, app.token);
  return { app, api, dataDir, port: listenerPort(app.readyLine, 'mqtt') };
}

async function stopServe(app: RunningCli, api: TestApiClient): Promise<string> {
  api.close();
  const drained = once(app.child, 'close');
  assert.equal((await app.stop()).code, 0, app.output());
  await drained;
  return app.output();
}

/** Connects and returns the client with the CONNACK it got. */
async function connectWithConnack(port: number, opts: IClientOptions) {
  const client = mqtt.connect(`mqtt://127.0.0.1:${port}`, {
    reconnectPeriod: 0,
    connectTimeout: 10_000,
    ...opts,
  });
  const connack = await new Promise<IConnackPacket>((resolve, reject) => {
    client.once('connect', resolve);
    client.once('error', reject);
  });
  return { client, connack };
}

function collect(client: MqttClient): Array<{ topic: string; payload: string }> {
  const received: Array<{ topic: string; payload: string }> = [];
  client.on('message', (topic, payload) => received.push({ topic, payload: payload.toString() }));
  return received;
}

describe('a --config file with broker limits, lab access rules and history limits', {
  timeout: TIMEOUT,
}, () => {
  let served: Awaited<ReturnType<typeof serveWithConfig>>;
  const url = () => `mqtt://127.0.0.1:${served.port}`;

  before(async () => {
    served = await serveWithConfig({
      allowAnonymous: true,
      broker: { maxKeepAlive: 30, maxPacketSize: 1024 },
      accessRules: {
        allow: [{ filter: 'lab/#', access: 'both' }],
        deny: [{ filter: 'lab/secret/#', access: 'both' }],
      },
      explorer: { history: { maxMessagesPerTopic: 5, maxPayloadBytes: 64 } },
    });
  });
  after(async () => {
    if (served) await stopServe(served.app, served.api);
  });

  test('[MQTT-3.2.2-21] maxKeepAlive: the CONNACK carries a Server Keep Alive that caps a longer or zero keep alive', async () => {
    const long = await connectWithConnack(served.port, { protocolVersion: 5, keepalive: 300 });
    const none = await connectWithConnack(served.port, { protocolVersion: 5, keepalive: 0 });
    const short = await connectWithConnack(served.port, { protocolVersion: 5, keepalive: 20 });
    try {
      assert.equal(long.connack.properties?.serverKeepAlive, 30);
      assert.equal(none.connack.properties?.serverKeepAlive, 30);
      assert.equal(
        short.connack.properties?.serverKeepAlive,
        undefined,
        'a keep alive within the cap is kept',
      );
      const { clients } = await served.api.call('broker.listClients', {});
      const keepAlives = Object.fromEntries(clients.map((c) => [c.clientId, c.keepAlive]));
      assert.equal(keepAlives[long.client.options.clientId!], 30);
      assert.equal(keepAlives[short.client.options.clientId!], 20);
    } finally {
      await endAll(long.client, none.client, short.client);
    }
  });

  test('maxPacketSize: advertised in the CONNACK; a larger PUBLISH closes its connection and is not delivered', async () => {
    const subscriber = await connectWithConnack(served.port, { protocolVersion: 5 });
    const received = collect(subscriber.client);
    const big = await mqtt.connectAsync(url(), { protocolVersion: 4, reconnectPeriod: 0 });
    const small = await mqtt.connectAsync(url(), { protocolVersion: 4, reconnectPeriod: 0 });
    try {
      assert.equal(subscriber.connack.properties?.maximumPacketSize, 1024);
      await subscriber.client.subscribeAsync(['lab/big', 'lab/small'], { qos: 0 });
      const closed = new Promise<void>((resolve) => big.once('close', () => resolve()));
      big.publish('lab/big', Buffer.alloc(2000, 0x61));
      await closed;
      await small.publishAsync('lab/small', Buffer.alloc(900, 0x62));
      await waitFor(() => received.some((m) => m.topic === 'lab/small'), 'the 900-byte message');
      assert.deepEqual(
        received.map((m) => [m.topic, m.payload.length]),
        [['lab/small', 900]],
      );
    } finally {
      await endAll(subscriber.client, big, small);
    }
  });

  test('access rules: an allowed topic works; a denied subscription and a publish outside the allow list are refused', async () => {
    const client = await mqtt.connectAsync(url(), { protocolVersion: 5, reconnectPeriod: 0 });
    const received = collect(client);
    try {
      const [granted] = await client.subscribeAsync('lab/open', { qos: 1 });
      assert.equal(granted?.qos, 1, 'allowed filter is granted');
      // One SUBSCRIBE with all three: the SUBACK answers each filter in order.
      const suback = await new Promise<ISubackPacket>((resolve) => {
        const onPacket = (packet: { cmd: string }) => {
          if (packet.cmd !== 'suback') return;
          client.off('packetreceive', onPacket);
          resolve(packet as ISubackPacket);
        };
        client.on('packetreceive', onPacket);
        client.subscribe(['lab/open', 'lab/secret/#', 'plant/#'], { qos: 1 }, () => {});
      });
      assert.deepEqual(
        suback.granted,
        [1, 0x87, 0x87],
        'denied and outside-the-allow-list filters: Not authorized',
      );

      await client.publishAsync('lab/open', 'hello', { qos: 1 });
      await waitFor(() => received.some((m) => m.topic === 'lab/open'), 'the allowed message');
      for (const topic of ['lab/secret/key', 'plant/line1']) {
        await assert.rejects(
          client.publishAsync(topic, 'nope', { qos: 1 }),
          (err: Error & { code?: number }) => err.code === 0x87,
          `PUBACK Not authorized for ${topic}`,
        );
      }
    } finally {
      await endAll(client);
    }
  });

  test('explorer.history limits: messages per topic are pruned and a large payload is stored cut and flagged', async () => {
    const { viewId } = await served.api.call('explorer.view.open', { connectionId: 'local' });
    const publisher = await mqtt.connectAsync(url(), { protocolVersion: 5, reconnectPeriod: 0 });
    try {
      for (let i = 0; i < 30; i++) await publisher.publishAsync('lab/hist', `m${i}`, { qos: 1 });
      await publisher.publishAsync('lab/large', Buffer.alloc(200, 0x7a), { qos: 1 });
      const history = await waitFor(async () => {
        const h = await served.api.call('explorer.history', {
          connectionId: 'local',
          topic: 'lab/hist',
          limit: 100,
        });
        return h.messages.some((m) => m.preview === 'm29') ? h : undefined;
      }, 'the last message in history');
      const previews = history.messages.map((m) => m.preview);
      // Pruning runs in batches with 10% slack: at most ceil(5 × 1.1) = 6 stay (the default keeps 1000).
      assert.ok(previews.length >= 5 && previews.length <= 6, `kept ${previews.join(' ')}`);
      assert.ok(!previews.includes('m0'), 'the oldest message was pruned');

      const large = await waitFor(async () => {
        const h = await served.api.call('explorer.history', {
          connectionId: 'local',
          topic: 'lab/large',
          limit: 1,
        });
        return h.messages[0];
      }, 'the large message in history');
      assert.equal(large.size, 200);
      assert.equal(large.truncated, true);
      assert.equal(large.storedSize, 64);
      const stored = await served.api.call('explorer.payload', { id: large.id });
      assert.equal(Buffer.from(stored.payload, 'base64').length, 64);
      assert.equal(stored.truncated, true);
    } finally {
      await endAll(publisher);
      await served.api.call('explorer.view.close', { viewId });
    }
  });
});

describe('a --config file with the lockout policy, root account name and CA algorithm', {
  timeout: TIMEOUT,
}, () => {
  const dataDir = tempDir();
  let served: Awaited<ReturnType<typeof serveWithConfig>>;

  before(async () => {
    served = await serveWithConfig(
      {
        tenancy: { rootAccountName: 'fieldlab', lockout: { maxFailures: 3, windowSeconds: 120 } },
        pki: { authorityAlgorithm: 'rsa-2048' },
      },
      dataDir,
    );
  });
  after(async () => {
    if (served && served.app.child.exitCode === null) await stopServe(served.app, served.api);
  });

  test('the root account created on first start has the configured name', async () => {
    const { accounts } = await served.api.call('accounts.list', {});
    const root = accounts.find((a) => a.depth === 0);
    assert.equal(root?.name, 'fieldlab');
    assert.equal(accounts.filter((a) => a.name === 'sys').length, 0);
  });

  test('the local root and issuing CA have the configured key type (RSA 2048)', async () => {
    const { authorities } = await served.api.call('pki.listAuthorities', {});
    assert.deepEqual(authorities.map((a) => a.role).sort(), ['issuing', 'root']);
    for (const authority of authorities) {
      const key = new X509Certificate(authority.certificatePem).publicKey;
      assert.equal(key.asymmetricKeyType, 'rsa', authority.role);
      assert.equal(key.asymmetricKeyDetails?.modulusLength, 2048, authority.role);
      assert.equal(authority.keyAlgorithm, 'rsa-2048');
    }
  });

  test('lockout: 3 failures (not the default 10) lock that address out, even with the right password; another address may still log in', async () => {
    const { accounts } = await served.api.call('accounts.list', {});
    const root = accounts.find((a) => a.depth === 0)!;
    await served.api.call('credentials.create', {
      accountId: root.id,
      username: 'gw-7',
      password: 'right-pass-7',
    });
    const port = served.port;
    const url = `mqtt://127.0.0.1:${port}`;
    const good = { clientId: 'gw-7', username: 'gw-7', password: 'right-pass-7' };

    const first = await tryConnect(url, good);
    assert.ok(first.ok, 'the right password works before any failure');
    await endAll(first.client);
    for (let attempt = 1; attempt <= 3; attempt++) {
      const bad = await tryConnect(url, { ...good, password: `wrong-${attempt}` });
      assert.ok(!bad.ok && bad.reasonCode === 0x86, `attempt ${attempt}: bad user name or password`);
    }
    const locked = await tryConnect(url, good);
    assert.ok(!locked.ok, 'the right password is refused while locked out');
    assert.equal(locked.reasonCode, 0x87);
    assert.match(locked.message, /too many failed logins from 127\.0\.0\.1/);

    const elsewhere = await tryConnectFrom('127.0.0.2', port, good);
    assert.ok(elsewhere.ok, `another address is not locked out: ${elsewhere.ok || elsewhere.message}`);
    await endAll(elsewhere.client);
  });

  test('a later config asking for another CA algorithm or root name warns and changes neither', async () => {
    const { authorities: before } = await served.api.call('pki.listAuthorities', {});
    await stopServe(served.app, served.api);
    const again = await serveWithConfig(
      { tenancy: { rootAccountName: 'other' }, pki: { authorityAlgorithm: 'ec-p384' } },
      dataDir,
    );
    try {
      await waitFor(
        () =>
          again.app
            .output()
            .includes('pki.authorityAlgorithm is "ec-p384" but the existing local CA uses "rsa-2048"'),
        `the CA warning in:\n${again.app.output()}`,
      );
      assert.match(
        again.app.output(),
        /tenancy\.rootAccountName is "other" but the root account is already named "fieldlab"/,
      );
      const { authorities } = await again.api.call('pki.listAuthorities', {});
      assert.deepEqual(
        authorities.map((a) => a.serial).sort(),
        before.map((a) => a.serial).sort(),
        'the same CA certificates',
      );
      const { accounts } = await again.api.call('accounts.list', {});
      assert.equal(accounts.find((a) => a.depth === 0)?.name, 'fieldlab');
    } finally {
      await stopServe(again.app, again.api);
    }
  });
});

test('pki.authorityAlgorithm "ec-p384" creates an EC P-384 CA in a new data directory', {
  timeout: TIMEOUT,
}, async () => {
  const served = await serveWithConfig({ pki: { authorityAlgorithm: 'ec-p384' } });
  try {
    const { authorities } = await served.api.call('pki.listAuthorities', {});
    assert.equal(authorities.length, 2);
    for (const authority of authorities) {
      const key = new X509Certificate(authority.certificatePem).publicKey;
      assert.equal(key.asymmetricKeyType, 'ec', authority.role);
      assert.equal(key.asymmetricKeyDetails?.namedCurve, 'secp384r1', authority.role);
    }
  } finally {
    const output = await stopServe(served.app, served.api);
    assert.doesNotMatch(output, /authorityAlgorithm is/, 'no warning for a CA created as configured');
  }
});
