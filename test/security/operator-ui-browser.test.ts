import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { TestApiClient } from '../helpers/api-client';
import { launchChromium, openAppPage, screenshotPath } from '../helpers/browser';
import { loopbackArgs, type RunningCli, startCli } from '../helpers/cli-process';
import { tempDir } from '../helpers/temp-dir';
import { rawUpgrade } from './helpers/raw-websocket';

describe('hardening in Chromium: token rotation on the System page, allowed origins on the Broker page', () => {
  let app: RunningCli;
  let browser: Browser;
  let foreignSite: http.Server;

  before(async () => {
    app = await startCli(loopbackArgs('serve', tempDir(), '--ws-port', '0'));
    browser = await launchChromium();
    foreignSite = http.createServer((_req, res) =>
      res.writeHead(200, { 'content-type': 'text/html' }).end('<p>elsewhere</p>'),
    );
    await new Promise<void>((resolve) => foreignSite.listen(0, '127.0.0.1', resolve));
  });

  after(async () => {
    await browser?.close();
    await app?.stop();
    foreignSite?.close();
  });

  async function wsListenerPort(): Promise<{ id: string; port: number }> {
    const api = await TestApiClient.connect(app.url, app.token);
    const ws = (await api.call('listeners.list', {})).listeners.find((l) => l.kind === 'ws')!;
    api.close();
    return { id: ws.id, port: ws.boundPort! };
  }

  test('a page from another site cannot open the MQTT WebSocket', async () => {
    const { port } = await wsListenerPort();
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${(foreignSite.address() as AddressInfo).port}/`);
    const outcome = await page.evaluate(
      (url) =>
        new Promise<string>((resolve) => {
          const ws = new WebSocket(url, 'mqtt');
          ws.onopen = () => resolve('open');
          ws.onerror = () => resolve('refused');
        }),
      `ws://127.0.0.1:${port}/mqtt`,
    );
    assert.equal(outcome, 'refused');
    await page.close();
  });

  test('allowed origins are edited in the listener form and take effect', async () => {
    const { page, errors } = await openAppPage(browser, app, 'broker');
    const { id } = await wsListenerPort();
    await page.getByRole('button', { name: `Edit ws listener ${id}` }).click();
    const form = page.getByTestId('listener-form');
    const origins = form.getByLabel('Allowed browser origins');
    await origins.fill('dash.example');
    await form.getByRole('alert').filter({ hasText: 'an origin such as' }).waitFor();
    await origins.fill('https://dash.example:8443');
    await page.screenshot({ path: screenshotPath('broker-listener-origins'), fullPage: true });
    await form.getByRole('button', { name: 'Save and restart' }).click();
    await form.waitFor({ state: 'detached', timeout: 10_000 });
    const api = await TestApiClient.connect(app.url, app.token);
    const saved = (await api.call('listeners.list', {})).listeners.find((l) => l.id === id)!;
    api.close();
    assert.deepEqual(saved.options.allowedOrigins, ['https://dash.example:8443']);
    const allowed = await rawUpgrade(saved.boundPort!, { origin: 'https://dash.example:8443' });
    allowed.socket.destroy();
    assert.equal(allowed.status, 101);
    const refused = await rawUpgrade(saved.boundPort!, { origin: 'https://evil.example' });
    refused.socket.destroy();
    assert.equal(refused.status, 403);
    assert.deepEqual(errors, []);
    await page.context().close();
  });

  test('rotating the token keeps this page working and ends the other sessions', async () => {
    const { page: rotating } = await openAppPage(browser, app, 'system');
    const { page: other } = await openAppPage(browser, app, 'system');
    await rotating.getByRole('button', { name: 'Rotate token…' }).click();
    await rotating.getByRole('button', { name: 'Rotate and end other sessions' }).click();
    await other.getByTestId('unauthorized').waitFor({ timeout: 10_000 });
    // The rotating page reloaded with the new token and is connected again.
    await rotating
      .getByTestId('connection-status')
      .filter({ hasText: 'Connected' })
      .waitFor({ timeout: 15_000 });
    await rotating.getByTestId('data-dir').waitFor({ timeout: 10_000 });
    const stored = await rotating.evaluate<string | null>("sessionStorage.getItem('fieldbench.token')");
    assert.ok(stored && stored !== app.token, 'the page keeps the new token');
    // The old token no longer opens the UI.
    const stale = await browser.newContext();
    const page = await stale.newPage();
    await page.goto(`${app.url}#token=${app.token}`);
    await page.getByTestId('unauthorized').waitFor({ timeout: 10_000 });
    await stale.close();
    app.token = stored;
    await rotating.context().close();
    await other.context().close();
  });
});
