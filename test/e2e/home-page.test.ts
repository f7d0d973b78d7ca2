import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import mqtt, { type MqttClient } from 'mqtt';
import type { Browser } from 'playwright-core';
import { TestApiClient } from '../helpers/api-client';
import { launchChromium, screenshotPath } from '../helpers/browser';
import { loopbackArgs, type RunningCli, startCli } from '../helpers/cli-process';
import { tempDir } from '../helpers/temp-dir';

function connectClient(url: string, clientId: string): Promise<MqttClient> {
  return new Promise((resolve, reject) => {
    const client = mqtt.connect(url, { clientId, reconnectPeriod: 0, connectTimeout: 5000 });
    client.once('connect', () => resolve(client));
    client.once('error', reject);
  });
}

describe('Home page in Chromium against the headless UI', () => {
  let app: RunningCli;
  let api: TestApiClient;
  let browser: Browser;
  let client: MqttClient | undefined;

  before(async () => {
    app = await startCli(loopbackArgs('serve', tempDir(), '--allow-anonymous', '--ws-port', '0'));
    api = await TestApiClient.connect(app.url, app.token);
    browser = await launchChromium();
  });

  after(async () => {
    client?.end(true);
    api?.close();
    await browser?.close();
    await app?.stop();
  });

  test('lands on Home: listeners with their URLs, first steps that open their pages, recent activity', async () => {
    const { listeners } = await api.call('listeners.list', {});
    const mqttListener = listeners.find((l) => l.kind === 'mqtt');
    const wsListener = listeners.find((l) => l.kind === 'ws');
    assert.ok(mqttListener?.boundPort && wsListener?.boundPort, 'mqtt and ws listeners are running');
    const mqttUrl = `mqtt://127.0.0.1:${mqttListener.boundPort}`;
    const wsUrl = `ws://127.0.0.1:${wsListener.boundPort}/mqtt`;

    // Some activity before the page opens: an operator change and a connected client.
    const root = (await api.call('accounts.list', {})).accounts.find((a) => a.depth === 0)!;
    await api.call('accounts.create', { parentId: root.id, name: 'home-lab' });
    client = await connectClient(mqttUrl, 'home-device-1');

    const context = await browser.newContext({ viewport: { width: 1440, height: 1000 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${app.url}#token=${app.token}`);
    await page.getByTestId('home-page').waitFor({ timeout: 15_000 });
    assert.equal(new URL(page.url()).hash, '#/home', 'the token address lands on Home');
    assert.equal(
      await page.getByRole('navigation', { name: 'Main' }).locator('[aria-current="page"]').textContent(),
      'Home',
    );

    // What is running: every listener with the URL a client on this machine uses.
    const urls = page.getByTestId('listener-url');
    await urls.filter({ hasText: wsUrl }).waitFor({ timeout: 10_000 });
    assert.deepEqual((await urls.allTextContents()).sort(), [mqttUrl, wsUrl].sort());
    const mqttRow = page.locator('[data-testid="home-listener"][data-kind="mqtt"]');
    assert.equal(await mqttRow.locator('.ui-badge').textContent(), 'running');
    assert.equal(await page.getByTestId('home-listeners-running').textContent(), '2 of 2');
    await page.getByTestId('home-clients').filter({ hasText: /^1$/ }).waitFor({ timeout: 10_000 });

    // What to do first: the README's steps, in order, each opening its page.
    const titles = await page.getByTestId('first-steps').locator('.home-step-title').allTextContents();
    assert.deepEqual(titles, [
      'Create an account',
      'Assign it a messaging service',
      'Add device credentials',
      'Connect a device and watch its messages',
      'Use TLS',
    ]);
    assert.match(
      (await page.getByTestId('step-traffic').locator('code').textContent()) ?? '',
      new RegExp(`^mosquitto_pub -h 127\\.0\\.0\\.1 -p ${mqttListener.boundPort} `),
    );

    // Recent activity: the account just created and the connected client.
    await page.getByTestId('recent-changes').getByText('accounts.create', { exact: true }).waitFor();
    await page.getByTestId('recent-clients').getByText('home-device-1', { exact: true }).waitFor();
    // A client connecting while the page is open appears without a reload.
    const second = await connectClient(mqttUrl, 'home-device-2');
    await page.getByTestId('recent-clients').getByText('home-device-2', { exact: true }).waitFor();
    await page.screenshot({ path: screenshotPath('home-page'), fullPage: true });
    second.end(true);

    await page.getByTestId('step-account').getByRole('link', { name: 'Open Accounts' }).click();
    await page.getByTestId('tenancy-accounts-page').waitFor();
    assert.equal(new URL(page.url()).hash, '#/accounts');
    await page.getByTestId('step-tls').waitFor({ state: 'detached' });

    assert.deepEqual(errors, [], 'no errors in the browser console');
    await context.close();
  });
});
