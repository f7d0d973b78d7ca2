import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { launchChromium, screenshotPath } from '../helpers/browser';
import { tempDir } from '../helpers/temp-dir';
import { type App, openPage, startApp } from './explorer-helpers';
import { mosquittoPub, mosquittoSub } from '../helpers/mosquitto-clients';

describe('Traffic page in Chromium against the headless app', () => {
  let app: App;
  let browser: Browser;
  let dir: string;

  before(async () => {
    dir = tempDir('fb-traffic-');
    app = await startApp(path.join(dir, 'data'));
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await app?.cli.stop();
  });

  test('live packets, server-side filters and a client timeline', async () => {
    const { page, errors } = await openPage(browser, app, 'traffic');
    await page.waitForTimeout(500);
    await mosquittoPub(app.mqttPort, 'plant/a', 'x', { extra: ['-i', 'traffic-pub-1'] });
    const log = page.getByTestId('packet-log');
    await log.getByText('plant/a').first().waitFor({ timeout: 10_000 });
    const text = (await log.textContent()) ?? '';
    assert.match(text, /connect/);
    assert.match(text, /publish/);
    assert.match(text, /plant\/a/);
    // Only publishes from now on (filtered by the server).
    await page.locator('.type-picker summary').click();
    await page.getByLabel('publish', { exact: true }).check();
    await page.locator('.type-picker summary').click();
    await page.getByTestId('filter-apply').click();
    await page
      .getByTestId('packet-count')
      .filter({ hasText: /^0 packets$/ })
      .waitFor();
    await mosquittoPub(app.mqttPort, 'plant/b', 'y', { extra: ['-i', 'traffic-pub-2'] });
    await log.getByText('plant/b').waitFor({ timeout: 10_000 });
    const types = await log.locator('.ptype').allTextContents();
    assert.ok(
      types.length > 0 && types.every((t) => t === 'publish'),
      `only publish packets: ${types.join(',')}`,
    );
    // A client's timeline: connect, publish, disconnect.
    await log.getByText('traffic-pub-2').first().click();
    const timeline = page.getByTestId('client-timeline');
    await timeline.getByText('disconnect', { exact: true }).waitFor({ timeout: 10_000 });
    const tl = (await timeline.textContent()) ?? '';
    assert.match(tl, /connect/);
    assert.match(tl, /publish/);
    await page.screenshot({ path: screenshotPath('traffic-light') });
    assert.deepEqual(errors, []);
    await page.context().close();
  });

  test('a capture saved and replayed reproduces the same messages', async () => {
    const { page, errors } = await openPage(browser, app, 'traffic', 'dark');
    await page.getByTestId('capture-start').click();
    await page.getByTestId('capture-active').waitFor({ timeout: 10_000 });
    const sent = ['{"n":1}', '{"n":2}', 'three'];
    for (let i = 0; i < sent.length; i++) await mosquittoPub(app.mqttPort, `cap/t/${i + 1}`, sent[i]!);
    await page
      .getByTestId('capture-active')
      .filter({ hasText: /Capturing 3 messages/ })
      .waitFor({ timeout: 10_000 });
    await page.getByTestId('capture-stop').click();
    await page
      .getByTestId('capture-notice')
      .filter({ hasText: /Saved 3 messages/ })
      .waitFor({ timeout: 10_000 });
    await page.getByTestId('capture-open').click();
    const opened = page.getByTestId('opened-capture');
    await opened.getByText('cap/t/3').waitFor({ timeout: 10_000 });
    assert.match((await opened.textContent()) ?? '', /3 messages/);
    // Replay into the embedded broker under a prefix, as fast as possible, and watch a subscriber.
    const sub = mosquittoSub(app.mqttPort, 'replayed/#', '-C', '3', '-W', '15');
    await page.waitForTimeout(700);
    await page.getByTestId('replay-speed').selectOption('0');
    await page.getByPlaceholder('replay/').fill('replayed/');
    await page.getByTestId('replay-start').click();
    await page
      .getByTestId('replay-status')
      .filter({ hasText: /\b3 of 3 messages — done/ })
      .waitFor({ timeout: 15_000 });
    const got = (await sub).stdout.trim().split('\n');
    assert.deepEqual(got, ['replayed/cap/t/1 {"n":1}', 'replayed/cap/t/2 {"n":2}', 'replayed/cap/t/3 three']);
    // Export the stored messages of the capture's topics as CSV: a file name, never a path on the host.
    await page.getByTestId('export-format').selectOption('csv');
    await page.getByLabel('Topic filter').last().fill('cap/#');
    await page.getByTestId('export-file').fill(path.join(dir, 'cap.csv'));
    assert.equal(await page.getByTestId('export-start').isDisabled(), true, 'a path is not accepted');
    await page.getByText('A plain file name, without folders').waitFor({ timeout: 5_000 });
    await page.getByTestId('export-file').fill('cap.csv');
    await page.getByTestId('export-start').click();
    await page
      .getByTestId('capture-notice')
      .filter({ hasText: 'Exported 3 messages to cap.csv' })
      .waitFor({ timeout: 10_000 });
    const text = fs.readFileSync(path.join(dir, 'data', 'exports', 'cap.csv'), 'utf8');
    for (const topic of ['cap/t/1', 'cap/t/2', 'cap/t/3'])
      assert.ok(text.includes(topic), `${topic} in the CSV`);
    // The exports folder lists the capture and the export; the browser downloads the CSV byte for byte.
    const files = page.getByTestId('export-files');
    await files.getByText('cap.csv').waitFor({ timeout: 10_000 });
    assert.match((await files.textContent()) ?? '', /capture-local-.*\.jsonl/);
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      files.getByRole('button', { name: 'Download cap.csv' }).click(),
    ]);
    assert.equal(download.suggestedFilename(), 'cap.csv');
    const saved = await download.path();
    assert.equal(fs.readFileSync(saved, 'utf8'), text);
    await page.screenshot({ path: screenshotPath('traffic-capture-dark') });
    assert.deepEqual(errors, []);
    await page.context().close();
  });
});
