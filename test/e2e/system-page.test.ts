import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { NODE_RUNTIME_FLAGS } from '../../main/cli/runtime-flags';
import { latestSchemaVersion } from '../../main/store';
import { launchChromium, screenshotPath } from '../helpers/browser';
import { loopbackArgs, type RunningCli, startCli } from '../helpers/cli-process';
import { tempDir } from '../helpers/temp-dir';

describe('System page in Chromium against the headless UI', () => {
  let app: RunningCli;
  let browser: Browser;
  let dataDir: string;

  before(async () => {
    dataDir = tempDir();
    app = await startCli(loopbackArgs('serve', dataDir));
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await app?.stop();
  });

  test('shows the real data directory, schema version and a live log tail', async () => {
    const page = await browser.newPage();
    const consoleErrors: string[] = [];
    page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));
    page.on('pageerror', (e) => consoleErrors.push(e.message));
    await page.goto(`${app.url}#token=${app.token}`);
    await page.getByTestId('home-page').waitFor({ timeout: 15_000 });
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'System' }).click();
    await page.getByTestId('data-dir').filter({ hasText: dataDir }).waitFor({ timeout: 15_000 });
    assert.equal(await page.getByTestId('data-dir').textContent(), dataDir);
    assert.equal(await page.getByTestId('schema-version').textContent(), `${latestSchemaVersion} (current)`);
    assert.equal(await page.getByTestId('connection-status').textContent(), 'Connected');
    // The process runs with the V8 flags every launcher passes (the helper starts it as npm start does).
    const flags = (await page.getByTestId('runtime-flags').textContent()) ?? '';
    for (const flag of NODE_RUNTIME_FLAGS)
      assert.ok(flags.split(' ').includes(flag), `${flag} in "${flags}"`);
    // The token moved out of the address bar into session storage.
    assert.ok(!page.url().includes(app.token), 'token removed from the URL');
    // Live stats arrive by push: uptime changes without a reload.
    const firstUptime = await page.getByTestId('uptime').textContent();
    await page.waitForFunction(
      (first) => document.querySelector('[data-testid="uptime"]')?.textContent !== first,
      firstUptime,
      { timeout: 10_000 },
    );
    // The log tail shows the core's start-up line.
    await page.getByTestId('log-lines').getByText('Fieldbench core started').waitFor({ timeout: 10_000 });
    await page.screenshot({ path: screenshotPath('system-page'), fullPage: true });
    assert.deepEqual(consoleErrors, [], 'no errors in the browser console');
    await page.close();
  });

  test('keyboard navigation reaches the page links', async () => {
    const page = await browser.newPage();
    await page.goto(`${app.url}#token=${app.token}`);
    await page.getByTestId('home-page').waitFor();
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => document.activeElement?.textContent);
    assert.equal(focused, 'Home');
    await page.close();
  });

  test('a wrong token is refused and the page says so', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${app.url}#token=wrong-token-wrong-token-wrong-token-1234`);
    await page.getByTestId('unauthorized').waitFor({ timeout: 10_000 });
    assert.match((await page.getByTestId('unauthorized').textContent()) ?? '', /Token refused/);
    await context.close();
  });

  test('every response carries the strict content security policy', async () => {
    const response = await fetch(app.url);
    const csp = response.headers.get('content-security-policy') ?? '';
    assert.match(csp, /script-src 'self'(;|$)/);
    assert.ok(!csp.includes('unsafe-eval'));
  });
});
