import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, test } from 'node:test';
import mqtt from 'mqtt';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, screenshotPath } from '../helpers/browser';
import { tempDir } from '../helpers/temp-dir';
import { type App, encodeKura, openPage, revealAndSelect, row, startApp } from './explorer-helpers';
import { mosquittoPub, mosquittoSub } from '../helpers/mosquitto-clients';
import { connect, endAll, type Received } from '../helpers/mqtt-client';
import { waitFor } from '../helpers/wait-for';

async function countOf(page: Page, path: string): Promise<string | null> {
  return row(page, path).locator('.node-count').textContent();
}

async function waitCount(page: Page, path: string, expected: string): Promise<void> {
  await page.waitForFunction(
    ([p, n]) => document.querySelector(`[data-path="${p}"] .node-count`)?.textContent === n,
    [path, expected] as const,
    { timeout: 15_000 },
  );
}

describe('Explorer page in Chromium against the headless app', () => {
  let app: App;
  let browser: Browser;
  let dataDir: string;
  const errors: string[] = [];

  before(async () => {
    dataDir = tempDir('fb-explorer-');
    app = await startApp(dataDir);
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await app?.cli.stop();
  });

  test('messages published with mosquitto_pub appear in the tree with the right counts, live', async () => {
    // The embedded broker is tapped while someone watches: open the Explorer first.
    const { page, errors: pageErrors } = await openPage(browser, app);
    await page.getByTestId('tree-totals').waitFor();
    for (let i = 0; i < 3; i++) await mosquittoPub(app.mqttPort, 'fb/test/a', `a-${i}`);
    for (let i = 0; i < 2; i++) await mosquittoPub(app.mqttPort, 'fb/test/b', `b-${i}`);
    await row(page, 'fb').waitFor({ timeout: 15_000 });
    await waitCount(page, 'fb', '5');
    await revealAndSelect(page, 'fb/test/a');
    assert.equal(await countOf(page, 'fb/test/a'), '3');
    assert.equal(await countOf(page, 'fb/test/b'), '2');
    assert.match((await row(page, 'fb/test/a').locator('.node-preview').textContent()) ?? '', /a-2/);
    // Live: a new message updates the counts without reloading.
    await mosquittoPub(app.mqttPort, 'fb/test/a', 'a-3');
    await waitCount(page, 'fb/test/a', '4');
    await waitCount(page, 'fb', '6');
    // The history of the selected topic follows.
    await page.waitForFunction(
      () => document.querySelectorAll('[data-testid="history-list"] li').length === 4,
      undefined,
      { timeout: 10_000 },
    );
    // Keyboard: ArrowUp moves to fb/test, ArrowLeft collapses it, ArrowRight expands it again.
    await page.getByTestId('topic-tree').focus();
    await page.keyboard.press('ArrowUp');
    await page
      .getByTestId('selected-topic')
      .filter({ hasText: /^fb\/test$/ })
      .waitFor();
    await page.keyboard.press('ArrowLeft');
    await row(page, 'fb/test/a').waitFor({ state: 'detached' });
    await page.keyboard.press('ArrowRight');
    await row(page, 'fb/test/a').waitFor();
    // Pause shows pending updates and catches up on resume.
    await page.getByTestId('tree-pause').click();
    await mosquittoPub(app.mqttPort, 'fb/test/b', 'b-2');
    await page
      .getByTestId('tree-paused')
      .filter({ hasText: /paused — [1-9]\d* updates pending/ })
      .waitFor({ timeout: 10_000 });
    assert.equal(await countOf(page, 'fb/test/b'), '2', 'no change applied while paused');
    await page.getByTestId('tree-pause').click();
    await waitCount(page, 'fb/test/b', '3');
    // A wildcard filter prunes the tree on the server side.
    await page.getByTestId('tree-filter').fill('fb/+/b');
    await page.getByTestId('tree-filter').press('Enter');
    await row(page, 'fb/test/a').waitFor({ state: 'detached', timeout: 10_000 });
    await row(page, 'fb/test/b').waitFor();
    await page.getByRole('button', { name: 'Clear', exact: true }).click();
    await row(page, 'fb/test/a').waitFor({ timeout: 10_000 });
    // Pinning keeps a topic at hand above the tree.
    await row(page, 'fb/test/b').locator('.node-name').click();
    await page.getByTestId('pin').click();
    await page
      .getByRole('list', { name: 'Pinned topics' })
      .getByText('★ fb/test/b', { exact: true })
      .waitFor();
    // The button follows the topic's own state, which may lag the pinned list by an update.
    await page
      .getByTestId('pin')
      .filter({ hasText: /^Unpin$/ })
      .click();
    await page.getByRole('list', { name: 'Pinned topics' }).waitFor({ state: 'detached' });
    errors.push(...pageErrors);
    await page.context().close();
  });

  test('a JSON payload renders pretty and its numeric fields chart with uPlot', async () => {
    for (const scheme of ['light', 'dark'] as const) {
      const { page, errors: pageErrors } = await openPage(browser, app, 'explorer', scheme);
      if (scheme === 'light') {
        for (let i = 0; i < 6; i++) {
          const doc = { temp: 20 + i, hum: 60 - i, site: 'north' };
          await mosquittoPub(app.mqttPort, 'fb/json/s1', JSON.stringify(doc));
        }
      }
      await revealAndSelect(page, 'fb/json/s1');
      const view = page.getByTestId('payload-view');
      await page.locator('[data-testid="payload-view"][data-format="json"]').waitFor({ timeout: 10_000 });
      await view.getByTestId('json-tree').getByText('temp:', { exact: true }).waitFor();
      assert.match((await view.textContent()) ?? '', /25/);
      assert.match((await view.textContent()) ?? '', /"north"/);
      // Text view: pretty enough to read, and the diff against the previous message.
      await page.getByTestId('show-diff').check();
      await page.getByTestId('payload-diff').waitFor();
      assert.match((await page.getByTestId('payload-diff').textContent()) ?? '', /\+ +"temp": 25/);
      await page.getByTestId('show-diff').uncheck();
      // The chart: a uPlot canvas with both numeric series and drawn pixels.
      const chart = page.getByTestId('series-chart');
      await chart.locator('canvas').waitFor({ timeout: 10_000 });
      const legend = (await chart.locator('.u-legend').textContent()) ?? '';
      assert.match(legend, /\$\.temp/);
      assert.match(legend, /\$\.hum/);
      const drawn = await chart.locator('canvas').evaluate((c) => {
        const canvas = c as unknown as {
          width: number;
          height: number;
          getContext(kind: '2d'): {
            getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray };
          };
        };
        const ctx = canvas.getContext('2d');
        const data = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
        let n = 0;
        for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) n++;
        return n;
      });
      assert.ok(drawn > 200, `the chart has drawn pixels (${drawn})`);
      await page.screenshot({ path: screenshotPath(`explorer-json-${scheme}`) });
      errors.push(...pageErrors);
      await page.context().close();
    }
  });

  test('a Kura protobuf payload decodes', async () => {
    const kura = encodeKura(1_700_000_000_000, { temperature: 21.5, status: 'running', count: 42 }, [
      'count',
    ]);
    const { page, errors: pageErrors } = await openPage(browser, app);
    await page.getByTestId('tree-totals').waitFor();
    await mosquittoPub(app.mqttPort, 'fb/kura/dev1', kura);
    await revealAndSelect(page, 'fb/kura/dev1');
    await page.locator('[data-testid="payload-view"][data-format="kura"]').waitFor({ timeout: 10_000 });
    const text = (await page.getByTestId('payload-view').textContent()) ?? '';
    assert.match(text, /temperature/);
    assert.match(text, /21\.5/);
    assert.match(text, /"running"/);
    assert.match(text, /42/);
    // The hex view is one click away.
    await page.getByTestId('format-hex').click();
    assert.match((await page.getByTestId('payload-text').textContent()) ?? '', /^00000000 {2}08 /);
    await page.screenshot({ path: screenshotPath('explorer-kura') });
    errors.push(...pageErrors);
    await page.context().close();
  });

  test('a retained subtree is cleared after a preview that lists its topics', async () => {
    const { page, errors: pageErrors } = await openPage(browser, app);
    await page.getByTestId('tree-totals').waitFor();
    await mosquittoPub(app.mqttPort, 'fb/ret/a', 'one', { retain: true });
    await mosquittoPub(app.mqttPort, 'fb/ret/b/c', 'two', { retain: true });
    await mosquittoPub(app.mqttPort, 'fb/ret/x', 'not retained');
    await mosquittoPub(app.mqttPort, 'fb/keep', 'stays', { retain: true });
    const before = await mosquittoSub(app.mqttPort, 'fb/ret/#', '-W', '2');
    assert.match(before.stdout, /fb\/ret\/a one/);
    await revealAndSelect(page, 'fb/ret');
    await page.getByTestId('tab-retained').click();
    assert.equal(await page.getByTestId('retained-filter').inputValue(), 'fb/ret/#');
    await page.getByTestId('retained-preview').click();
    const list = page.getByTestId('retained-preview-list');
    await list.getByText('fb/ret/b/c', { exact: true }).waitFor({ timeout: 10_000 });
    const listed = await list.locator('li').allTextContents();
    assert.deepEqual(listed.sort(), ['fb/ret/a', 'fb/ret/b/c']);
    await page.screenshot({ path: screenshotPath('explorer-retained-preview') });
    await page.getByTestId('retained-confirm').click();
    await page
      .getByTestId('retained-notice')
      .filter({ hasText: 'Cleared 2 retained messages' })
      .waitFor({ timeout: 10_000 });
    const afterSub = await mosquittoSub(app.mqttPort, 'fb/ret/#', '-W', '2');
    assert.equal(afterSub.stdout.trim(), '', 'no retained messages left under fb/ret/#');
    const keep = await mosquittoSub(app.mqttPort, 'fb/keep', '-C', '1', '-W', '3');
    assert.match(keep.stdout, /fb\/keep stays/, 'retained messages outside the filter stay');
    errors.push(...pageErrors);
    await page.context().close();
  });

  test('publishing from the panel reaches a subscriber, and validation speaks as you type', async () => {
    const { page, errors: pageErrors } = await openPage(browser, app);
    await page.getByTestId('tab-publish').click();
    await page.getByTestId('publish-topic').fill('fb/pub/+');
    await page.getByText('cannot contain the wildcards').waitFor();
    await page.getByTestId('publish-topic').fill('fb/pub/one');
    await page.getByTestId('publish-format').selectOption('json');
    await page.getByTestId('publish-payload').fill('{"v": ');
    await page.getByText('Not valid JSON').waitFor();
    await page.getByTestId('publish-payload').fill('{"v": 7}');
    // Subscribed (SUBACK) before the click, so the message cannot be missed.
    const received: Received[] = [];
    const sub = await connect(`mqtt://127.0.0.1:${app.mqttPort}`, {}, received);
    await sub.subscribeAsync('fb/pub/#', { qos: 1 });
    await page.getByTestId('publish').click();
    await page.getByTestId('publish-notice').waitFor({ timeout: 10_000 });
    await waitFor(() => received.length > 0, 'the published message at the subscriber');
    assert.deepEqual(
      received.map((m) => `${m.topic} ${m.payload}`),
      ['fb/pub/one {"v":7}'],
    );
    await endAll(sub);
    // Save the draft as a template, load it back after changing the form.
    await page.getByLabel('Template name').fill('seven');
    await page.getByRole('button', { name: 'Save as template' }).click();
    await page
      .locator('.templates')
      .getByRole('button', { name: 'seven', exact: true })
      .waitFor({ timeout: 10_000 });
    await page.getByTestId('publish-topic').fill('fb/pub/other');
    await page.locator('.templates').getByRole('button', { name: 'seven', exact: true }).click();
    assert.equal(await page.getByTestId('publish-topic').inputValue(), 'fb/pub/one');
    // Re-publish the stored message from the message panel: the topic's count goes up.
    await page.getByTestId('tab-messages').click();
    await revealAndSelect(page, 'fb/pub/one');
    await waitCount(page, 'fb/pub/one', '1');
    await page.getByRole('button', { name: 'Re-publish' }).click();
    await waitCount(page, 'fb/pub/one', '2');
    errors.push(...pageErrors);
    await page.context().close();
  });

  test("a tenant account's topics are grouped under the account and labelled", async () => {
    const { page, errors: pageErrors } = await openPage(browser, app);
    await page.getByTestId('tab-publish').click();
    await page.getByTestId('publish-topic').fill('plant/line1/temp');
    await page.getByLabel('Account (local only)').fill('acme');
    await page.getByTestId('publish-payload').fill('21.5');
    await page.getByTestId('publish').click();
    await page.getByTestId('publish-notice').waitFor({ timeout: 10_000 });
    const group = row(page, '$a/acme');
    await group.waitFor({ timeout: 10_000 });
    assert.match((await group.locator('.node-name').getAttribute('class')) ?? '', /account-group/);
    await page.getByTestId('tab-messages').click();
    await revealAndSelect(page, '$a/acme/plant/line1/temp');
    const leaf = row(page, '$a/acme/plant/line1/temp');
    assert.equal(await leaf.locator('.account-chip').textContent(), 'acme');
    assert.equal(await page.getByTestId('selected-topic').textContent(), 'plant/line1/temp');
    // Exact: a timestamp in the list (e.g. 21:36:21.518) must not count as the payload.
    await page.getByTestId('history-list').getByText('21.5', { exact: true }).waitFor({ timeout: 10_000 });
    errors.push(...pageErrors);
    await page.context().close();
  });

  test('a large payload is never cut silently: size shown, full payload on request, saved whole', async () => {
    const { page, errors: pageErrors } = await openPage(browser, app);
    const big = `${'0123456789abcdef'.repeat(6400)}END`;
    await mosquittoPub(app.mqttPort, 'fb/big/blob', big);
    await revealAndSelect(page, 'fb/big/blob');
    await page.getByTestId('payload-size').filter({ hasText: '102,403 bytes' }).waitFor({ timeout: 10_000 });
    await page.getByTestId('open-full').click();
    await page.getByTestId('open-full').waitFor({ state: 'detached' });
    await page.getByTestId('format-text').click();
    assert.match((await page.getByTestId('payload-text').textContent()) ?? '', /END$/);
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('save-payload').click(),
    ]);
    const file = await download.path();
    assert.equal(fs.statSync(file).size, big.length, 'the saved file holds every byte');
    errors.push(...pageErrors);
    await page.context().close();
  });

  test('thousands of sibling topics: only visible rows exist, pages load while scrolling', async () => {
    const { page, errors: pageErrors } = await openPage(browser, app);
    const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${app.mqttPort}`, { clientId: 'many-topics' });
    const N = 3000;
    for (let i = 0; i < N; i++) client.publish(`many/t/n${String(i).padStart(5, '0')}`, String(i));
    await client.endAsync();
    await row(page, 'many').waitFor({ timeout: 15_000 });
    await page.waitForFunction(
      (n) => document.querySelector('[data-path="many"] .node-count')?.textContent === n.toLocaleString(),
      N,
      { timeout: 20_000 },
    );
    await revealAndSelect(page, 'many/t/n00000');
    const rendered = await page.locator('[data-testid="topic-tree"] .tree-row').count();
    assert.ok(rendered < 100, `only the visible rows are in the DOM (${rendered})`);
    // Scroll to the end: later pages (500 children each) load on demand.
    await page.getByTestId('topic-tree').evaluate((el) => {
      el.scrollTop = el.scrollHeight;
    });
    await row(page, 'many/t/n02999').waitFor({ timeout: 10_000 });
    assert.equal(await page.locator('[data-testid="topic-tree"] .tree-row.loading').count(), 0);
    await page.keyboard.press('End');
    errors.push(...pageErrors);
    await page.context().close();
  });

  test('history survives a restart', async () => {
    await app.cli.stop();
    app = await startApp(dataDir);
    const { page, errors: pageErrors } = await openPage(browser, app);
    // The tree is rebuilt from stored history before any new message arrives…
    await row(page, 'fb').waitFor({ timeout: 10_000 });
    // …and stored history is also found by searching it.
    await page.getByTestId('tree-search').fill('a-');
    await page.getByLabel('history').check();
    await page.getByTestId('tree-search').press('Enter');
    await page.getByTestId('search-results').getByText('fb/test/a', { exact: true }).click();
    await page
      .getByTestId('selected-topic')
      .filter({ hasText: /^fb\/test\/a$/ })
      .waitFor();
    await page.waitForFunction(
      () => document.querySelectorAll('[data-testid="history-list"] li').length === 4,
      undefined,
      { timeout: 10_000 },
    );
    const items = await page.getByTestId('history-list').locator('li').allTextContents();
    assert.match(items[0]!, /a-3/);
    assert.match(items[3]!, /a-0/);
    await page.screenshot({ path: screenshotPath('explorer-after-restart') });
    // Forgetting the tree empties it (after confirmation); the history stays searchable.
    await page.getByRole('button', { name: 'Back to tree' }).click();
    await mosquittoPub(app.mqttPort, 'fb/after/restart', 'x');
    await row(page, 'fb').waitFor({ timeout: 10_000 });
    page.once('dialog', (d) => void d.accept());
    await page.getByRole('button', { name: 'Forget tree' }).click();
    await row(page, 'fb').waitFor({ state: 'detached', timeout: 10_000 });
    errors.push(...pageErrors);
    await page.context().close();
    assert.deepEqual(errors, [], 'no errors in the browser console');
  });
});
