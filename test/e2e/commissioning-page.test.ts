import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { SimulatedGateway } from '../../main/serial';
import { TestApiClient } from '../helpers/api-client';
import { launchChromium, openAppPage, screenshotPath } from '../helpers/browser';
import { loopbackArgs, type RunningCli, startCli } from '../helpers/cli-process';
import { tempDir } from '../helpers/temp-dir';
import { type PtyPair, ptyPair } from '../serial/pty';

describe('Serial commissioning page in Chromium against the headless app', () => {
  let app: RunningCli;
  let api: TestApiClient;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  let pty: PtyPair;
  let gateway: SimulatedGateway;
  const identity = { mac: '02:FB:E5:00:00:01', serial: 'E2E-SER-1', model: 'FB-GW', firmware: '1.0.0' };

  before(async () => {
    app = await startCli(loopbackArgs('serve', tempDir(), '--mqtts-port', '0'));
    api = await TestApiClient.connect(app.url, app.token);
    const root = (await api.call('accounts.list', {})).accounts.find((a) => a.parentId === null)!;
    const local = (await api.call('services.list', {})).services.find((s) => s.kind === 'embedded')!;
    await api.call('accounts.create', { parentId: root.id, name: 'acme', serviceId: local.id });
    const dir = tempDir('fb-e2e-serial-');
    pty = await ptyPair(dir);
    gateway = new SimulatedGateway({ identity, stateFile: path.join(dir, 'flash.json'), bootMs: 100 });
    await gateway.attach(pty.device);
    browser = await launchChromium();
    ({ page, errors } = await openAppPage(browser, app, 'commissioning'));
  });
  after(async () => {
    await browser?.close();
    api?.close();
    await gateway?.stop();
    await pty?.kill();
    await app?.stop();
  });

  test('a port added in the page is commissioned with visible progress and a verifiable record', async () => {
    await page.getByTestId('add-port-path').fill(pty.host);
    await page.getByTestId('add-port').click();
    await page.getByTestId(`pick-${pty.host}`).check({ timeout: 10_000 });
    await page.getByTestId('target-account').selectOption({ label: 'acme' });
    await page.getByTestId('start-commissioning').click();
    const step = page.getByTestId(`run-step-${pty.host}`);
    try {
      await step.filter({ hasText: 'done' }).waitFor({ timeout: 45_000 });
    } catch (err) {
      await page.screenshot({ path: screenshotPath('commissioning-page'), fullPage: true });
      throw err;
    }
    await page.getByTestId(`verify-${identity.serial}`).click({ timeout: 10_000 });
    const verdict = await page.getByTestId(`verdict-${identity.serial}`).textContent({ timeout: 10_000 });
    assert.match(verdict ?? '', /^valid: signed by Fieldbench's CA/);
    const { records } = await api.call('commissioning.records', { search: identity.serial });
    assert.equal(records[0]?.result, 'succeeded');

    // The raw console on the same port: a typed protocol request and the device's answer.
    const panel = page.getByTestId('commissioning-console');
    await panel.getByTestId('console-port').selectOption(pty.host);
    await panel.getByTestId('console-open').click();
    await panel.getByTestId('console-close').waitFor();
    const { encodeFrame } = await import('../../main/serial/frames');
    const hello = encodeFrame({ id: 77, op: 'hello', args: { protocol: 1 } })
      .toString()
      .trim();
    await panel.getByTestId('console-input').fill(hello);
    await panel.getByTestId('console-send').click();
    await panel
      .getByTestId('console-output')
      .filter({ hasText: '"id":77,"ok":true' })
      .waitFor({ timeout: 10_000 });
    await panel.getByTestId('console-close').click();
    assert.deepEqual(errors, []);
  });
});
