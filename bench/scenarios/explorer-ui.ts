import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import WebSocket from 'ws';
import { TestApiClient } from '../../test/helpers/api-client';
import { launchChromium, screenshotPath } from '../../test/helpers/browser';
import { type RunningCli, startCli } from '../../test/helpers/cli-process';
import { encodePublish } from '../lib/mqtt-frames';
import { rssBytes } from '../lib/proc-stats';
import { connectRaw, disconnectAll, type RawClient } from '../lib/raw-client';
import type { Metric, Scenario, ScenarioContext, ScenarioOutcome } from './types';

/*
 * Explorer UI under load: the headless app (built CLI) gets 100,000 distinct topics, then a sustained
 * 5,000 msg/s; Chromium shows the Explorer while a script scrolls and expands the topic tree. Frame
 * times come from requestAnimationFrame timestamps collected in the page.
 *
 * Memory: under this load the main process's heap saws between ~80 MiB live and several hundred MiB,
 * with major GCs a few to 80 s apart, so two RSS samples taken at arbitrary moments differ by up to
 * ~200 MiB whatever the trend. The growth after warm-up is therefore measured between two points where
 * the process has just done a full GC, forced through the inspector (the app runs with
 * NODE_OPTIONS=--inspect=127.0.0.1:0 here): once after warm-up (tree built, scrolling done), once at the
 * end, the load still running. RSS and the live JS heap are also sampled every 2 s, for the peak.
 *
 * The sustained window is BENCH_EXPLORER_UI_SECONDS: 120 s when the scenario is chosen by name or run
 * alone, 90 s inside a full sweep (which keeps `npm run bench` under five minutes).
 * Needs `npm run build` first. Run alone: `node --import tsx bench/scenarios/explorer-ui.ts`.
 */

const TOPICS = Number(process.env.BENCH_EXPLORER_UI_TOPICS ?? 100_000);
const RATE = Number(process.env.BENCH_EXPLORER_UI_RATE ?? 5000);
/** Two minutes when asked for by name (or run alone); shorter inside a full `npm run bench` sweep. */
const CHOSEN = require.main === module || process.argv.some((a) => a.split(',').includes('explorer-ui'));
const SECONDS = Number(process.env.BENCH_EXPLORER_UI_SECONDS ?? (CHOSEN ? 120 : 90));
const SCROLL_SECONDS = Math.min(20, Math.max(5, Math.floor(SECONDS / 3)));
/** Load after the scrolling before the baseline is taken: history writes and caches settle. */
const SETTLE_SECONDS = 5;
/** Half the explorer's 50,000 msg/s recording budget, leaving room for a broker that falls behind and catches up. */
const FLOOD_RATE = Number(process.env.BENCH_EXPLORER_UI_FLOOD_RATE ?? 25_000);
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

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/**
 * Publishes every topic once, paced below the explorer's recording budget for the embedded broker
 * (LOCAL_ROUTED_MAX_MESSAGES_PER_SECOND): faster, the excess is dropped and never reaches the tree.
 */
async function floodTopics(client: RawClient, log: (m: string) => void): Promise<void> {
  const started = performance.now();
  let sent = 0;
  while (sent < TOPICS) {
    const due = Math.min(TOPICS, Math.floor(((performance.now() - started) / 1000) * FLOOD_RATE));
    if (due > sent) {
      const batch: Buffer[] = [];
      for (; sent < due; sent++)
        batch.push(encodePublish(topicOf(sent), Buffer.from(`{"v":${sent % 100},"i":${sent}}`)));
      await write(client, Buffer.concat(batch));
    }
    await sleep(20);
  }
  const seconds = (performance.now() - started) / 1000;
  log(`${TOPICS} topics published in ${seconds.toFixed(1)} s (paced at ${FLOOD_RATE} msg/s)`);
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

/** The inspector's WebSocket address, printed on stderr when the process starts with `--inspect`. */
function inspectorUrl(cli: RunningCli): string {
  const url = /Debugger listening on (ws:\/\/\S+)/.exec(cli.output())?.[1];
  if (!url) throw new Error(`the app did not start its inspector:\n${cli.output().slice(0, 2000)}`);
  return url;
}

/** A full, memory-reducing GC in the inspected process (HeapProfiler.collectGarbage). */
async function collectGarbage(url: string): Promise<void> {
  const ws = new WebSocket(url);
  try {
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('HeapProfiler.collectGarbage timed out')), 30_000);
      ws.on('message', (data) => {
        const reply = JSON.parse(String(data)) as { id?: number; error?: { message: string } };
        if (reply.id !== 1) return;
        clearTimeout(timer);
        if (reply.error) reject(new Error(reply.error.message));
        else resolve();
      });
      ws.send(JSON.stringify({ id: 1, method: 'HeapProfiler.collectGarbage' }));
    });
  } finally {
    ws.close();
  }
}

interface SettledMemory {
  /** Since the sustained load started. */
  t: number;
  rss: number;
  heap: number;
}

