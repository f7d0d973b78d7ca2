import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { launchChromium, screenshotPath } from '../../test/helpers/browser';
import { type RunningCli, startCli } from '../../test/helpers/cli-process';
import { encodePublish } from '../lib/mqtt-frames';
import { rssBytes } from '../lib/proc-stats';
import { connectRaw, disconnectAll, type RawClient } from '../lib/raw-client';
import type { Metric, Scenario, ScenarioContext, ScenarioOutcome } from './types';

/*
 * Explorer UI under load: the headless app (built CLI) gets 100,000 distinct topics, then a sustained
 * 5,000 msg/s; Chromium shows the Explorer while a script scrolls and expands the topic tree. Frame
 * times come from requestAnimationFrame timestamps collected in the page; the main process's RSS is
 * sampled over the whole sustained window (BENCH_EXPLORER_UI_SECONDS; default 120 when the scenario is
 * chosen by name or run alone, 45 inside a full sweep to keep `npm run bench` short).
 * Needs `npm run build` first. Run alone: `node --import tsx bench/scenarios/explorer-ui.ts`.
 */

const TOPICS = Number(process.env.BENCH_EXPLORER_UI_TOPICS ?? 100_000);
const RATE = Number(process.env.BENCH_EXPLORER_UI_RATE ?? 5000);
/** Two minutes when asked for by name (or run alone); shorter inside a full `npm run bench` sweep. */
const CHOSEN = require.main === module || process.argv.some((a) => a.split(',').includes('explorer-ui'));
const SECONDS = Number(process.env.BENCH_EXPLORER_UI_SECONDS ?? (CHOSEN ? 120 : 45));
const SCROLL_SECONDS = Math.min(20, Math.max(5, Math.floor(SECONDS / 3)));
const SITES = 10;
const DEVICES = 1000;

/** `fleet/site3/dev0421/m7`: 10 sites × 1,000 devices × N metrics. */
function topicOf(i: number): string {
  const metrics = Math.max(1, Math.ceil(TOPICS / (SITES * DEVICES)));
  const site = i % SITES;
  const dev = Math.floor(i / SITES) % DEVICES;
  const metric = Math.floor(i / (SITES * DEVICES)) % metrics;
  return `fleet/site${site}/dev${String(dev).padStart(4, '0')}/m${metric}`;
}

