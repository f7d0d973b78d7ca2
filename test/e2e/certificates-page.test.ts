import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import tls from 'node:tls';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import mqtt from 'mqtt';
import type { Browser, Page } from 'playwright-core';
import { TestApiClient } from '../helpers/api-client';
import { launchChromium, openAppPage, screenshotPath } from '../helpers/browser';
import { loopbackArgs, type RunningCli, startCli } from '../helpers/cli-process';
import { createCa, createCrl, createCsr, issueCert, readPem } from '../helpers/openssl-pki';
import { listenerPort } from '../helpers/mosquitto-clients';
import { tempDir } from '../helpers/temp-dir';

function openCertificates(browser: Browser, app: RunningCli, colorScheme: 'light' | 'dark') {
  return openAppPage(browser, app, 'certificates', {
    colorScheme,
    viewport: { width: 1440, height: 1100 },
    acceptDownloads: true,
  });
}

const certRow = (page: Page, cn: string) => page.locator(`[data-testid="cert-row"][data-cn="${cn}"]`);

async function download(page: Page, click: () => Promise<void>): Promise<Buffer> {
  const [file] = await Promise.all([page.waitForEvent('download', { timeout: 10_000 }), click()]);
  const saved = path.join(tempDir('fb-dl-'), file.suggestedFilename());
  await file.saveAs(saved);
  return fs.readFileSync(saved);
}

/** One file of a (deflated) ZIP, read by Python's zipfile. */
function zipEntry(zip: Buffer, name: string): string {
  const file = path.join(tempDir('fb-zip-'), 'bundle.zip');
  fs.writeFileSync(file, zip);
  const read =
    'import sys, zipfile; sys.stdout.write(zipfile.ZipFile(sys.argv[1]).read(sys.argv[2]).decode())';
  return execFileSync('python3', ['-c', read, file, name]).toString();
}

