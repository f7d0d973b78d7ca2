import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import mqtt, { type MqttClient } from 'mqtt';
import type { Browser, Page } from 'playwright-core';
import { TestApiClient } from '../helpers/api-client';
import { launchChromium, openAppPage, screenshotPath } from '../helpers/browser';
import { loopbackArgs, type RunningCli, startCli } from '../helpers/cli-process';
import { listenerPort } from '../helpers/mosquitto-clients';
import { tempDir } from '../helpers/temp-dir';
import { waitFor } from '../helpers/wait-for';

function connectClient(url: string, options: mqtt.IClientOptions): Promise<MqttClient> {
  return new Promise((resolve, reject) => {
    const client = mqtt.connect(url, { reconnectPeriod: 0, connectTimeout: 5000, ...options });
    client.once('connect', () => resolve(client));
    client.once('error', reject);
  });
}

function openBroker(browser: Browser, app: RunningCli, colorScheme: 'light' | 'dark') {
  return openAppPage(browser, app, 'broker', { colorScheme, viewport: { width: 1440, height: 1000 } });
}

/** A bare MQTT 3.1.1 connection (no keep alive): cheaper than an mqtt.js client for load. */
function rawConnect(port: number, clientId: string): Promise<net.Socket> {
  const id = Buffer.from(clientId);
  const body = Buffer.concat([
    Buffer.from([
      0x00,
      0x04,
      0x4d,
      0x51,
      0x54,
      0x54,
      0x04,
      0x02,
      0x00,
      0x00,
      id.length >> 8,
      id.length & 0xff,
    ]),
    id,
  ]);
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () =>
      socket.write(Buffer.concat([Buffer.from([0x10, body.length]), body])),
    );
    socket.once('data', (d) =>
      d[0] === 0x20 && d[3] === 0 ? resolve(socket) : reject(new Error(`CONNACK ${d.toString('hex')}`)),
    );
    socket.once('error', reject);
  });
}

const clientRow = (page: Page, clientId: string) =>
  page.locator(`[data-testid="client-row"][data-client-id="${clientId}"]`);
const listenerRow = (page: Page, kind: string) =>
  page.locator(`[data-testid="listener-row"][data-kind="${kind}"]`);

