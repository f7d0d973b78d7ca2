import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import pino from 'pino';
import type { Browser } from 'playwright-core';
import { type Dispatch, EventBus, type HeadlessServer, startHeadlessServer } from '../../main/api';
import { type Core, createCore } from '../../main/core';
import {
  createAesKeyProtector,
  createUnlockGate,
  hasPassphraseKey,
  PASSPHRASE_KEY_FILE,
  withPassphraseSupport,
} from '../../main/secrets';
import { launchChromium, openAppPage, screenshotPath } from '../helpers/browser';
import { tempDir } from '../helpers/temp-dir';

const RENDERER_DIR = path.resolve(__dirname, '../../out/renderer');
const PASSPHRASE = 'plant floor 7 passphrase';
const ctx = { transport: 'internal' as const, actor: 'test' };

async function serve(dispatch: Dispatch, events: EventBus, token: string): Promise<HeadlessServer> {
  return startHeadlessServer({
    host: '127.0.0.1',
    port: 0,
    rendererDir: RENDERER_DIR,
    token,
    dispatch,
    events,
    logger: pino({ level: 'silent' }),
  });
}

describe('a desktop whose keys are sealed with a passphrase asks for it at start', () => {
  let browser: Browser;
  before(async () => {
    assert.ok(fs.existsSync(path.join(RENDERER_DIR, 'index.html')), 'run "npx electron-vite build" first');
    browser = await launchChromium();
  });
  after(() => browser?.close());

  test('set on the System page; next start shows the unlock screen, refuses a wrong one, starts with the right one', async () => {
    const dataDir = tempDir('fb-unlock-');
    const token = crypto.randomBytes(24).toString('base64url');

    // First run: a Linux desktop without a keyring (fixed-password seal); the operator sets a passphrase.
    const key = crypto.randomBytes(32);
    fs.writeFileSync(path.join(dataDir, 'secrets.key.os'), 'sealed-with-a-fixed-password');
    const first = await createCore({
      dataDir,
      mode: 'desktop',
      keyProtector: withPassphraseSupport(createAesKeyProtector(key, 'os-keychain'), key, {
        dataDir,
        replaces: ['secrets.key.os'],
        fixedPassword: true,
      }),
    });
    const issued = await first.dispatch('pki.issueDevice', { name: 'before-lock' }, ctx);
    assert.ok(issued.ok, 'a device key sealed before the passphrase');
    let server = await serve(first.dispatch, first.events, token);
    const { page, errors } = await openAppPage(browser, { url: server.url, token }, 'system');
    const form = page.getByTestId('passphrase-form');
    await form.getByLabel('New passphrase').fill(PASSPHRASE);
    await form.getByLabel('Repeat it').fill(PASSPHRASE);
    await page.getByTestId('passphrase-save').click();
    await page
      .getByTestId('secrets-protection')
      .filter({ hasText: 'operator passphrase' })
      .waitFor({ timeout: 10_000 });
    assert.equal(await page.getByTestId('secrets-fixed-password').count(), 0, 'the warning is gone');
    assert.deepEqual(errors, []);
    await page.context().close();
    await server.close();
    await first.close();
    assert.ok(hasPassphraseKey(dataDir));
    assert.equal(fs.existsSync(path.join(dataDir, 'secrets.key.os')), false);

    // Second run, as electron-main does it: the unlock gate answers until the passphrase starts the core.
    const events = new EventBus();
    let core: Core | undefined;
    let dispatch: Dispatch = createUnlockGate(dataDir, pino({ level: 'silent' }), async (protector) => {
      core = await createCore({ dataDir, mode: 'desktop', keyProtector: protector, events });
      dispatch = core.dispatch;
      return { protection: 'passphrase', fixedPassword: false, canSetPassphrase: true, locked: false };
    });
    server = await serve((m, r, c) => dispatch(m, r, c), events, token);
    try {
      const refused = await dispatch('pki.listCertificates', {}, ctx);
      assert.ok(!refused.ok && refused.error.code === 'UNAVAILABLE', 'nothing else answers while locked');

      const context = await browser.newContext();
      const locked = await context.newPage();
      const pageErrors: string[] = [];
      locked.on('pageerror', (e) => pageErrors.push(e.message));
      await locked.goto(`${server.url}#token=${token}`);
      await locked.getByTestId('unlock-gate').waitFor({ timeout: 15_000 });
      const sealed = fs.readFileSync(path.join(dataDir, PASSPHRASE_KEY_FILE));
      await locked.getByTestId('unlock-passphrase').fill('not the passphrase');
      await locked.getByTestId('unlock-submit').click();
      await locked
        .getByTestId('unlock-error')
        .filter({ hasText: 'The passphrase is wrong' })
        .waitFor({ timeout: 10_000 });
      assert.equal(core, undefined, 'nothing started');
      assert.deepEqual(fs.readFileSync(path.join(dataDir, PASSPHRASE_KEY_FILE)), sealed, 'nothing changed');
      await locked.screenshot({ path: screenshotPath('unlock-gate') });

      await locked.getByTestId('unlock-passphrase').fill(PASSPHRASE);
      await locked.getByTestId('unlock-submit').click();
      await locked
        .getByTestId('connection-status')
        .filter({ hasText: 'Connected' })
        .waitFor({ timeout: 15_000 });
      await locked.evaluate(`location.hash = '#/system'`);
      await locked
        .getByTestId('secrets-protection')
        .filter({ hasText: 'operator passphrase' })
        .waitFor({ timeout: 10_000 });
      assert.deepEqual(pageErrors, []);
      await context.close();

      // The secrets sealed before the passphrase open again: the device key exports, the CA still signs.
      const list = await dispatch('pki.listCertificates', { kind: 'device' }, ctx);
      assert.ok(list.ok);
      const serial = (list.result as { items: { serial: string; commonName: string }[] }).items.find(
        (c) => c.commonName === 'before-lock',
      )?.serial;
      assert.ok(serial);
      const pem = await dispatch('pki.exportPem', { serial, includePrivateKey: true }, ctx);
      assert.ok(pem.ok && /BEGIN PRIVATE KEY/.test(JSON.stringify(pem.result)));
      assert.ok((await dispatch('pki.issueDevice', { name: 'after-unlock' }, ctx)).ok);
    } finally {
      await server.close();
      await core?.close();
    }
  });
});