describe('Certificates page in Chromium against the headless app', () => {
  let app: RunningCli;
  let browser: Browser;
  let work: string;

  before(async () => {
    work = tempDir('fb-certs-');
    app = await startCli(
      loopbackArgs(
        'serve',
        tempDir(),
        '--mqtts-mutual-port',
        '0',
        // Root-namespace devices (no account) authenticate by their certificate alone.
        '--allow-anonymous',
      ),
    );
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await app?.stop();
  });

  test('issue, see in list and timeline, export, revoke', async () => {
    const { page, errors } = await openCertificates(browser, app, 'light');
    // The local root and issuing CA are listed.
    await page.getByTestId('authority').nth(1).waitFor({ timeout: 10_000 });
    assert.match(
      (await page.getByTestId('authority').allTextContents()).join(' '),
      /Root CA[\s\S]*Issuing CA|Issuing CA[\s\S]*Root CA/,
    );

    // The wizard is a modal dialog: focus starts in it and Escape closes it.
    await page.getByTestId('issue-button').click();
    const dialog = page.getByTestId('issue-dialog');
    await dialog.waitFor();
    assert.equal(
      await page.evaluate(() => document.activeElement?.id?.endsWith('-name')),
      true,
      'focus in the name field',
    );
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    // Issue through the wizard: validation first.
    await page.getByTestId('issue-button').click();
    await dialog.getByLabel('Client id', { exact: true }).fill('bad name!');
    await dialog.getByRole('alert').filter({ hasText: 'letters, digits' }).waitFor();
    await dialog.getByLabel('Client id', { exact: true }).fill('dev-ui-0001');
    assert.equal(await dialog.getByTestId('cn-preview').textContent(), 'dev-ui-0001');
    await dialog.getByLabel('Validity (days)').fill('0');
    await dialog.getByRole('alert').filter({ hasText: 'at least 1 day' }).waitFor();
    await dialog.getByLabel('Validity (days)').fill('20');
    await page.screenshot({ path: screenshotPath('certificates-issue-dialog') });
    await dialog.getByRole('button', { name: 'Issue certificate' }).click();
    await dialog.waitFor({ state: 'detached', timeout: 15_000 });
    await page.getByTestId('cert-notice').filter({ hasText: 'dev-ui-0001' }).waitFor();

    // In the list and on the timeline (20 days: inside the 30-day warning band).
    const row = certRow(page, 'dev-ui-0001');
    await row.waitFor({ timeout: 10_000 });
    const serial = (await row.getAttribute('data-serial'))!;
    assert.ok(serial.length > 0);
    assert.equal(await row.getByTestId('cert-status').textContent(), 'active');
    const bar = page.locator(`[data-testid="expiry-timeline"] [data-serial="${serial}"]`);
    assert.equal(
      await bar.getAttribute('data-state'),
      'expiring',
      'a 20-day certificate is drawn as a warning',
    );
    const box = await bar.locator('rect').boundingBox();
    assert.ok(box && box.width > 5, 'the validity bar has a width');
    assert.equal(await page.getByTestId('timeline-expiring').textContent(), '1');

    // Details: exports are real files.
    await page.getByTestId('certificate-details').waitFor();
    const pem = (
      await download(page, () => page.getByRole('button', { name: 'PEM (certificate + chain)' }).click())
    ).toString();
    assert.equal(pem.match(/-----BEGIN CERTIFICATE-----/g)?.length, 3, 'leaf, issuing CA and root');
    const leaf = path.join(work, 'leaf.pem');
    fs.writeFileSync(leaf, pem);
    assert.match(
      execFileSync('openssl', ['x509', '-in', leaf, '-noout', '-subject']).toString(),
      /CN ?= ?dev-ui-0001/,
    );
    await page.getByLabel('PKCS#12 password').fill('pw1');
    assert.equal(
      await page.getByRole('button', { name: 'PKCS#12 (.p12)' }).isDisabled(),
      true,
      'short password refused',
    );
    await page.getByLabel('PKCS#12 password').fill('s3cret-pass');
    const p12 = path.join(work, 'dev.p12');
    fs.writeFileSync(
      p12,
      await download(page, () => page.getByRole('button', { name: 'PKCS#12 (.p12)' }).click()),
    );
    const fromP12 = execFileSync('openssl', [
      'pkcs12',
      '-in',
      p12,
      '-passin',
      'pass:s3cret-pass',
      '-nodes',
    ]).toString();
    assert.match(fromP12, /PRIVATE KEY/);
    // Without an account there are no endpoints to pick: host and port are typed, and the login needs a user.
    assert.equal(await page.getByLabel('Bundle endpoint').count(), 0);
    await page.getByTestId('bundle-note').filter({ hasText: '-u/-P placeholders' }).waitFor();
    const zip = await download(page, () => page.getByRole('button', { name: /ZIP bundle/ }).click());
    assert.equal(zip.subarray(0, 2).toString(), 'PK', 'a ZIP file');
    assert.ok(zip.includes(Buffer.from('mosquitto_pub')), 'the bundle carries the mosquitto_pub command');
    assert.match(zipEntry(zip, 'mosquitto_pub.sh'), /-u 'USERNAME' -P 'PASSWORD'/, 'with login placeholders');

    // The exported key and certificate authenticate a device on the mutual-TLS listener.
    await page.getByLabel('include the private key').check();
    const withKey = (
      await download(page, () => page.getByRole('button', { name: 'PEM (certificate + chain)' }).click())
    ).toString();
    const blocks = withKey.match(/-----BEGIN [A-Z ]+-----[\s\S]+?-----END [A-Z ]+-----/g) ?? [];
    const keyPem = blocks.find((b) => b.includes('PRIVATE KEY'));
    assert.ok(keyPem, 'the private key is in the export');
    const certs = blocks.filter((b) => b.includes('BEGIN CERTIFICATE'));
    const mutualPort = listenerPort(app.readyLine, 'mqtts-mutual');
    const device = await mqtt.connectAsync(`mqtts://127.0.0.1:${mutualPort}`, {
      clientId: 'dev-ui-0001',
      key: keyPem,
      cert: certs[0],
      ca: certs.slice(1),
      reconnectPeriod: 0,
      connectTimeout: 5000,
    });
    assert.ok(device.connected, 'the device certificate is accepted before revocation');
    const droppedOnRevoke = new Promise<void>((resolve) => device.once('close', () => resolve()));

    // Revoke with a reason: the status changes in the details, the list and the timeline.
    await page.getByLabel('Revocation reason').selectOption('keyCompromise');
    await page.getByRole('button', { name: 'Revoke…' }).click();
    await page.getByRole('button', { name: 'Revoke dev-ui-0001 now' }).click();
    await page.getByTestId('details-status').filter({ hasText: 'revoked' }).waitFor({ timeout: 10_000 });
    // The device connected with it is dropped at once, not at its next handshake.
    await Promise.race([
      droppedOnRevoke,
      new Promise((_, reject) =>
        setTimeout(() => reject(new Error('still connected after revocation')), 10_000),
      ),
    ]);
    await row.getByTestId('cert-status').filter({ hasText: 'revoked' }).waitFor();
    assert.equal(await bar.getAttribute('data-state'), 'revoked');
    assert.match((await page.getByTestId('certificate-details').textContent()) ?? '', /Key compromise/);
    device.end(true);
    // A new connection with the revoked certificate fails its TLS handshake, and the failure is listed
    // (with its plain-language reason) in the section on this page.
    const refused = await new Promise<string>((resolve) => {
      const socket = tls.connect({
        host: '127.0.0.1',
        port: mutualPort,
        key: keyPem,
        cert: certs[0],
        ca: certs.slice(1),
      });
      const timer = setTimeout(() => {
        socket.destroy();
        resolve('still open');
      }, 5000);
      socket.on('error', (err) => {
        clearTimeout(timer);
        resolve(err.message);
      });
      socket.on('close', () => {
        clearTimeout(timer);
        resolve('closed');
      });
    });
    assert.notEqual(refused, 'still open', 'the revoked certificate is refused');
    await page
      .locator('.cert-failures')
      .filter({ hasText: /revoked/i })
      .waitFor({ timeout: 10_000 });
    const api = await TestApiClient.connect(app.url, app.token);
    const stored = await api.call('pki.getCertificate', { serial });
    assert.equal(stored.status, 'revoked');
    assert.equal(stored.revocationReason, 'keyCompromise');
    api.close();

    await page.screenshot({ path: screenshotPath('certificates-page'), fullPage: true });
    assert.deepEqual(errors, [], 'no errors in the browser console');
    await page.context().close();
  });

  test('batch issue 50 names from a CSV with a progress bar', async () => {
    const { page, errors } = await openCertificates(browser, app, 'light');
    await page.getByTestId('batch-button').click();
    const dialog = page.getByTestId('batch-dialog');
    const names = Array.from({ length: 50 }, (_, i) => `batch-${String(i + 1).padStart(4, '0')}`);
    await dialog.getByTestId('batch-csv').fill(['name', ...names, 'batch-0001'].join('\n'));
    await dialog.getByTestId('batch-count').filter({ hasText: '50 names (1 duplicates skipped)' }).waitFor();
    // Record every progress value the bar shows.
    // (A string: MutationObserver is a browser global the Node-side type check does not know.)
    await page.evaluate(`(() => {
      const seen = [];
      window.__progress = seen;
      new MutationObserver(() => {
        const el = document.querySelector('[data-testid="batch-progress"]');
        const v = el ? el.getAttribute('data-done') + '/' + el.getAttribute('data-total') : undefined;
        if (v && seen[seen.length - 1] !== v) seen.push(v);
      }).observe(document.body, { subtree: true, childList: true, attributes: true });
    })()`);
    await dialog.getByRole('button', { name: 'Issue 50 certificates' }).click();
    await dialog
      .getByTestId('batch-result')
      .filter({ hasText: 'Issued 50 certificates' })
      .waitFor({ timeout: 60_000 });
    const progress = dialog.getByTestId('batch-progress');
    assert.equal(await progress.getAttribute('data-done'), '50');
    assert.equal(await progress.getAttribute('data-total'), '50');
    await page.waitForFunction(
      () => Number(document.querySelector('[data-testid="batch-progress"]')?.getAttribute('data-events')) > 0,
      undefined,
      { timeout: 5000 },
    );
    assert.equal(
      await progress.locator('progress').evaluate((p: { value: number; max: number }) => p.value === p.max),
      true,
    );
    const seen = (await page.evaluate(() => (window as { __progress?: string[] }).__progress)) ?? [];
    assert.equal(seen[0], '0/50', `the bar started empty: ${seen.join(' ')}`);
    assert.equal(seen[seen.length - 1], '50/50');
    await page.screenshot({ path: screenshotPath('certificates-batch') });
    await dialog.getByRole('button', { name: 'Done' }).click();

    // 50 new certificates in the list.
    await page.getByTestId('cert-filter').fill('batch-');
    await page
      .getByTestId('cert-total')
      .filter({ hasText: /\b50 shown of 50\b/ })
      .waitFor({ timeout: 10_000 });
    assert.equal(await page.locator('[data-testid="expiry-timeline"] [data-state="valid"]').count(), 50);
    // Sorting by common name (numeric-aware): batch-0001 first, then batch-0050 first when reversed.
    await page.getByRole('button', { name: 'Sort by Common name' }).click();
    assert.equal(await page.getByTestId('cert-row').first().getAttribute('data-cn'), 'batch-0001');
    await page.getByRole('button', { name: 'Sort by Common name' }).click();
    assert.equal(await page.getByTestId('cert-row').first().getAttribute('data-cn'), 'batch-0050');
    const api = await TestApiClient.connect(app.url, app.token);
    const listed = await api.call('pki.listCertificates', { search: 'batch-', limit: 1000 });
    assert.equal(listed.total, 50, 'the server holds 50 batch certificates');
    assert.equal(new Set(listed.items.map((c) => c.batchId)).size, 1, 'all from one batch');
    api.close();
    assert.deepEqual(errors, []);
    await page.context().close();
  });

  test('tenant CA proof of possession, and a CSR issued with an account-prefixed CN', async () => {
    const api = await TestApiClient.connect(app.url, app.token);
    const { accounts } = await api.call('accounts.list', {});
    const root = accounts.find((a) => a.parentId === null)!;
    const account = await api.call('accounts.create', { parentId: root.id, name: 'acme-sensors' });
    api.close();
    const ca = createCa(work, 'tenant-ca', { subject: '/O=Acme/CN=Acme Device CA' });

    const { page, errors } = await openCertificates(browser, app, 'light');
    await page.getByTestId('register-tenant-ca').click();
    const dialog = page.getByTestId('tenant-ca-dialog');
    await dialog.getByLabel('Account', { exact: true }).selectOption(account.id);
    await dialog.getByLabel(/CA certificate \(PEM\)/).fill(readPem(ca.cert));
    await dialog.getByRole('button', { name: 'Get a registration code' }).click();
    const code = (
      (await dialog.getByTestId('registration-code').textContent({ timeout: 10_000 })) ?? ''
    ).trim();
    assert.ok(code.length >= 8, `a registration code is shown: ${code}`);
    // Prove possession: a certificate with the code as CN, signed by the CA key.
    const proof = issueCert(ca, 'ver', { subject: `/CN=${code}`, days: 1 });
    // A certificate the CA did not sign is refused in place.
    await dialog.getByLabel('Verification certificate (PEM)').fill(readPem(ca.cert));
    await dialog.getByRole('button', { name: 'Verify and accept the CA' }).click();
    await dialog.getByRole('alert').first().waitFor({ timeout: 10_000 });
    await dialog.getByLabel('Verification certificate (PEM)').fill(readPem(proof.cert));
    await dialog.getByRole('button', { name: 'Verify and accept the CA' }).click();
    await dialog.getByText('Accepted:').waitFor({ timeout: 10_000 });
    await dialog.getByRole('button', { name: 'Done' }).click();
    // Tenant CAs are listed by account name, not id.
    const tenantRow = page.getByTestId('tenant-ca-row').filter({ hasText: 'acme-sensors' });
    await tenantRow.filter({ hasText: 'accepted' }).waitFor({ timeout: 10_000 });

    // The tenant's own CRL, made with openssl ca, is stored through the UI.
    const crlFile = createCrl(ca);
    await tenantRow.getByRole('button', { name: 'Upload CRL' }).click();
    const crlDialog = page.getByTestId('tenant-crl-dialog');
    await crlDialog.getByLabel('CRL (PEM)').fill('not a crl');
    assert.equal(await crlDialog.getByRole('button', { name: 'Store CRL' }).isDisabled(), true);
    await crlDialog.getByLabel('CRL (PEM)').fill(readPem(crlFile));
    await crlDialog.getByRole('button', { name: 'Store CRL' }).click();
    await crlDialog.waitFor({ state: 'detached', timeout: 10_000 });
    await tenantRow.getByRole('button', { name: 'Replace CRL' }).waitFor({ timeout: 10_000 });

    // Issue from a device CSR under the account with the account-prefixed convention.
    const device = createCsr(work, 'dev', { subject: '/CN=pump-7' });
    await page.getByTestId('issue-button').click();
    const issue = page.getByTestId('issue-dialog');
    await issue.getByLabel(/paste its CSR/).check();
    await issue.getByLabel('CSR (PEM)').fill(readPem(device.csr));
    await issue.getByLabel('Account', { exact: true }).selectOption(account.id);
    await issue.getByLabel(/account name \+ _ \+ device name/).check();
    await issue.getByLabel('Device name', { exact: true }).fill('pump-7');
    // The Insights Hub convention: the account's name, not its id.
    assert.equal(await issue.getByTestId('cn-preview').textContent(), 'acme-sensors_pump-7');
    await issue.getByRole('button', { name: 'Issue certificate' }).click();
    await issue.waitFor({ state: 'detached', timeout: 15_000 });
    const row = certRow(page, 'acme-sensors_pump-7');
    await row.waitFor({ timeout: 10_000 });
    assert.match((await row.textContent()) ?? '', /CSR/);
    assert.match(
      (await page.getByTestId('certificate-details').textContent()) ?? '',
      /key held by the device/,
    );
    assert.deepEqual(errors, []);
    await page.context().close();
  });

  test('the ZIP bundle targets an endpoint picked from the account, and the device is recorded as provisioned', async () => {
    const mutualPort = listenerPort(app.readyLine, 'mqtts-mutual');
    const api = await TestApiClient.connect(app.url, app.token);
    const root = (await api.call('accounts.list', {})).accounts.find((a) => a.parentId === null)!;
    const account = await api.call('accounts.create', { parentId: root.id, name: 'bundle-co' });
    const endpoint = await api.call('endpoints.create', {
      accountId: account.id,
      scheme: 'mqtts',
      domain: 'localhost',
      port: mutualPort,
    });
    const cert = await api.call('pki.issueDevice', {
      name: 'valve-2',
      accountId: account.id,
      commonNameStyle: 'account-prefixed',
    });
    assert.equal(cert.commonName, 'bundle-co_valve-2');

    const { page, errors } = await openCertificates(browser, app, 'light');
    await page.getByTestId('cert-filter').fill('bundle-co_valve-2');
    await certRow(page, 'bundle-co_valve-2').getByRole('button', { name: 'bundle-co_valve-2' }).click();
    const details = page.getByTestId('certificate-details');
    await details.waitFor();
    // The account is shown by name.
    assert.match((await details.textContent()) ?? '', /account bundle-co/);
    const picker = details.getByLabel('Bundle endpoint');
    await picker
      .locator('option', { hasText: `mqtts://localhost:${mutualPort}` })
      .waitFor({ state: 'attached' });
    assert.equal(await picker.inputValue(), endpoint.id, 'the account endpoint is preselected');
    // Manual entry stays available as a fallback.
    await picker.selectOption({ label: 'Enter host and port…' });
    await details.getByLabel('Broker host').waitFor();
    await picker.selectOption(endpoint.id);
    assert.equal(await details.getByLabel('Broker host').count(), 0);
    await details.getByTestId('bundle-note').filter({ hasText: 'recorded as provisioned' }).waitFor();
    const zip = await download(page, () => details.getByRole('button', { name: /ZIP bundle/ }).click());
    const script = zipEntry(zip, 'mosquitto_pub.sh');
    assert.match(script, new RegExp(`-h 'localhost' -p ${mutualPort} `));
    assert.match(script, /-i 'bundle-co_valve-2'/);
    assert.doesNotMatch(script, /USERNAME/, 'an account-bound certificate needs no username');

    const devices = (await api.call('connections.list', { accountId: account.id })).connections;
    assert.equal(devices.find((d) => d.clientId === 'bundle-co_valve-2')?.provisionedEndpointId, endpoint.id);
    api.close();
    await page.screenshot({ path: screenshotPath('certificates-bundle-endpoint') });
    assert.deepEqual(errors, []);
    await page.context().close();
  });

  test('a tenant CRL due within 7 days is warned about; a DER certificate verifies against the chosen account', async () => {
    const api = await TestApiClient.connect(app.url, app.token);
    const root = (await api.call('accounts.list', {})).accounts.find((a) => a.parentId === null)!;
    const account = await api.call('accounts.create', { parentId: root.id, name: 'der-tenant' });
    await api.call('accounts.create', { parentId: root.id, name: 'der-bystander' });
    const ca = createCa(work, 'der-tenant-ca', { subject: '/O=Der/CN=Der Tenant CA' });
    const registration = await api.call('pki.startTenantCaRegistration', {
      accountId: account.id,
      caPem: readPem(ca.cert),
    });
    const proof = issueCert(ca, 'der-proof', { subject: `/CN=${registration.registrationCode}`, days: 1 });
    await api.call('pki.completeTenantCaRegistration', {
      id: registration.id,
      verificationCertPem: readPem(proof.cert),
    });
    const withCrl = await api.call('pki.setTenantCaCrl', {
      id: registration.id,
      crlPem: readPem(createCrl(ca, { days: 3 })),
    });
    const due = withCrl.crlNextUpdate;
    assert.ok(due !== null && due > Date.now() && due < Date.now() + 7 * 86_400_000);
    api.close();

    const { page, errors } = await openCertificates(browser, app, 'light');
    const warning = page.getByTestId('tenant-crl-warning').filter({ hasText: 'der-tenant' });
    await warning.waitFor({ timeout: 10_000 });
    const text = (await warning.textContent()) ?? '';
    assert.match(text, /Tenant CRL expires soon: .*Der Tenant CA \(account der-tenant\)/);
    assert.equal(await warning.locator('time').getAttribute('datetime'), new Date(due).toISOString());

    // A binary DER device certificate, chosen as a file.
    const device = issueCert(ca, 'der-device', { subject: '/CN=der-tenant_gauge', days: 5 });
    const der = execFileSync('openssl', ['x509', '-in', device.cert, '-outform', 'DER']);
    assert.equal(der[0], 0x30);
    await page.getByTestId('inspector-file').setInputFiles({
      name: 'gauge.der',
      mimeType: 'application/pkix-cert',
      buffer: der,
    });
    await page
      .getByTestId('inspector-der-file')
      .filter({ hasText: `gauge.der, ${der.length} bytes` })
      .waitFor();
    await page
      .getByTestId('inspected-subject')
      .filter({ hasText: 'der-tenant_gauge' })
      .waitFor({ timeout: 10_000 });
    // Against another account's CAs it does not verify.
    await page
      .getByTestId('inspector-account')
      .selectOption({ label: "the Fieldbench CA and account der-bystander's CAs" });
    await page
      .getByTestId('inspected-chain')
      .filter({ hasText: 'does not verify' })
      .waitFor({ timeout: 10_000 });
    // Against its own account's CAs the same file verifies, and the account is named.
    await page
      .getByTestId('inspector-account')
      .selectOption({ label: "the Fieldbench CA and account der-tenant's CAs" });
    await page
      .getByTestId('inspected-chain')
      .filter({ hasText: 'trusted by the tenant CA of account der-tenant' })
      .waitFor({ timeout: 10_000 });
    assert.match((await page.getByTestId('inspected-chain').textContent()) ?? '', /Chain verifies/);
    await page.screenshot({ path: screenshotPath('certificates-der-inspect'), fullPage: true });
    assert.deepEqual(errors, []);
    await page.context().close();
  });

  test('the inspector shows subject and fingerprint of a pasted certificate (dark)', async () => {
    const { cert } = createCa(work, 'inspector', {
      subject: '/O=Inspector Test/CN=inspector.example',
      subjectAltName: 'DNS:inspector.example,IP:127.0.0.1',
      days: 10,
    });
    const expected = execFileSync('openssl', ['x509', '-in', cert, '-noout', '-fingerprint', '-sha256'])
      .toString()
      .split('=')[1]!
      .trim()
      .replace(/:/g, '')
      .toUpperCase();
    const { page, errors } = await openCertificates(browser, app, 'dark');
    await page.getByTestId('inspector-input').fill(fs.readFileSync(cert, 'utf8'));
    await page.getByTestId('inspected-subject').first().waitFor({ timeout: 10_000 });
    assert.match(
      (await page.getByTestId('inspected-subject').first().textContent()) ?? '',
      /CN ?= ?inspector\.example/,
    );
    const fingerprint = ((await page.getByTestId('inspected-sha256').textContent()) ?? '')
      .replace(/[^0-9A-Fa-f]/g, '')
      .toUpperCase();
    assert.equal(fingerprint, expected);
    assert.match(
      (await page.getByTestId('inspection').textContent()) ?? '',
      /inspector\.example[\s\S]*127\.0\.0\.1/,
    );
    // A foreign self-signed certificate does not chain to the Fieldbench CA.
    assert.match((await page.getByTestId('inspected-chain').textContent()) ?? '', /does not verify/);
    // Text without PEM is refused in place.
    await page.getByTestId('inspector-input').fill('hello');
    await page.getByText('No PEM block found').waitFor();
    await page.getByTestId('inspector-input').fill(fs.readFileSync(cert, 'utf8'));
    await page.getByTestId('inspected-sha256').waitFor();
    await page.getByTestId('inspection').scrollIntoViewIfNeeded();
    await page.getByTestId('inspector-input').scrollIntoViewIfNeeded();
    await page.screenshot({ path: screenshotPath('certificates-page-dark') });
    // The handshake-failure section links to the log on the Broker page.
    await page.getByTestId('handshake-link').click();
    await page.getByTestId('broker-page').waitFor();
    assert.equal(
      await page.getByRole('tab', { name: /TLS handshake failures/ }).getAttribute('aria-selected'),
      'true',
    );
    assert.deepEqual(errors, []);
    await page.context().close();
  });
});