export async function runExplorerUi(log: (m: string) => void): Promise<ScenarioOutcome> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-bench-ui-'));
  let cli: RunningCli | undefined;
  const browser = await launchChromium();
  const clients: RawClient[] = [];
  let api: TestApiClient | undefined;
  try {
    const nodeOptions = `${process.env.NODE_OPTIONS ?? ''} --inspect=127.0.0.1:0`.trim();
    cli = await startCli(
      [
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
      ],
      { NODE_OPTIONS: nodeOptions },
    );
    const inspector = inspectorUrl(cli);
    const port = Number(/mqtt [^:\s]+:(\d+)/.exec(cli.readyLine)?.[1]);
    if (!port) throw new Error(`no MQTT port in the ready line: ${cli.readyLine}`);
    const pid = cli.child.pid!;
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(`${cli.url}#token=${cli.token}`);
    await page.evaluate("location.hash = '#/explorer'");
    await page.getByTestId('explorer-page').waitFor({ timeout: 15_000 });

    const statsApi = await TestApiClient.connect(cli.url, cli.token);
    api = statsApi;
    const publisher = await connectRaw(port, 'bench-ui-flood');
    clients.push(publisher);
    const floodStarted = performance.now();
    await floodTopics(publisher, log);
    await page.waitForFunction(
      (n) => {
        const t = document.querySelector('[data-testid="tree-totals"]')?.textContent ?? '';
        return Number(t.split(' ')[0]!.replace(/\D/g, '')) >= n;
      },
      TOPICS,
      { timeout: 120_000 },
    );
    const visibleSeconds = (performance.now() - floodStarted) / 1000;
    log(`the UI counts all topics, ${visibleSeconds.toFixed(1)} s after the first was published`);
    await expand(page, 'fleet');
    // Lower siblings first: expanding site0 (1,000 children) pushes them out of the rendered window.
    await expand(page, 'fleet/site1');
    await expand(page, 'fleet/site0');
    await expand(page, 'fleet/site0/dev0000');

    const sustained = sustain(publisher);
    const startedAt = Date.now();
    const rss: {
      t: number;
      rss: number;
      heap?: number;
      heapTotal?: number;
      external?: number;
      db?: number;
    }[] = [];
    const sampler = setInterval(() => {
      const sample: (typeof rss)[number] = { t: Date.now() - startedAt, rss: rssBytes(pid) };
      rss.push(sample);
      statsApi
        .call('system.stats', {})
        .then((st) => {
          sample.heap = st.memory.heapUsed;
          sample.heapTotal = st.memory.heapTotal;
          sample.external = st.memory.external;
          sample.db = st.databaseSizeBytes;
        })
        .catch(() => {});
    }, 2000);
    /** RSS and live heap just after a full GC, the load still running. */
    const settled = async (): Promise<SettledMemory> => {
      await collectGarbage(inspector);
      // Freed pages go back to the OS from a background thread: give it a moment.
      await sleep(1000);
      const st = await statsApi.call('system.stats', {});
      return { t: Date.now() - startedAt, rss: rssBytes(pid), heap: st.memory.heapUsed };
    };
    await sleep(3000);
    log(`scrolling and expanding for ${SCROLL_SECONDS} s under ${RATE} msg/s`);
    const { frames, longTasks } = await exerciseTree(page, SCROLL_SECONDS);
    await page.screenshot({ path: screenshotPath('explorer-100k-topics') }).catch(() => {});
    await sleep(SETTLE_SECONDS * 1000);
    const warm = await settled();
    log(
      `after warm-up (${(warm.t / 1000).toFixed(0)} s, full GC): RSS ${(warm.rss / 1048576).toFixed(0)} MiB, heap ${(warm.heap / 1048576).toFixed(0)} MiB`,
    );
    const remaining = SECONDS * 1000 - (Date.now() - startedAt);
    if (remaining > 0) {
      log(`holding the load for ${(remaining / 1000).toFixed(0)} s more (memory)`);
      await sleep(remaining);
    }
    const end = await settled();
    log(
      `at the end (${(end.t / 1000).toFixed(0)} s, full GC): RSS ${(end.rss / 1048576).toFixed(0)} MiB, heap ${(end.heap / 1048576).toFixed(0)} MiB`,
    );
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
    const peak = Math.max(...rss.map((s) => s.rss));
    const measured = `over ${((end.t - warm.t) / 1000).toFixed(0)} s at ${RATE} msg/s`;
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
        key: 'topics-visible',
        label: `explorer UI: ${TOPICS.toLocaleString('en')} topics published at ${FLOOD_RATE.toLocaleString('en')} msg/s, until all counted in the UI`,
        unit: 's',
        better: 'lower',
        value: visibleSeconds,
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
        label: 'explorer UI: main RSS after warm-up (full GC)',
        unit: 'MiB',
        better: 'lower',
        value: mib(warm.rss),
      },
      {
        key: 'rss-end',
        label: 'explorer UI: main RSS at end (full GC)',
        unit: 'MiB',
        better: 'lower',
        value: mib(end.rss),
      },
      {
        key: 'rss-peak',
        label: 'explorer UI: main RSS peak (2 s samples)',
        unit: 'MiB',
        better: 'lower',
        value: mib(peak),
      },
      {
        key: 'rss-growth',
        label: 'explorer UI: RSS growth after warm-up (full GC at both ends)',
        unit: 'MiB',
        better: 'lower',
        value: mib(end.rss - warm.rss),
        note: measured,
      },
      {
        key: 'heap-warm',
        label: 'explorer UI: main live JS heap after warm-up (full GC)',
        unit: 'MiB',
        better: 'lower',
        value: mib(warm.heap),
      },
      {
        key: 'heap-growth',
        label: 'explorer UI: live JS heap growth after warm-up (full GC at both ends)',
        unit: 'MiB',
        better: 'lower',
        value: mib(end.heap - warm.heap),
        note: measured,
      },
    ];
    const p95 = percentile(intervals, 95);
    return {
      status: pageErrors.length ? 'failed' : 'ok',
      metrics,
      ...(pageErrors.length ? { detail: pageErrors.slice(0, 3).join('; ') } : {}),
      raw: {
        topics: TOPICS,
        rate: RATE,
        seconds: SECONDS,
        p95Target: 50,
        p95Met: p95 < 50,
        settled: { warm, end },
        rss,
        ui: stats,
      },
    };
  } finally {
    api?.close();
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
