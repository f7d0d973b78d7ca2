import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, screenshotPath } from '../helpers/browser';
import { type RunningMosquitto, startMosquittoTls } from '../helpers/mosquitto-broker';
import { createTestPki, type TestPki } from '../helpers/openssl-pki';
import { tempDir } from '../helpers/temp-dir';
import { type App, openPage, revealAndSelect, row, startApp } from './explorer-helpers';
import { mosquittoPub } from '../helpers/mosquitto-clients';

async function fillProfile(page: Page, name: string, port: number, ca: string, pki: TestPki): Promise<void> {
  await page.getByRole('button', { name: 'New profile' }).click();
  await page.getByTestId('profile-name').fill(name);
  await page.getByTestId('profile-protocol').selectOption('mqtts');
  await page.getByTestId('profile-host').fill('127.0.0.1');
  await page.getByTestId('profile-port').fill(String(port));
  // The CA is picked as a file, the client certificate and key are pasted.
  await page.getByTestId('profile-ca-file').setInputFiles(ca);
  await page.waitForFunction(() =>
    (
      (document.querySelector('[data-testid="profile-ca"]') as unknown as { value: string })?.value ?? ''
    ).includes('BEGIN'),
  );
  await page.getByTestId('profile-cert').fill(fs.readFileSync(pki.client.cert, 'utf8'));
  await page.getByTestId('profile-key').fill(fs.readFileSync(pki.client.key, 'utf8'));
  await page.getByTestId('profile-sub-0').fill('ext/#');
}

describe('Explorer with an external broker over mutual TLS', () => {
  let app: App;
  let browser: Browser;
  let pki: TestPki;
  let mosquitto: RunningMosquitto;

  before(async () => {
    const dir = tempDir('fb-explorer-ext-');
    pki = createTestPki(path.join(dir, 'pki'));
    mosquitto = await startMosquittoTls({
      dir: pki.dir,
      cafile: pki.ca,
      certfile: pki.server.cert,
      keyfile: pki.server.key,
      settings: ['allow_anonymous true'],
    });
    app = await startApp(path.join(dir, 'data'));
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await app?.cli.stop();
    await mosquitto?.stop();
  });

  const tlsPub = (topic: string, payload: string) =>
    mosquittoPub(mosquitto.port, topic, payload, {
      extra: ['--cafile', pki.ca, '--cert', pki.client.cert, '--key', pki.client.key],
    });

  test('a profile with a client certificate connects and shows the broker’s traffic', async () => {
    const { page, errors } = await openPage(browser, app);
    await page.getByTestId('profiles-toggle').click();
    await page.getByTestId('profile-editor').waitFor();
    // Validation as you type.
    await page.getByTestId('profile-port').fill('70000');
    await page.getByText('A port is a whole number from 1 to 65535.').waitFor();
    await fillProfile(page, 'lab mosquitto', mosquitto.port, pki.ca, pki);
    await page.getByTestId('profile-connect').click();
    const chip = page.locator('.connection-chip.state-connected', { hasText: 'lab mosquitto' });
    await chip.waitFor({ timeout: 20_000 });
    assert.equal(await chip.getAttribute('aria-selected'), 'true');
    await tlsPub('ext/line1/temp', '{"t":21.5}');
    await tlsPub('ext/line1/temp', '{"t":22.5}');
    await tlsPub('other/ignored', 'not subscribed');
    await row(page, 'ext').waitFor({ timeout: 15_000 });
    await page.waitForFunction(
      () => document.querySelector('[data-path="ext"] .node-count')?.textContent === '2',
      undefined,
      { timeout: 15_000 },
    );
    assert.equal(await row(page, 'other').count(), 0, 'only subscribed topics arrive');
    await page.getByTestId('profiles-toggle').click();
    // MQTT 5 properties of a message are shown with it.
    await mosquittoPub(mosquitto.port, 'ext/line1/props', '{"t":23}', {
      extra: ['--cafile', pki.ca, '--cert', pki.client.cert, '--key', pki.client.key, '-V', 'mqttv5']
        .concat(['-D', 'publish', 'content-type', 'application/json'])
        .concat(['-D', 'publish', 'user-property', 'site', 'north']),
    });
    await revealAndSelect(page, 'ext/line1/props');
    const props = page.getByTestId('mqtt-properties');
    await props.waitFor({ timeout: 10_000 });
    assert.match((await props.textContent()) ?? '', /contentType\s*application\/json/);
    assert.match((await props.textContent()) ?? '', /north/);
    await page.screenshot({ path: screenshotPath('explorer-external-tls') });
    assert.deepEqual(errors, []);
    await page.context().close();
  });

  test('subscriptions change live; profiles import from a URL and export without secrets', async () => {
    const { page, errors } = await openPage(browser, app);
    await page.getByTestId('profiles-toggle').click();
    await page.getByRole('button', { name: /^lab mosquitto/ }).click();
    await page.getByTestId('profile-sub-0').fill('other/#');
    await page.getByRole('button', { name: 'Apply to live connection' }).click();
    await page.getByText('Subscriptions of lab mosquitto updated.').waitFor({ timeout: 10_000 });
    await page.getByTestId('profiles-toggle').click();
    await page.locator('.connection-chip', { hasText: 'lab mosquitto' }).click();
    await tlsPub('other/now-seen', 'hello');
    await row(page, 'other').waitFor({ timeout: 15_000 });
    // Import from a URL: the parts land in the form; the password is stored, never shown.
    await page.getByTestId('profiles-toggle').click();
    await page.getByTestId('import-url').fill('mqtts://operator:s3cret-pass@broker.example.test:8884');
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    await page.getByTestId('profile-host').and(page.locator('[value="broker.example.test"]')).waitFor();
    assert.equal(await page.getByTestId('profile-port').inputValue(), '8884');
    assert.equal(await page.getByTestId('profile-protocol').inputValue(), 'mqtts');
    assert.equal(await page.getByTestId('profile-username').inputValue(), 'operator');
    assert.equal(await page.getByTestId('profile-password').inputValue(), '');
    assert.match((await page.getByTestId('profile-password').getAttribute('placeholder')) ?? '', /stored/);
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export (without secrets)' }).click(),
    ]);
    const exported = fs.readFileSync(await download.path(), 'utf8');
    assert.match(exported, /broker\.example\.test/);
    assert.doesNotMatch(exported, /s3cret-pass/);
    assert.doesNotMatch(exported, /BEGIN (EC )?PRIVATE KEY/);
    assert.deepEqual(errors, []);
    await page.context().close();
  });

  test('a wrong CA shows the TLS reason in plain words with the server chain', async () => {
    const { page } = await openPage(browser, app);
    await page.getByTestId('profiles-toggle').click();
    await fillProfile(page, 'wrong CA', mosquitto.port, pki.otherCa, pki);
    await page.getByTestId('profile-connect').click();
    const note = page.getByTestId('connection-error');
    await note.waitFor({ timeout: 20_000 });
    const text = (await note.textContent()) ?? '';
    assert.match(text, /TLS failed/);
    assert.match(text, /not trusted|not issued by a trusted CA|self-signed/i);
    assert.match(text, /Certificate chain presented by the server/);
    assert.match(text, /CN=fieldbench-server/);
    await page.screenshot({ path: screenshotPath('explorer-external-bad-ca'), fullPage: true });
    await page.context().close();
  });
});
