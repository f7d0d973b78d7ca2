import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { fleetIds, GatewaySimulator, provisionThroughApi } from '../../main/gateways/simulator';
import { TestApiClient } from '../helpers/api-client';
import { launchChromium, screenshotPath } from '../helpers/browser';
import { loopbackArgs, type RunningCli, startCli } from '../helpers/cli-process';
import { tempDir } from '../helpers/temp-dir';
import { waitFor } from '../helpers/wait-for';

const ACCOUNT = 'fieldco';
const REGISTRY = 'line-3';

describe('The Gateways page in Chromium with a simulated gateway fleet', () => {
  let app: RunningCli;
  let api: TestApiClient;
  let browser: Browser;
  let page: Page;
  let simulator: GatewaySimulator | undefined;
  let accountId: string;
  const consoleErrors: string[] = [];

  before(async () => {
    app = await startCli(loopbackArgs('serve', tempDir()));
    const port = Number(/mqtt 127\.0\.0\.1:(\d+)/.exec(app.readyLine)![1]);
    api = await TestApiClient.connect(app.url, app.token);
    const root = (await api.call('accounts.list', {})).accounts.find((a) => a.parentId === null)!;
    const local = (await api.call('services.list', {})).services.find((s) => s.kind === 'embedded')!;
    accountId = (await api.call('accounts.create', { parentId: root.id, name: ACCOUNT, serviceId: local.id }))
      .id;
    const fleet = await provisionThroughApi(api, accountId, REGISTRY, fleetIds('e2e', 2, 3));
    simulator = new GatewaySimulator({
      mqtt: { host: '127.0.0.1', port },
      accountName: ACCOUNT,
      registryId: REGISTRY,
      fleet,
      eventsPerSecond: 2,
      stateEvery: 3,
    });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
    page.setDefaultTimeout(20_000);
    page.on('console', (msg) => msg.type() === 'error' && consoleErrors.push(msg.text()));
    page.on('pageerror', (e) => consoleErrors.push(e.message));
    await page.goto(`${app.url}#token=${app.token}`);
    await page.getByTestId('connection-status').filter({ hasText: 'Connected' }).waitFor({ timeout: 15_000 });
  });

  after(async () => {
    await simulator?.stop();
    await browser?.close();
    api?.close();
    await app?.stop();
  });

  test('attached devices appear live; a config sent from the page reaches the device and shows acknowledged', async () => {
    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Gateways', exact: true })
      .click();
    await page.getByTestId('gateways-page').waitFor();
    await page.getByTestId('account-picker').selectOption(accountId);
    const row = page.getByTestId('tree-e2e-gw-1-e2e-gw-1-dev-2');
    await row.waitFor();
    assert.equal(await row.getByTestId('tree-status').textContent(), 'offline');

    await simulator!.start();
    await row.getByTestId('tree-status').filter({ hasText: 'attached via e2e-gw-1' }).waitFor();
    await page
      .getByTestId('tree-e2e-gw-0')
      .getByTestId('tree-status')
      .filter({ hasText: 'connected' })
      .waitFor();
    await waitFor(
      async () => /temperature/.test((await row.textContent()) ?? ''),
      'a live event preview',
      20_000,
    );

    await row.click();
    const detail = page.getByTestId('device-detail');
    await detail.getByRole('heading', { name: /e2e-gw-1-dev-2/ }).waitFor();
    await detail.getByTestId('config-input').fill('{"interval":15}');
    await detail.getByTestId('send-config').click();
    await detail.getByTestId('detail-notice').filter({ hasText: 'Config stored and sent' }).waitFor();
    await waitFor(
      () => simulator!.snapshot().configs['e2e-gw-1-dev-2'] === '{"interval":15}',
      'the config at the simulated device',
    );
    await row
      .getByTestId('tree-config')
      .filter({ hasText: 'v1 acknowledged' })
      .waitFor()
      .catch(async (err) => {
        await page.screenshot({ path: screenshotPath('gateways-config-ack'), fullPage: true });
        throw err;
      });
    await detail.getByTestId('detail-config').filter({ hasText: 'acknowledged v1' }).waitFor();
    assert.deepEqual(consoleErrors, []);
  });
});
