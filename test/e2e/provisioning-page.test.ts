import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { defaultBundle, runProvisioningAgent } from '../../main/provisioning/agent';
import { TestApiClient } from '../helpers/api-client';
import { launchChromium, openAppPage, screenshotPath } from '../helpers/browser';
import { loopbackArgs, type RunningCli, startCli } from '../helpers/cli-process';
import { tempDir } from '../helpers/temp-dir';

describe('Provisioning page in Chromium against the headless app', () => {
  let app: RunningCli;
  let api: TestApiClient;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  let mqttsPort: number;

  before(async () => {
    app = await startCli(loopbackArgs('serve', tempDir(), '--mqtts-port', '0'));
    const m = /mqtts 127\.0\.0\.1:(\d+)/.exec(app.readyLine);
    assert.ok(m, `mqtts port in the ready line: ${app.readyLine}`);
    mqttsPort = Number(m[1]);
    api = await TestApiClient.connect(app.url, app.token);
    const root = (await api.call('accounts.list', {})).accounts.find((a) => a.parentId === null)!;
    const local = (await api.call('services.list', {})).services.find((s) => s.kind === 'embedded')!;
    await api.call('accounts.create', { parentId: root.id, name: 'acme', serviceId: local.id });
    browser = await launchChromium();
    ({ page, errors } = await openAppPage(browser, app, 'provisioning'));
  });
  after(async () => {
    await browser?.close();
    api?.close();
    await app?.stop();
  });

  test('a request created in the page reaches COMPLETED on its live timeline for a simulated device', async () => {
    const identity = { mac: '02:FB:E2:00:00:01', serial: 'E2E-1', model: 'FB-E2E', firmware: '1.0' };
    const bundle = defaultBundle(identity, {
      'broker-url': `mqtts://localhost:${mqttsPort}`,
      password: 'page-secret-1',
      timeout: 15,
      'retry-max-attempts': 1,
    });
    const form = page.getByTestId('provisioning-create');
    await form.getByLabel('Target account').selectOption({ label: 'acme' });
    await form.getByLabel('Client id').fill(bundle['client-id']);
    await form.getByLabel('Provision username').fill(bundle.username);
    await form.getByLabel('Provision password').fill(bundle.password);
    await form.getByTestId('provisioning-create-submit').click();
    const key = (await page
      .getByTestId('provisioning-activation-key')
      .textContent({ timeout: 10_000 }))!.trim();
    assert.equal(key.length, 32, 'the activation key is shown once');
    const detail = page.getByTestId('provisioning-detail');
    await detail.getByTestId('provisioning-detail-status').filter({ hasText: 'CREATED' }).waitFor();

    await detail.getByTestId('provisioning-export').click();
    const exported = await detail.getByTestId('provisioning-bundle').textContent();
    assert.match(exported ?? '', new RegExp(`"client-id": "${bundle['client-id']}"`));
    assert.match(
      exported ?? '',
      new RegExp(`activation-key=${key}`),
      'the page still holds the key for export',
    );

    const { authorities } = await api.call('pki.listAuthorities', {});
    const ca = authorities.find((a) => a.role === 'root')!.certificatePem;
    await runProvisioningAgent({ ...bundle, 'activation-key': key }, identity, { trustedCaPem: ca });

    const timeline = detail.getByTestId('provisioning-timeline');
    try {
      await timeline.locator('li[data-status="COMPLETED"]').waitFor({ timeout: 15_000 });
    } catch (err) {
      await page.screenshot({ path: screenshotPath('provisioning-page-timeline'), fullPage: true });
      throw err;
    }
    for (const status of ['STARTED', 'RUNNING', 'CONF_UPDATED', 'APPS_INSTALLED']) {
      assert.equal(
        await timeline.locator(`li[data-status="${status}"]`).count(),
        1,
        `${status} on the timeline`,
      );
    }
    await page
      .getByTestId(`provisioning-row-${bundle['client-id']}`)
      .getByText('COMPLETED')
      .waitFor({ timeout: 5_000 });
    assert.deepEqual(errors, []);
  });
});