describe('Broker page in Chromium against the headless app', () => {
  let app: RunningCli;
  let browser: Browser;
  let mqttPort: number;
  let wsPort: number;
  let mqttsPort: number;
  const clients: MqttClient[] = [];
  const children: ChildProcess[] = [];

  before(async () => {
    app = await startCli([
      ...loopbackArgs('serve', tempDir()),
      '--ws-port',
      '0',
      '--mqtts-port',
      '0',
      '--allow-anonymous',
    ]);
    mqttPort = listenerPort(app.readyLine, 'mqtt');
    wsPort = listenerPort(app.readyLine, 'ws');
    mqttsPort = listenerPort(app.readyLine, 'mqtts');
    browser = await launchChromium();
  });

  after(async () => {
    for (const c of clients) c.end(true);
    for (const child of children) if (child.exitCode === null) child.kill();
    await browser?.close();
    await app?.stop();
  });

  test('clients, disconnect, listener stop, charts, handshake failures and listener errors', async () => {
    // Three protocol versions on two listeners: mqtt.js over TCP (5) and WebSocket (3.1.1), mosquitto_sub (3.1).
    const tcp = await connectClient(`mqtt://127.0.0.1:${mqttPort}`, {
      clientId: 'fb-tcp-client',
      protocolVersion: 5,
    });
    const ws = await connectClient(`ws://127.0.0.1:${wsPort}/mqtt`, {
      clientId: 'fb-ws-client',
      protocolVersion: 4,
    });
    const victim = await connectClient(`mqtt://127.0.0.1:${mqttPort}`, {
      clientId: 'fb-victim',
      protocolVersion: 5,
    });
    clients.push(tcp, ws, victim);
    await tcp.subscribeAsync('bench/#', { qos: 1 });
    const sub = spawn('mosquitto_sub', [
      '-h',
      '127.0.0.1',
      '-p',
      String(mqttPort),
      '-i',
      'fb-mosquitto-sub',
      '-V',
      'mqttv31',
      '-t',
      'bench/#',
      '-k',
      '30',
    ]);
    children.push(sub);

    const { page, errors } = await openBroker(browser, app, 'light');

    // The connected clients list shows each client with its id and protocol version.
    await clientRow(page, 'fb-tcp-client').waitFor({ timeout: 10_000 });
    assert.equal(
      await clientRow(page, 'fb-tcp-client').getByTestId('client-protocol').textContent(),
      'MQTT 5.0',
    );
    await clientRow(page, 'fb-ws-client').waitFor();
    assert.equal(
      await clientRow(page, 'fb-ws-client').getByTestId('client-protocol').textContent(),
      'MQTT 3.1.1',
    );
    assert.match((await clientRow(page, 'fb-ws-client').textContent()) ?? '', /ws/);
    await clientRow(page, 'fb-mosquitto-sub').waitFor({ timeout: 10_000 });
    assert.equal(
      await clientRow(page, 'fb-mosquitto-sub').getByTestId('client-protocol').textContent(),
      'MQTT 3.1',
    );
    assert.equal(await page.getByTestId('client-row').count(), 4);

    // The filter narrows the list.
    await page.getByTestId('client-filter').fill('victim');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="client-row"]').length === 1);
    assert.equal(await clientRow(page, 'fb-victim').count(), 1);
    await page.getByTestId('client-filter').fill('');

    // Disconnect from the UI: the MQTT 5 client receives a DISCONNECT (0x98, administrative action).
    const disconnected = new Promise<number | undefined>((resolve) => {
      victim.once('disconnect', (packet) => resolve(packet.reasonCode));
      victim.once('close', () => resolve(-1));
    });
    await page.getByRole('button', { name: 'Disconnect fb-victim' }).click();
    assert.equal(await disconnected, 0x98, 'the client saw a DISCONNECT with reason 0x98');
    await waitFor(async () => (await clientRow(page, 'fb-victim').count()) === 0, 'the row to disappear');
    assert.ok(!victim.connected);

    // Stop the WebSocket listener from the UI: it shows stopped, its client goes, the TCP client stays.
    const wsClosed = new Promise<void>((resolve) => ws.once('close', () => resolve()));
    await listenerRow(page, 'ws')
      .getByRole('button', { name: /^Stop ws listener/ })
      .click();
    await listenerRow(page, 'ws')
      .getByTestId('listener-state')
      .filter({ hasText: 'stopped' })
      .waitFor({ timeout: 10_000 });
    await wsClosed;
    assert.equal(await listenerRow(page, 'ws').getByTestId('listener-port').textContent(), '–');
    await waitFor(
      async () => (await clientRow(page, 'fb-ws-client').count()) === 0,
      'the ws client to leave the list',
    );
    assert.equal(await listenerRow(page, 'mqtt').getByTestId('listener-state').textContent(), 'running');
    assert.ok(tcp.connected, 'the TCP client is still connected');
    await page.waitForTimeout(2500); // one more refresh of the list
    assert.equal(await clientRow(page, 'fb-tcp-client').count(), 1, 'the TCP client is still listed');
    const echo = new Promise<string>((resolve) =>
      tcp.once('message', (_t, payload) => resolve(payload.toString())),
    );
    await tcp.publishAsync('bench/echo', 'still here', { qos: 1 });
    assert.equal(await echo, 'still here');

    // Charts: uPlot canvases exist; the message rate rises above zero while publishing.
    assert.ok((await page.locator('[data-testid="chart-messages"] canvas').count()) >= 1, 'uPlot canvas');
    assert.ok((await page.locator('[data-testid="chart-connections"] canvas').count()) >= 1, 'uPlot canvas');
    const publisher = setInterval(() => {
      for (let i = 0; i < 20; i++) tcp.publish(`bench/rate/${i}`, `v${i}`, { qos: 0 });
    }, 50);
    try {
      await page.waitForFunction(
        () =>
          Number(document.querySelector('[data-testid="chart-messages"]')?.getAttribute('data-latest')) > 0,
        undefined,
        { timeout: 10_000 },
      );
      const rateText = (await page.getByTestId('stat-rate-in').textContent()) ?? '';
      assert.ok(Number.parseFloat(rateText) > 0, `message rate shown: ${rateText}`);
    } finally {
      clearInterval(publisher);
    }
    assert.ok(Number(await page.getByTestId('chart-messages').getAttribute('data-points')) >= 2);

    // Start the ws listener again: it runs on a new port and the clients list still works.
    await listenerRow(page, 'ws')
      .getByRole('button', { name: /^Start ws listener/ })
      .click();
    await listenerRow(page, 'ws')
      .getByTestId('listener-state')
      .filter({ hasText: 'running' })
      .waitFor({ timeout: 10_000 });

    // A plain MQTT client on the TLS port: the failure shows live, with the plain-language reason.
    await page.getByRole('tab', { name: /TLS handshake failures/ }).click();
    await page.getByTestId('handshake-empty').waitFor();
    await new Promise<void>((resolve) => {
      const socket = net.connect(mqttsPort, '127.0.0.1', () => {
        // An MQTT 3.1.1 CONNECT packet (empty client id), sent to a TLS port.
        socket.write(
          Buffer.from([0x10, 0x0c, 0x00, 0x04, 0x4d, 0x51, 0x54, 0x54, 0x04, 0x02, 0x00, 0x3c, 0x00, 0x00]),
        );
      });
      socket.on('close', () => resolve());
      socket.on('error', () => resolve());
      setTimeout(() => socket.destroy(), 3000);
    });
    const failure = page.getByTestId('handshake-failure-row').first();
    await failure.waitFor({ timeout: 10_000 });
    assert.match((await failure.textContent()) ?? '', /mqtts/);
    assert.match((await failure.textContent()) ?? '', /TLS|not speaking|plain/i);

    // Add a listener on a port that is taken: validation first, then the server's error in place.
    await page.getByRole('tab', { name: /Connected clients/ }).click();
    await page.getByTestId('add-listener').click();
    const form = page.getByTestId('listener-form');
    const portInput = form.getByLabel('Port', { exact: true });
    await portInput.fill('99999');
    await form.getByRole('alert').filter({ hasText: '65535' }).waitFor();
    assert.equal(await portInput.getAttribute('aria-invalid'), 'true');
    await portInput.fill('abc');
    await form.getByRole('alert').filter({ hasText: 'whole number' }).waitFor();
    await portInput.fill(String(mqttPort));
    assert.equal(await portInput.getAttribute('aria-invalid'), null);
    await form.getByRole('button', { name: 'Add listener' }).click();
    const errorRow = page.getByTestId('listener-error');
    await errorRow.waitFor({ timeout: 10_000 });
    assert.match((await errorRow.textContent()) ?? '', /in use|EADDRINUSE/i);
    assert.equal(await page.locator('[data-testid="listener-state"]', { hasText: 'error' }).count(), 1);

    await page.screenshot({ path: screenshotPath('broker-page'), fullPage: true });

    // The listener in error is removed through the UI (with confirmation).
    const api = await TestApiClient.connect(app.url, app.token);
    const broken = (await api.call('listeners.list', {})).listeners.find((l) => l.state === 'error')!;
    const brokenRow = page.locator(`[data-testid="listener-row"][data-listener-id="${broken.id}"]`);
    await brokenRow.getByRole('button', { name: /^Remove mqtt listener/ }).click();
    await brokenRow.getByRole('button', { name: 'Remove mqtt?' }).click();
    await brokenRow.waitFor({ state: 'detached', timeout: 10_000 });
    assert.equal(
      (await api.call('listeners.list', {})).listeners.some((l) => l.id === broken.id),
      false,
    );
    api.close();

    assert.deepEqual(errors, [], 'no errors in the browser console');
    await page.context().close();
  });

  test('a long client list stays virtualized and filterable', async () => {
    const count = 1500;
    const api = await TestApiClient.connect(app.url, app.token);
    const before = (await api.call('broker.listClients', {})).total;
    api.close();
    const sockets = await Promise.all(
      Array.from({ length: count }, (_, i) => rawConnect(mqttPort, `load-${String(i).padStart(4, '0')}`)),
    );
    try {
      const { page, errors } = await openBroker(browser, app, 'light');
      await page
        .getByTestId('client-count')
        .filter({ hasText: new RegExp(`\\b${count + before} connected`) })
        .waitFor({ timeout: 15_000 });
      const rendered = await page.getByTestId('client-row').count();
      assert.ok(rendered > 5 && rendered < 80, `only the visible rows are in the DOM (${rendered})`);
      // Scroll to the end: the last client (sorted by client id) is reachable.
      await page.getByTestId('client-rows').evaluate((el: { scrollTop: number; scrollHeight: number }) => {
        el.scrollTop = el.scrollHeight;
      });
      await page.waitForFunction(
        (n) => {
          const ids = [...document.querySelectorAll('[data-testid="client-row"]')].map((r) =>
            r.getAttribute('data-client-id'),
          );
          return (
            ids.length > 0 &&
            ids.length < 80 &&
            ids.some((id: string) => id === `load-${String(n - 1).padStart(4, '0')}`)
          );
        },
        count,
        { timeout: 5000 },
      );
      // Sorting by client id, descending: the last one comes first.
      await page.getByRole('button', { name: 'Sort by Client id' }).click();
      await page.getByTestId('client-rows').evaluate((el: { scrollTop: number }) => {
        el.scrollTop = 0;
      });
      await page.waitForFunction(
        () =>
          document.querySelector('[data-testid="client-row"]')?.getAttribute('data-client-id') ===
          'load-1499',
      );
      await page.getByTestId('client-filter').fill('load-07');
      await page
        .getByTestId('client-count')
        .filter({ hasText: /\b100 of/ })
        .waitFor();
      // The page keeps up with the once-a-second stats while the list is long.
      const frame = await page.evaluate(
        () =>
          new Promise<number>((resolve) => {
            const start = performance.now();
            requestAnimationFrame(() => requestAnimationFrame(() => resolve(performance.now() - start)));
          }),
      );
      assert.ok(frame < 500, `two frames took ${frame.toFixed(0)} ms`);
      assert.deepEqual(errors, []);
      await page.context().close();
    } finally {
      for (const s of sockets) s.destroy();
    }
  });

  test('sessions, retained (clear), listener edit; dark theme and keyboard tabs', async () => {
    // An offline persistent session and a retained message.
    const persistent = await connectClient(`mqtt://127.0.0.1:${mqttPort}`, {
      clientId: 'fb-persistent',
      protocolVersion: 5,
      clean: false,
      properties: { sessionExpiryInterval: 3600 },
    });
    await persistent.subscribeAsync('persist/#', { qos: 1 });
    await persistent.publishAsync('bench/retained/one', 'hello retained', { qos: 1, retain: true });
    await persistent.endAsync();

    const { page, errors } = await openBroker(browser, app, 'dark');
    await page.getByRole('tab', { name: /Connected clients/ }).focus();
    await page.keyboard.press('ArrowRight');
    assert.equal(await page.getByRole('tab', { name: /Sessions/ }).getAttribute('aria-selected'), 'true');
    assert.match(
      await page.evaluate(() => document.activeElement?.textContent ?? ''),
      /Sessions/,
      'focus follows the selected tab',
    );
    const session = page.locator('[data-testid="session-row"][data-client-id="fb-persistent"]');
    await session.waitFor({ timeout: 10_000 });
    assert.match((await session.textContent()) ?? '', /offline/);
    assert.match((await session.textContent()) ?? '', /persist\/#/);
    assert.match((await session.textContent()) ?? '', /1h 0m/);

    await page.keyboard.press('ArrowRight');
    assert.equal(await page.getByRole('tab', { name: /Retained/ }).getAttribute('aria-selected'), 'true');
    const retained = page.getByTestId('retained-row').filter({ hasText: 'bench/retained/one' });
    await retained.waitFor({ timeout: 10_000 });
    assert.match((await retained.textContent()) ?? '', /hello retained/);
    await page.getByLabel('Retained topic filter').fill('bench/#/x');
    await page.getByRole('alert').filter({ hasText: '# must be' }).waitFor();
    await page.getByLabel('Retained topic filter').fill('bench/#');
    await retained.getByRole('button', { name: 'Clear retained message of bench/retained/one' }).click();
    await retained.waitFor({ state: 'detached', timeout: 10_000 });
    const api = await TestApiClient.connect(app.url, app.token);
    assert.equal((await api.call('broker.listRetained', { filter: 'bench/retained/one' })).total, 0);

    // Edit the mqtts listener: TLS 1.3 only, SNI required, ALPN "mqtt".
    await page.getByRole('tab', { name: /Connected clients/ }).click();
    const mqtts = listenerRow(page, 'mqtts');
    await mqtts.getByRole('button', { name: /^Edit mqtts listener/ }).click();
    const form = page.getByTestId('listener-form');
    await form.getByLabel('Minimum TLS version').selectOption('TLSv1.3');
    await form.getByLabel('ALPN protocols').fill('mqtt, ');
    await form.getByLabel(/Require SNI/).check();
    await form.getByRole('button', { name: 'Save and restart' }).click();
    await form.waitFor({ state: 'detached', timeout: 10_000 });
    await mqtts.filter({ hasText: 'SNI required' }).waitFor({ timeout: 10_000 });
    assert.match((await mqtts.textContent()) ?? '', /≥TLS 1\.3 · SNI required · ALPN mqtt/);
    assert.equal(await mqtts.getByTestId('listener-state').textContent(), 'running');
    const saved = (await api.call('listeners.list', {})).listeners.find((l) => l.kind === 'mqtts')!;
    assert.deepEqual(
      [saved.options.minTlsVersion, saved.options.requireSni, saved.options.alpnProtocols],
      ['TLSv1.3', true, ['mqtt']],
    );
    api.close();

    await page.locator('[data-testid="chart-messages"] canvas').first().waitFor();
    await page.waitForTimeout(1500);
    await page.screenshot({ path: screenshotPath('broker-page-dark'), fullPage: true });
    assert.deepEqual(errors, []);
    await page.context().close();
  });
});
