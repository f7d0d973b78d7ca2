import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import mqtt from 'mqtt';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, screenshotPath } from '../helpers/browser';
import { tempDir } from '../helpers/temp-dir';
import { type App, openPage, revealAndSelect, row, startApp } from './explorer-helpers';

/** Publishing rounds per second; each round sends OWN_PER_ROUND on the parent topic, CHILD_PER_ROUND below it. */
const ROUNDS_PER_SECOND = 10;
const OWN_PER_ROUND = 2;
const CHILD_PER_ROUND = 6;

interface ShownRates {
  own: string;
  subtree: string;
}

/** "12/s" or "1.2k/s" → messages per second. */
function parseRate(text: string): number {
  const m = /^([\d.]+)(k?)\/s$/.exec(text.trim());
  if (!m) throw new Error(`not a rate: "${text}"`);
  return Number(m[1]) * (m[2] ? 1000 : 1);
}

type Range = readonly [min: number, max: number];

/** Waits until the row of `path` shows an own rate and a subtree rate within the ranges (0 = not shown). */
async function waitRates(
  page: Page,
  path: string,
  want: { own: Range; subtree: Range },
  timeout = 20_000,
): Promise<ShownRates> {
  const handle = await page.waitForFunction(
    // No helper functions in here: tsx would wrap them in a `__name` call the page does not know.
    ([p, w]) => {
      const rowEl = document.querySelector(`[data-testid="topic-tree"] [data-path="${p}"]`);
      if (!rowEl) return undefined;
      const own = rowEl.querySelector('[data-testid="node-rate"]')?.textContent ?? '';
      const subtree = rowEl.querySelector('[data-testid="node-subtree-rate"]')?.textContent ?? '';
      const ownMatch = /^([\d.]+)(k?)\/s$/.exec(own);
      const subtreeMatch = /^\(([\d.]+)(k?)\/s below\)$/.exec(subtree);
      const values = [
        [own, ownMatch, w.own],
        [subtree, subtreeMatch, w.subtree],
      ] as const;
      for (const [text, m, [min, max]] of values) {
        // An empty cell means no traffic; anything else must parse.
        const v = text === '' ? 0 : m ? Number(m[1]) * (m[2] ? 1000 : 1) : Number.NaN;
        if (!(v >= min && v <= max)) return undefined;
      }
      return { own, subtree };
    },
    [path, want] as const,
    { timeout },
  );
  return (await handle.jsonValue()) as ShownRates;
}

describe('Explorer tree rates per topic and per subtree, in Chromium', () => {
  let app: App;
  let browser: Browser;

  before(async () => {
    app = await startApp(tempDir('fb-explorer-rates-'));
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await app?.cli.stop();
  });

  test('a node shows its own rate and its subtree rate; a leaf only its own; both fall to nothing when traffic stops', async () => {
    const { page, errors } = await openPage(browser, app);
    const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${app.mqttPort}`, { clientId: 'rates-e2e' });
    const timer = setInterval(() => {
      for (let i = 0; i < OWN_PER_ROUND; i++) client.publish('rates/line1', `own-${i}`);
      for (let i = 0; i < CHILD_PER_ROUND; i++) client.publish('rates/line1/temp', `${20 + i}`);
    }, 1000 / ROUNDS_PER_SECOND);
    try {
      await row(page, 'rates').waitFor({ timeout: 15_000 });
      await revealAndSelect(page, 'rates/line1/temp');

      // Nominal: 20/s on rates/line1 itself, 60/s on its child, so 80/s at and below it. Timers on a
      // loaded machine drift, so the bounds are wide; the ratio holds per window as each round is one burst.
      const own = OWN_PER_ROUND * ROUNDS_PER_SECOND;
      const total = (OWN_PER_ROUND + CHILD_PER_ROUND) * ROUNDS_PER_SECOND;
      const line1 = await waitRates(page, 'rates/line1', {
        own: [own / 2, own * 1.5],
        subtree: [total / 2, total * 1.5],
      });
      assert.match(line1.own, /^\d+(\.\d)?\/s$/);
      assert.match(line1.subtree, /^\(\d+(\.\d)?\/s below\)$/);
      assert.ok(parseRate(line1.subtree.slice(1, -' below)'.length)) > parseRate(line1.own));

      // A parent that is not itself a topic shows only the subtree rate.
      const top = await waitRates(page, 'rates', { own: [0, 0], subtree: [total / 2, total * 1.5] });
      assert.equal(top.own, '');

      // A leaf shows its own rate and nothing "below".
      const child = CHILD_PER_ROUND * ROUNDS_PER_SECOND;
      const leaf = await waitRates(page, 'rates/line1/temp', {
        own: [child / 2, child * 1.5],
        subtree: [0, 0],
      });
      assert.equal(leaf.subtree, '');
      assert.match(leaf.own, /^\d+(\.\d)?\/s$/);

      const title = await row(page, 'rates/line1').locator('.node-rates').getAttribute('title');
      assert.match(title ?? '', /on this topic, .+ on this topic and below/);
      await page.screenshot({ path: screenshotPath('explorer-rates') });
    } finally {
      clearInterval(timer);
      // Forced, and on failure too: an open client would keep the test process alive.
      await client.endAsync(true);
    }

    // Quiet again: within a couple of rate windows both numbers disappear.
    const quiet = await waitRates(page, 'rates/line1', { own: [0, 0], subtree: [0, 0] });
    assert.deepEqual(quiet, { own: '', subtree: '' });
    await waitRates(page, 'rates', { own: [0, 0], subtree: [0, 0] });
    assert.deepEqual(errors, []);
    await page.context().close();
  });
});