function write(client: RawClient, buf: Buffer): Promise<void> {
  return new Promise((resolve) => {
    if (client.socket.write(buf)) resolve();
    else client.socket.once('drain', () => resolve());
  });
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function floodTopics(client: RawClient, log: (m: string) => void): Promise<number> {
  const started = performance.now();
  const batch: Buffer[] = [];
  for (let i = 0; i < TOPICS; i++) {
    batch.push(encodePublish(topicOf(i), Buffer.from(`{"v":${i % 100},"i":${i}}`)));
    if (batch.length === 500) {
      await write(client, Buffer.concat(batch.splice(0)));
    }
  }
  if (batch.length) await write(client, Buffer.concat(batch));
  const seconds = (performance.now() - started) / 1000;
  log(`${TOPICS} topics published in ${seconds.toFixed(1)} s`);
  return seconds;
}

/** Publishes RATE msg/s to random known topics until stopped; returns the count sent. */
function sustain(client: RawClient): { stop(): number } {
  let sent = 0;
  const tickMs = 20;
  const perTick = Math.max(1, Math.round((RATE * tickMs) / 1000));
  const started = performance.now();
  const timer = setInterval(() => {
    const due = Math.floor(((performance.now() - started) / 1000) * RATE) - sent;
    const n = Math.min(due, perTick * 5);
    if (n <= 0) return;
    const parts: Buffer[] = [];
    for (let k = 0; k < n; k++) {
      const i = Math.floor(Math.random() * TOPICS);
      parts.push(
        encodePublish(topicOf(i), Buffer.from(`{"v":${(Math.random() * 100).toFixed(2)},"i":${i}}`)),
      );
    }
    client.socket.write(Buffer.concat(parts));
    sent += n;
  }, tickMs);
  return {
    stop() {
      clearInterval(timer);
      return sent;
    },
  };
}

/** Scrolls the tree and expands/collapses nodes for `seconds`, collecting rAF timestamps. */
async function exerciseTree(page: Page, seconds: number): Promise<{ frames: number[]; longTasks: number[] }> {
  // A string, not a function: tsx would wrap named inner functions in a helper the page lacks.
  await page.evaluate(`(() => {
    window.__frames = [];
    window.__longTasks = [];
    window.__collect = true;
    try {
      new PerformanceObserver((list) => {
        if (window.__collect) for (const e of list.getEntries()) window.__longTasks.push(e.duration);
      }).observe({ type: 'longtask' });
    } catch {}
    const tick = (t) => {
      if (!window.__collect) return;
      window.__frames.push(t);
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  })()`);
  const deadline = Date.now() + seconds * 1000;
  let step = 0;
  while (Date.now() < deadline) {
    step++;
    // Scroll a few screens down, then back up, as a person skimming the tree would.
    await page.evaluate((s) => {
      const el = document.querySelector('[data-testid="topic-tree"]') as unknown as {
        scrollTop: number;
        scrollHeight: number;
        clientHeight: number;
      } | null;
      if (!el) return;
      const max = el.scrollHeight - el.clientHeight;
      const phase = s % 40;
      el.scrollTop = phase < 20 ? Math.min(max, el.scrollTop + 600) : Math.max(0, el.scrollTop - 600);
    }, step);
    if (step % 10 === 0) {
      // Expand (or collapse) a visible device node with the mouse, and move with the keyboard.
      const twisties = page.locator('[data-testid="topic-tree"] [aria-expanded] .twisty');
      const count = await twisties.count();
      if (count > 0)
        await twisties
          .nth(step % count)
          .click({ timeout: 2000 })
          .catch(() => {});
      await page.keyboard.press('ArrowDown').catch(() => {});
    }
    await sleep(50);
  }
  return page.evaluate(() => {
    const w = window as unknown as { __frames: number[]; __longTasks: number[]; __collect: boolean };
    w.__collect = false;
    return { frames: w.__frames, longTasks: w.__longTasks };
  });
}

async function expand(page: Page, p: string): Promise<void> {
  const row = page.locator(`[data-testid="topic-tree"] [data-path="${p}"]`);
  await row.waitFor({ timeout: 30_000 });
  if ((await row.getAttribute('aria-expanded')) !== 'true') await row.locator('.twisty').click();
}

export async function runExplorerUi(log: (m: string) => void): Promise<ScenarioOutcome> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-bench-ui-'));
  let cli: RunningCli | undefined;
  const browser = await launchChromium();
  const clients: RawClient[] = [];
  try {
    cli = await startCli([
      'serve',
      '--data-dir',
      dataDir,
      '--http-port',
      '0',
      '--broker-host',
      '127.0.0.1',
      '--mqtt-port',
      '0',
      '--allow-anonymous',
      '--log-level',
      'warn',
    ]);
    const port = Number(/mqtt [^:\s]+:(\d+)/.exec(cli.readyLine)?.[1]);
    if (!port) throw new Error(`no MQTT port in the ready line: ${cli.readyLine}`);
    const pid = cli.child.pid!;
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(`${cli.url}#token=${cli.token}`);
    await page.evaluate("location.hash = '#/explorer'");
    await page.getByTestId('explorer-page').waitFor({ timeout: 15_000 });

    const publisher = await connectRaw(port, 'bench-ui-flood');
    clients.push(publisher);
    const floodSeconds = await floodTopics(publisher, log);
    await page.waitForFunction(
      (n) => {
        const t = document.querySelector('[data-testid="tree-totals"]')?.textContent ?? '';
        return Number(t.split(' ')[0]!.replace(/\D/g, '')) >= n;
      },
      TOPICS,
      { timeout: 120_000 },
    );
    log('the UI counts all topics');
    await expand(page, 'fleet');
    // Lower siblings first: expanding site0 (1,000 children) pushes them out of the rendered window.
    await expand(page, 'fleet/site1');
    await expand(page, 'fleet/site0');
    await expand(page, 'fleet/site0/dev0000');

    const sustained = sustain(publisher);
    const startedAt = Date.now();
    const rss: { t: number; rss: number }[] = [];
    const sampler = setInterval(() => rss.push({ t: Date.now() - startedAt, rss: rssBytes(pid) }), 2000);
    await sleep(3000);
    log(`scrolling and expanding for ${SCROLL_SECONDS} s under ${RATE} msg/s`);
    const { frames, longTasks } = await exerciseTree(page, SCROLL_SECONDS);
    await page.screenshot({ path: screenshotPath('explorer-100k-topics') }).catch(() => {});
    const remaining = SECONDS * 1000 - (Date.now() - startedAt);
    if (remaining > 0) {
      log(`holding the load for ${(remaining / 1000).toFixed(0)} s more (RSS)`);
      await sleep(remaining);
    }
    clearInterval(sampler);
    const sent = sustained.stop();
    const elapsed = (Date.now() - startedAt) / 1000;
    const stats = await page.evaluate(() => {
      const t = (
        globalThis as unknown as {
          __fieldbenchTree?: { state(): { frames: number; deltas: number }; rows(): number };
        }
      ).__fieldbenchTree;
      const skipped = /(\d+) live updates skipped/.exec(
        document.querySelector('.status-bar')?.textContent ?? '',
      );
      return t
        ? { ...t.state(), rows: t.rows(), eventsSkipped: skipped ? Number(skipped[1]) : 0 }
        : undefined;
    });

    const intervals: number[] = [];
    for (let i = 1; i < frames.length; i++) intervals.push(frames[i]! - frames[i - 1]!);
    intervals.sort((a, b) => a - b);
    const warm = rss.filter((s) => s.t >= Math.min(30_000, (SECONDS * 1000) / 4));
    const firstWarm = warm[0]?.rss ?? Number.NaN;
    const last = rss.at(-1)?.rss ?? Number.NaN;
    const peak = Math.max(...rss.map((s) => s.rss));
    const mib = (b: number) => b / 1048576;
    const metrics: Metric[] = [
      {
        key: 'frame-p50',
        label: 'explorer UI: frame time p50',
        unit: 'ms',
        better: 'lower',
        value: percentile(intervals, 50),
      },
      {
        key: 'frame-p95',
        label: 'explorer UI: frame time p95',
        unit: 'ms',
        better: 'lower',
        value: percentile(intervals, 95),
      },
      {
        key: 'frame-max',
        label: 'explorer UI: frame time max',
        unit: 'ms',
        better: 'lower',
        value: intervals.at(-1) ?? null,
      },
      {
        key: 'frames',
        label: 'explorer UI: frames measured',
        unit: 'count',
        better: 'higher',
        value: intervals.length,
      },
      {
        key: 'flood-rate',
        label: 'explorer UI: 100k-topic flood',
        unit: 'msg/s',
        better: 'higher',
        value: TOPICS / floodSeconds,
      },
      {
        key: 'sustained-rate',
        label: 'explorer UI: sustained publish rate',
        unit: 'msg/s',
        better: 'higher',
        value: sent / elapsed,
      },
      {
        key: 'long-tasks',
        label: 'explorer UI: renderer long tasks (>50 ms) while scrolling',
        unit: 'count',
        better: 'lower',
        value: longTasks.length,
        note: longTasks.length ? `longest ${Math.max(...longTasks).toFixed(0)} ms` : undefined,
      },
      {
        key: 'deltas-per-s',
        label: 'explorer UI: tree deltas applied',
        unit: '/s',
        better: 'higher',
        value: stats ? stats.deltas / elapsed : null,
      },
      {
        key: 'ui-frames-per-s',
        label: 'explorer UI: renders with tree changes',
        unit: '/s',
        better: 'higher',
        value: stats ? stats.frames / elapsed : null,
      },
      {
        key: 'events-skipped',
        label: 'explorer UI: live updates skipped by the server',
        unit: 'count',
        better: 'lower',
        value: stats ? stats.eventsSkipped : null,
      },
      {
        key: 'rss-warm',
        label: 'explorer UI: main RSS after warm-up',
        unit: 'MiB',
        better: 'lower',
        value: mib(firstWarm),
      },
      {
        key: 'rss-end',
        label: 'explorer UI: main RSS at end',
        unit: 'MiB',
        better: 'lower',
        value: mib(last),
      },
      {
        key: 'rss-peak',
        label: 'explorer UI: main RSS peak',
        unit: 'MiB',
        better: 'lower',
        value: mib(peak),
      },
      {
        key: 'rss-growth',
        label: 'explorer UI: RSS growth after warm-up',
        unit: 'MiB',
        better: 'lower',
        value: mib(last - firstWarm),
      },
    ];
    const p95 = percentile(intervals, 95);
    return {
      status: pageErrors.length ? 'failed' : 'ok',
      metrics,
      ...(pageErrors.length ? { detail: pageErrors.slice(0, 3).join('; ') } : {}),
      raw: { topics: TOPICS, rate: RATE, seconds: SECONDS, p95Target: 50, p95Met: p95 < 50, rss, ui: stats },
    };
  } finally {
    await disconnectAll(clients).catch(() => {});
    await browser.close().catch(() => {});
    await cli?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

export const explorerUi: Scenario = {
  id: 'explorer-ui',
  title: `Explorer UI in Chromium: ${TOPICS.toLocaleString('en')} topics then ${RATE} msg/s; frame times while scrolling/expanding, main RSS over ${SECONDS} s`,
  scope: 'standalone',
  order: 90,
  run: (ctx: ScenarioContext) => runExplorerUi(ctx.log),
};

if (require.main === module) {
  runExplorerUi((m) => process.stderr.write(`[explorer-ui] ${m}\n`)).then(
    (outcome) => {
      for (const m of outcome.metrics)
        process.stdout.write(
          `${m.label}: ${m.value === null ? 'n/a' : Number(m.value.toFixed(2))} ${m.unit}${m.note ? ` (${m.note})` : ''}\n`,
        );
      process.stdout.write(`status: ${outcome.status}${outcome.detail ? ` (${outcome.detail})` : ''}\n`);
      process.stdout.write(`${JSON.stringify((outcome.raw as { ui?: unknown }).ui)}\n`);
      process.exit(0);
    },
    (err) => {
      process.stderr.write(`${(err as Error).stack}\n`);
      process.exit(1);
    },
  );
}
