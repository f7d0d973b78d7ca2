import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { MethodName, RequestOf, ResponseOf } from '../../preload/contract';
import { TestApiClient } from '../helpers/api-client';
import { launchChromium, openAppPage, screenshotPath } from '../helpers/browser';
import { loopbackArgs, type RunningCli, startCli } from '../helpers/cli-process';
import { listenerPort } from '../helpers/mosquitto-clients';
import { tempDir } from '../helpers/temp-dir';
import { waitFor } from '../helpers/wait-for';
import { OnboardingBench } from './setup';

/** The same bench, against the headless app over its operator WebSocket. */
class CliBench extends OnboardingBench {
  app!: RunningCli;
  api!: TestApiClient;

  override call<M extends MethodName>(method: M, request: RequestOf<M>): Promise<ResponseOf<M>> {
    return this.api.call(method, request);
  }

  override async start(): Promise<void> {
    this.app = await startCli(loopbackArgs('serve', this.dir, '--mqtts-mutual-port', '0'));
    this.api = await TestApiClient.connect(this.app.url, this.app.token);
    this.ports = {
      mqtt: listenerPort(this.app.readyLine, 'mqtt'),
      mutual: listenerPort(this.app.readyLine, 'mqtts-mutual'),
    };
    this.serverCa = (await this.call('pki.listAuthorities', {})).authorities.find(
      (a) => a.role === 'root',
    )!.certificatePem;
  }

  override async stop(): Promise<void> {
    for (const client of this.clients.splice(0)) client.end(true);
    this.api?.close();
    await this.app?.stop();
  }
}

describe('the Onboarding page in Chromium against the headless app', () => {
  const dir = tempDir();
  const bench = new CliBench(dir);
  let browser: Browser;
  let page: Page;
  let errors: string[];

  before(async () => {
    await bench.start();
    await bench.createTenants();
    await bench.waitForTrust('acme');
    browser = await launchChromium();
    ({ page, errors } = await openAppPage(browser, bench.app, 'onboarding'));
    page.setDefaultTimeout(20_000);
  });

  after(async () => {
    await browser?.close();
    await bench.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('the operator switches an account to eu1 with delay 0, sees the agent onboard live and its timeline', async () => {
    try {
      await page.getByTestId('account-picker').selectOption(bench.accounts.acme);
      await page
        .getByTestId('onboarding-scope')
        .filter({ hasText: /0ne[0-9A-F]{8}/ })
        .waitFor();
      await page.getByTestId('onboarding-mode-eu1').check();
      await page.getByTestId('onboarding-delay').fill('0');
      await page.getByTestId('onboarding-save').click();
      await waitFor(
        async () =>
          (await bench.call('onboarding.settings.get', { accountId: bench.accounts.acme })).mode === 'eu1',
        'the mode saved',
      );
      const settings = await bench.call('onboarding.settings.get', { accountId: bench.accounts.acme });
      assert.equal(settings.reconnectDelaySeconds, 0);

      const cert = bench.issue('acme', 'PageAgent');
      const first = await bench.connectAgent('acme_PageAgent', cert);
      await new Promise((resolve) => first.once('disconnect', resolve));
      const row = page.getByTestId('agent-acme_PageAgent');
      await row.waitFor();
      await row.getByTestId('agent-state').filter({ hasText: 'awaiting-reconnect' }).waitFor();
      await bench.connectAgent('acme_PageAgent', cert);
      await row.getByTestId('agent-state').filter({ hasText: 'onboarded · connected' }).waitFor();

      await row.getByRole('button', { name: 'acme_PageAgent' }).click();
      const timeline = page.getByTestId('agent-timeline');
      await timeline.filter({ hasText: 'reconnected' }).waitFor();
      const kinds = await timeline.locator('li strong').allTextContents();
      assert.deepEqual(kinds, ['connected', 'created', 'disconnected', 'reconnected']);
      assert.deepEqual(errors, []);
    } catch (err) {
      await page.screenshot({ path: screenshotPath('onboarding-page-failed'), fullPage: true });
      throw err;
    }
  });

  test('the ALPN port preset makes a mutual-TLS listener for x-amzn-mqtt-ca with SNI required; an agent connects through it', async () => {
    const broker = (await openAppPage(browser, bench.app, 'broker')).page;
    try {
      await broker.getByTestId('add-listener').click();
      const form = broker.getByTestId('listener-form');
      await form.getByTestId('listener-preset-alpn').click();
      assert.equal(await form.getByLabel('Port', { exact: true }).inputValue(), '443');
      assert.equal(await form.getByLabel('ALPN protocols').inputValue(), 'x-amzn-mqtt-ca');
      assert.equal(await form.getByLabel('Require SNI', { exact: false }).isChecked(), true);
      // 443 needs privileges here; any free port shows the preset works.
      await form.getByLabel('Port', { exact: true }).fill('0');
      await form.getByRole('button', { name: 'Add listener' }).click();
      const created = await waitFor(async () => {
        const { listeners } = await bench.call('listeners.list', {});
        return listeners.find(
          (l) => l.options.alpnProtocols.includes('x-amzn-mqtt-ca') && l.state === 'running',
        );
      }, 'the ALPN listener running');
      assert.equal(created.kind, 'mqtts-mutual');
      assert.equal(created.options.requireSni, true);

      const cert = bench.issue('acme', 'AlpnAgent');
      await bench.call('onboarding.settings.update', { accountId: bench.accounts.acme, mode: 'strict' });
      bench.ports.mutual = created.boundPort!;
      const agent = await waitFor(
        () =>
          bench.connectAgent('AlpnAgent', cert, {
            ALPNProtocols: ['x-amzn-mqtt-ca'],
            servername: 'localhost',
          }),
        'the agent through the ALPN listener',
        30_000,
      );
      assert.equal((agent.stream as unknown as { alpnProtocol?: string }).alpnProtocol, 'x-amzn-mqtt-ca');
      await broker.context().close();
    } catch (err) {
      await broker.screenshot({ path: screenshotPath('onboarding-alpn-failed'), fullPage: true });
      throw err;
    }
  });
});
