import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import WebSocket from 'ws';
import { TestApiClient } from '../helpers/api-client';
import { launchChromium, openAppPage, screenshotPath } from '../helpers/browser';
import { loopbackArgs, type RunningCli, startCli } from '../helpers/cli-process';
import { listenerPort } from '../helpers/mosquitto-clients';
import { tempDir } from '../helpers/temp-dir';

describe('Resources page in Chromium against the headless app', () => {
  let app: RunningCli;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  let api: TestApiClient;
  let accountId: string;
  let operatorKey: string;
  let deviceKeyId: string;
  let ports: { ws: number; rest: number };
  const sockets: WebSocket[] = [];

  const rest = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`http://127.0.0.1:${ports.rest}${path}`, {
      method,
      headers: { authorization: operatorKey, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    assert.ok(res.status < 300, `${method} ${path} answered ${res.status}`);
    return res.json() as Promise<unknown>;
  };

  before(async () => {
    app = await startCli(loopbackArgs('serve', tempDir(), '--ws-port', '0', '--rest-port', '0'));
    ports = { ws: listenerPort(app.readyLine, 'ws'), rest: listenerPort(app.readyLine, 'rest') };
    api = await TestApiClient.connect(app.url, app.token);
    const local = (await api.call('services.list', {})).services.find((s) => s.kind === 'embedded')!;
    const root = (await api.call('accounts.list', {})).accounts.find((a) => a.parentId === null)!;
    accountId = (await api.call('accounts.create', { parentId: root.id, name: 'acme', serviceId: local.id }))
      .id;
    const create = (type: 'operator' | 'device') =>
      api.call('apiKeys.create', {
        accountId,
        name: `${type} key`,
        type,
        scopes: ['mqtt', 'api.read', 'api.write'],
        permissions: [],
        expiresAt: null,
      });
    operatorKey = (await create('operator')).key;
    deviceKeyId = (await create('device')).apiKey.id;
    browser = await launchChromium();
    ({ page, errors } = await openAppPage(browser, app, 'resources'));
    await page.getByTestId('account-picker').selectOption(accountId);
  });

  after(async () => {
    for (const s of sockets) s.close();
    api?.close();
    await browser?.close();
    await app?.stop();
  });

  test('creates a Thng, charts its property history, lists actions, locations, key scopes and live subscribers', async () => {
    await page.getByLabel('New Thng name').fill('Boiler room sensor');
    await page.getByTestId('thng-create').click();
    const row = page.getByTestId('thng-row').filter({ hasText: 'Boiler room sensor' });
    await row.waitFor();
    const thngId = (await row.locator('code').first().textContent())!;
    assert.match(thngId, /^[0-9a-f]{24}$/);

    const now = Date.now();
    await rest('PUT', `/thngs/${thngId}/properties`, [
      { key: 'temp', value: 20.5, timestamp: now - 2000 },
      { key: 'temp', value: 21.5, timestamp: now - 1000 },
      { key: 'temp', value: 22.5, timestamp: now },
    ]);
    await rest('POST', `/thngs/${thngId}/actions/maintenance`, { customFields: { by: 'ana' } });
    await rest('PUT', `/thngs/${thngId}/location`, [
      { position: { type: 'Point', coordinates: [8.54, 47.37] } },
    ]);
    const socket = new WebSocket(`ws://127.0.0.1:${ports.ws}/thngs/${thngId}/properties/temp`, {
      headers: { authorization: operatorKey },
    });
    sockets.push(socket);
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));

    await row.filter({ hasText: 'temp = 22.5' }).waitFor({ timeout: 10_000 });
    await row.click();
    const history = page.getByTestId('property-history');
    await history.getByText('21.5').waitFor();
    assert.equal(await history.locator('tbody tr').count(), 3);
    await page.getByTestId('thng-detail').getByTestId('series-chart').waitFor();
    await page.getByTestId('location-table').getByText('47.37').waitFor();
    await page.getByTestId('resources-actions').getByText('maintenance').waitFor();
    await page
      .getByTestId('subscriber-row')
      .filter({ hasText: 'WebSocket' })
      .filter({ hasText: `thngs/${thngId}/properties/temp` })
      .waitFor();

    const deviceRow = page.getByTestId('resource-key-row').filter({ hasText: 'device key' });
    assert.equal(
      await deviceRow.getByTestId('resource-key-scope').textContent(),
      'nothing yet (bind it to a Thng)',
    );
    await deviceRow.getByLabel('Thng of device key').selectOption(thngId);
    await deviceRow
      .getByTestId('resource-key-scope')
      .filter({ hasText: `only Thng ${thngId}` })
      .waitFor();
    const overview = await api.call('resources.overview', { accountId });
    assert.equal(overview.keys.find((k) => k.id === deviceKeyId)?.thngId, thngId, 'the binding was saved');

    await page.screenshot({ path: screenshotPath('resources-page'), fullPage: true });
    assert.deepEqual(errors, []);
  });
});
