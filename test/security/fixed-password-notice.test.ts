import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { type HeadlessServer, startHeadlessServer } from '../../main/api';
import { type Core, createCore } from '../../main/core';
import { createAesKeyProtector, withPassphraseSupport } from '../../main/secrets';
import { launchChromium, openAppPage, screenshotPath } from '../helpers/browser';
import { tempDir } from '../helpers/temp-dir';

const RENDERER_DIR = path.resolve(__dirname, '../../out/renderer');

/** A core with the given key protector, served to the browser the way `fieldbench serve` does. */
async function serve(core: Core): Promise<{ server: HeadlessServer; token: string }> {
  const token = crypto.randomBytes(24).toString('base64url');
  const server = await startHeadlessServer({
    host: '127.0.0.1',
    port: 0,
    rendererDir: RENDERER_DIR,
    token,
    dispatch: core.dispatch,
    events: core.events,
    logger: core.logger,
  });
  return { server, token };
}

describe('System page says when keys are sealed with a fixed password', () => {
  let browser: Browser;
  before(async () => {
    assert.ok(fs.existsSync(path.join(RENDERER_DIR, 'index.html')), 'run "npx electron-vite build" first');
    browser = await launchChromium();
  });
  after(() => browser?.close());

  test('a desktop whose safeStorage uses basic_text shows the notice; a key-file install does not', async () => {
    const dir = tempDir('fb-notice-');
    const key = crypto.randomBytes(32);
    const weak = await createCore({
      dataDir: dir,
      mode: 'desktop',
      keyProtector: withPassphraseSupport(createAesKeyProtector(key, 'os-keychain'), key, {
        dataDir: dir,
        replaces: ['secrets.key.os'],
        fixedPassword: true,
      }),
    });
    const plain = await createCore({ dataDir: tempDir('fb-notice-'), mode: 'headless' });
    const a = await serve(weak);
    const b = await serve(plain);
    try {
      const { page, errors } = await openAppPage(browser, { url: a.server.url, token: a.token }, 'system');
      const notice = page.getByTestId('secrets-fixed-password');
      await notice.waitFor({ timeout: 10_000 });
      assert.match(
        (await notice.textContent()) ?? '',
        /Keys are sealed with a fixed password on this desktop/,
      );
      assert.match((await page.getByTestId('secrets-protection').textContent()) ?? '', /keychain/);
      await page.getByTestId('secrets-panel').screenshot({ path: screenshotPath('system-fixed-password') });
      assert.deepEqual(errors, []);
      await page.context().close();

      const other = await openAppPage(browser, { url: b.server.url, token: b.token }, 'system');
      await other.page
        .getByTestId('secrets-protection')
        .filter({ hasText: 'key file' })
        .waitFor({ timeout: 10_000 });
      assert.equal(await other.page.getByTestId('secrets-fixed-password').count(), 0);
      await other.page.context().close();
    } finally {
      await a.server.close();
      await b.server.close();
      await weak.close();
      await plain.close();
    }
  });
});
