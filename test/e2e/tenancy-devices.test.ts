import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, test } from 'node:test';
import type { MqttClient } from 'mqtt';
import type { Browser, Page } from 'playwright-core';
import { TestApiClient, accountIdByName } from '../helpers/api-client';
import { launchChromium, screenshotPath, navigateTo } from '../helpers/browser';
import { loopbackArgs, type RunningCli, startCli } from '../helpers/cli-process';
import { tempDir } from '../helpers/temp-dir';
import { waitFor } from '../helpers/wait-for';
import { type ConnectOutcome, endAll, tryConnect } from '../helpers/mqtt-client';

const NOT_AUTHORIZED = 0x87;

/** What a connect attempt came to, for assertion messages (a connected client is not serialisable). */
const outcome = (o: ConnectOutcome) => (o.ok ? 'connected' : `${o.message} (${o.reasonCode})`);

describe('Device reservations and messaging-service deletion in Chromium against the headless app', () => {
  let app: RunningCli;
  let dataDir: string;
  let browser: Browser;
  let page: Page;
  let api: TestApiClient;
  let mqttUrl: string;
  const consoleErrors: string[] = [];
  const clients: MqttClient[] = [];

  const nav = (title: string, testId: string) => navigateTo(page, title, testId);
  const accountId = (name: string) => accountIdByName(api, name);
  /** mqtt.js over loopback to the app's MQTT listener; connected clients are closed after the suite. */
  const connect = async (clientId: string, username: string, password: string) => {
    const result = await tryConnect(mqttUrl, { clientId, username, password });
    if (result.ok) clients.push(result.client);
    return result;
  };
  const details = () => page.getByTestId('device-details');
  /** Adds a device record on the Connections page and opens its details. */
  const prepareDevice = async (clientId: string) => {
    await page.getByTestId('add-device-client-id').fill(clientId);
    await page.getByTestId('add-device').click();
    await page.getByTestId(`connection-${clientId}`).waitFor();
    await details().getByRole('heading', { name: clientId }).waitFor();
  };
  const saveDevice = async () => {
    await details().getByTestId('device-save').click();
    await details()
      .getByTestId('device-saved')
      .waitFor({ timeout: 10_000 })
      .catch(async (err) => {
        await page.screenshot({ path: screenshotPath('tenancy-devices-save-failed'), fullPage: true });
        throw new Error(`${(err as Error).message}\n${await details().textContent()}`);
      });
  };

  before(async () => {
    dataDir = tempDir();
    app = await startCli(loopbackArgs('serve', dataDir));
    const m = /mqtt 127\.0\.0\.1:(\d+)/.exec(app.readyLine);
    assert.ok(m, `MQTT port in the ready line: ${app.readyLine}`);
    mqttUrl = `mqtt://127.0.0.1:${m[1]}`;
    api = await TestApiClient.connect(app.url, app.token);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
    page.setDefaultTimeout(20_000);
    page.on(
      'console',
      (msg) => msg.type() === 'error' && consoleErrors.push(`${msg.text()} @ ${msg.location().url}`),
    );
    page.on('pageerror', (e) => consoleErrors.push(e.message));
    await page.goto(`${app.url}#token=${app.token}`);
    await page.getByTestId('connection-status').filter({ hasText: 'Connected' }).waitFor({ timeout: 15_000 });
  });

  after(async () => {
    await endAll(...clients);
    api?.close();
    await browser?.close();
    await app?.stop();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  test('a credential reserved on the Connections page is refused to other devices under strict coupling; its owner connects', async () => {
    const local = (await api.call('services.list', {})).services.find((s) => s.kind === 'embedded')!;
    const fleet = await api.call('accounts.create', {
      parentId: await accountId('sys'),
      name: 'fleet',
      serviceId: local.id,
      userCoupling: 'strict',
    });
    const pumpCred = await api.call('credentials.create', {
      accountId: fleet.id,
      username: 'fleet-pump',
      password: 'Amber-Valve-3141',
    });
    await api.call('credentials.create', {
      accountId: fleet.id,
      username: 'fleet-spare',
      password: 'Cobalt-Spare-2718',
    });

    await nav('Connections', 'tenancy-connections-page');
    await page.getByTestId('account-picker').selectOption(fleet.id);
    await page
      .getByTestId('connections-count')
      .filter({ hasText: /\b0 of 0\b/ })
      .waitFor();

    // The device has never connected: prepare its record, then reserve the credential for it.
    await prepareDevice('pump-1');
    assert.equal(await details().getByTestId('device-reserved').textContent(), 'none');
    assert.match(
      (await details().getByTestId('device-effective-coupling').textContent()) ?? '',
      /^strict \(as the account\)/,
    );
    const picker = details().getByTestId('device-reserved-credential');
    await waitFor(async () => (await picker.locator('option').count()) === 3, 'none + two credentials');
    await picker.selectOption({ label: 'fleet-pump' });
    await details()
      .getByTestId('device-coupling-hint')
      .filter({ hasText: 'must log in with its reserved credential' })
      .waitFor();
    await saveDevice();
    await details().getByTestId('device-reserved').filter({ hasText: 'fleet-pump' }).waitFor();
    await page.getByTestId('reserved-pump-1').filter({ hasText: 'fleet-pump' }).waitFor();
    const [record] = (await api.call('connections.list', { accountId: fleet.id })).connections;
    assert.equal(record?.clientId, 'pump-1');
    assert.equal(record?.reservedCredentialId, pumpCred.id, 'the UI saved the reservation');
    await page.screenshot({ path: screenshotPath('tenancy-devices-reserved'), fullPage: true });

    // Another device with the reserved credential: refused at CONNECT (strict coupling).
    const thief = await connect('pump-2', 'fleet-pump', 'Amber-Valve-3141');
    assert.ok(
      !thief.ok && thief.reasonCode === NOT_AUTHORIZED && /reserved for another device/.test(thief.message),
      outcome(thief),
    );
    // The owner with a different credential: refused as well.
    const wrongCred = await connect('pump-1', 'fleet-spare', 'Cobalt-Spare-2718');
    assert.ok(
      !wrongCred.ok && /must use its reserved credential/.test(wrongCred.message),
      outcome(wrongCred),
    );
    // The owner with its reserved credential: connects, live on the page, bound to it.
    const owner = await connect('pump-1', 'fleet-pump', 'Amber-Valve-3141');
    assert.ok(owner.ok, outcome(owner));
    await waitFor(
      async () => (await page.getByTestId('connection-pump-1').getAttribute('data-status')) === 'connected',
      'pump-1 connected on the page',
    );
    await page.getByTestId('connection-pump-1').click();
    await details().getByTestId('device-bound').filter({ hasText: 'fleet-pump' }).waitFor();
    await endAll(owner.ok ? owner.client : undefined);

    // The other device's record (made by its refused attempt) shows the reservation as taken.
    await page.getByTestId('connection-pump-2').click();
    await details().getByRole('heading', { name: 'pump-2' }).waitFor();
    const taken = details()
      .getByTestId('device-reserved-credential')
      .locator('option', { hasText: 'fleet-pump' });
    await taken.filter({ hasText: 'reserved for pump-1' }).waitFor({ state: 'attached' });
    assert.equal(await taken.isDisabled(), true, 'a credential reserved for another device cannot be picked');

    // Clearing the reservation in the UI releases the credential to other devices.
    await page.getByTestId('connection-pump-1').click();
    await details().getByRole('heading', { name: 'pump-1' }).waitFor();
    await details().getByTestId('device-reserved-credential').selectOption({ label: 'none' });
    await saveDevice();
    await details().getByTestId('device-reserved').filter({ hasText: 'none' }).waitFor();
    assert.equal(await page.getByTestId('reserved-pump-1').count(), 0);
    const released = await connect('pump-2', 'fleet-pump', 'Amber-Valve-3141');
    assert.ok(released.ok, outcome(released));
    await endAll(released.ok ? released.client : undefined);
  });

  test('a per-device strict override set in the UI enforces the reservation inside a loose account', async () => {
    const local = (await api.call('services.list', {})).services.find((s) => s.kind === 'embedded')!;
    const lab = await api.call('accounts.create', {
      parentId: await accountId('sys'),
      name: 'lab',
      serviceId: local.id,
    });
    assert.equal(lab.userCoupling, 'loose');
    await api.call('credentials.create', {
      accountId: lab.id,
      username: 'lab-a',
      password: 'Lab-Alpha-1618',
    });
    await api.call('credentials.create', {
      accountId: lab.id,
      username: 'lab-b',
      password: 'Lab-Bravo-1414',
    });

    // The page loads the account list when it opens: visit it again to see the new account.
    await nav('Accounts', 'tenancy-accounts-page');
    await nav('Connections', 'tenancy-connections-page');
    await page.getByTestId('account-picker').selectOption(lab.id);
    await page
      .getByTestId('connections-count')
      .filter({ hasText: /\b0 of 0\b/ })
      .waitFor();
    await prepareDevice('probe-1');
    const picker = details().getByTestId('device-reserved-credential');
    await waitFor(async () => (await picker.locator('option').count()) === 3, 'none + two credentials');
    await picker.selectOption({ label: 'lab-a' });
    // Under the account's loose coupling the reservation would not be enforced, and the page says so.
    await details().getByTestId('device-coupling-hint').filter({ hasText: 'not enforced' }).waitFor();
    await details().getByTestId('device-coupling').selectOption('strict');
    await details().getByTestId('device-coupling-hint').filter({ hasText: 'reserved credential' }).waitFor();
    await saveDevice();
    await details()
      .getByTestId('device-effective-coupling')
      .filter({ hasText: 'strict (set for this device)' })
      .waitFor();
    const record = (await api.call('connections.list', { accountId: lab.id })).connections[0];
    assert.equal(record?.coupling, 'strict');

    const other = await connect('probe-1', 'lab-b', 'Lab-Bravo-1414');
    assert.ok(!other.ok && /must use its reserved credential/.test(other.message), outcome(other));
    const own = await connect('probe-1', 'lab-a', 'Lab-Alpha-1618');
    assert.ok(own.ok, outcome(own));
    await endAll(own.ok ? own.client : undefined);
  });

  test('Messaging services: an external service in use cannot be deleted (the message names the accounts); unused, it is deleted after confirmation', async () => {
    const edge = await api.call('accounts.create', { parentId: await accountId('sys'), name: 'edge' });
    await api.call('accounts.create', { parentId: edge.id, name: 'edge-site-1' });

    await nav('Messaging services', 'tenancy-services-page');
    // The embedded service offers no delete.
    await page.getByTestId('service-card-local').click();
    await page.getByTestId('service-delete-note').waitFor();
    assert.equal(await page.getByTestId('delete-service').count(), 0);

    await page.getByText('Declare an external broker cluster').click();
    const declare = page.locator('details.panel');
    await declare.getByLabel('Name').fill('cluster-x');
    await declare.getByLabel('Endpoint').fill('mqtts://mqtt.example.net:8883');
    await declare.getByRole('button', { name: 'Declare' }).click();
    await page.getByTestId('service-card-cluster-x').click();
    await page.getByTestId('service-tab-accounts').click();
    await page.getByTestId('assign-edge').click();
    await page.getByTestId('service-card-cluster-x').filter({ hasText: '1 account assigned' }).waitFor();

    // In use: the dialog warns, the server refuses and its message names the account.
    await page.getByTestId('delete-service').click();
    const dialog = page.getByTestId('confirm-dialog');
    await dialog.getByRole('heading', { name: 'Delete messaging service "cluster-x"?' }).waitFor();
    assert.match((await dialog.getByTestId('service-delete-users').textContent()) ?? '', /edge/);
    await dialog.getByTestId('confirm-button').click();
    const refusal = dialog.getByRole('alert');
    await refusal.waitFor();
    assert.match(
      (await refusal.textContent()) ?? '',
      /"cluster-x" is still used by account "edge" \(and 1 sub-account below, which inherit it\); assign it another service first/,
    );
    await page.screenshot({ path: screenshotPath('tenancy-services-delete-refused'), fullPage: true });
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'hidden' });
    assert.ok(
      (await api.call('services.list', {})).services.some((s) => s.name === 'cluster-x'),
      'nothing was deleted',
    );

    // Unassign in the UI; cancelling the confirmation keeps it; confirming deletes it.
    await page.getByTestId('assign-row-edge').getByRole('button', { name: 'Unassign' }).click();
    await page.getByTestId('service-card-cluster-x').filter({ hasText: '0 accounts assigned' }).waitFor();
    await page.getByTestId('delete-service').click();
    await dialog.getByText('No account uses it.').waitFor();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'hidden' });
    assert.equal(await page.getByTestId('service-card-cluster-x').count(), 1, 'cancel keeps it');

    await page.getByTestId('delete-service').click();
    await dialog.getByTestId('confirm-button').click();
    await page.getByTestId('service-card-cluster-x').waitFor({ state: 'detached' });
    await dialog.waitFor({ state: 'hidden' });
    assert.deepEqual(
      (await api.call('services.list', {})).services.map((s) => s.name),
      ['local'],
    );
    const audit = await api.call('audit.query', { action: 'services.delete' });
    assert.equal(audit.total, 1);
    assert.equal(audit.entries[0]?.target, 'service:cluster-x');
    assert.equal(audit.entries[0]?.transport, 'ws');
  });

  test('no errors in the browser console', () => {
    assert.deepEqual(consoleErrors, []);
  });
});
