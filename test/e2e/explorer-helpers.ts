import type { Browser, Page } from 'playwright-core';
import { openAppPage } from '../helpers/browser';
import { loopbackArgs, type RunningCli, startCli } from '../helpers/cli-process';

/** Shared pieces of the Explorer and Traffic browser tests. */

export interface App {
  cli: RunningCli;
  mqttPort: number;
}

export async function startApp(dataDir: string): Promise<App> {
  const cli = await startCli(loopbackArgs('serve', dataDir, '--allow-anonymous'));
  const match = /mqtt 127\.0\.0\.1:(\d+)/.exec(cli.readyLine) ?? /mqtt [^:\s]+:(\d+)/.exec(cli.readyLine);
  if (!match) throw new Error(`no MQTT port in the ready line: ${cli.readyLine}`);
  return { cli, mqttPort: Number(match[1]) };
}

/** Opens the Explorer page (or another page id) in a fresh page with the given colour scheme. */
export async function openPage(
  browser: Browser,
  app: App,
  pageId = 'explorer',
  colorScheme: 'light' | 'dark' = 'light',
): Promise<{ page: Page; errors: string[] }> {
  const { page, errors } = await openAppPage(browser, app.cli, pageId, { colorScheme });
  // The embedded broker is tapped only while someone watches: wait until the view is open.
  if (pageId === 'explorer') await page.locator('[data-view-ready="true"]').waitFor({ timeout: 10_000 });
  return { page, errors };
}

/** The tree row of a path (must be visible: its ancestors expanded). */
export function row(page: Page, topicPath: string) {
  return page.locator(`[data-testid="topic-tree"] [data-path="${topicPath.replace(/"/g, '\\"')}"]`);
}

/** Expands every ancestor of `topicPath` and selects it. */
export async function revealAndSelect(page: Page, topicPath: string, timeout = 15_000): Promise<void> {
  const levels = topicPath.split('/');
  // Tenant topics live under their account group `$a/<account>`, one level in the tree.
  const first = topicPath.startsWith('$a/') ? 2 : 1;
  for (let i = first; i < levels.length; i++) {
    const ancestor = levels.slice(0, i).join('/');
    const r = row(page, ancestor);
    await r.waitFor({ timeout });
    if ((await r.getAttribute('aria-expanded')) !== 'true') await r.locator('.twisty').click();
    await page.waitForFunction(
      (p) => document.querySelector(`[data-path="${p}"]`)?.getAttribute('aria-expanded') === 'true',
      ancestor,
      { timeout },
    );
  }
  const target = row(page, topicPath);
  await target.waitFor({ timeout });
  await target.locator('.node-name').click();
  const shown = topicPath.replace(/^\$a\/[^/]+\//, '');
  // The whole name: selecting `a/b` must not pass while `a/b/c` is still selected.
  const exactly = new RegExp(`^${shown.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
  await page.getByTestId('selected-topic').filter({ hasText: exactly }).waitFor({ timeout });
}

// ---------- a tiny protobuf writer for Kura payloads ----------

function varint(n: number | bigint): Buffer {
  let v = BigInt(n);
  const out: number[] = [];
  do {
    let byte = Number(v & 0x7fn);
    v >>= 7n;
    if (v > 0n) byte |= 0x80;
    out.push(byte);
  } while (v > 0n);
  return Buffer.from(out);
}

function tag(field: number, wire: number): Buffer {
  return varint((field << 3) | wire);
}

function lengthDelimited(field: number, body: Buffer): Buffer {
  return Buffer.concat([tag(field, 2), varint(body.length), body]);
}

function double(field: number, value: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeDoubleLE(value);
  return Buffer.concat([tag(field, 1), b]);
}

/** A Kura payload (kurapayload.proto): timestamp and metrics (double, int32 or string). */
export function encodeKura(
  timestamp: number,
  metrics: Record<string, number | string>,
  ints: string[] = [],
): Buffer {
  const parts: Buffer[] = [Buffer.concat([tag(1, 0), varint(timestamp)])];
  for (const [name, value] of Object.entries(metrics)) {
    const fields: Buffer[] = [lengthDelimited(1, Buffer.from(name))];
    if (typeof value === 'string') {
      fields.push(Buffer.concat([tag(2, 0), varint(5)]), lengthDelimited(8, Buffer.from(value)));
    } else if (ints.includes(name)) {
      fields.push(Buffer.concat([tag(2, 0), varint(3)]), Buffer.concat([tag(6, 0), varint(value)]));
    } else {
      fields.push(Buffer.concat([tag(2, 0), varint(0)]), double(3, value));
    }
    parts.push(lengthDelimited(5000, Buffer.concat(fields)));
  }
  return Buffer.concat(parts);
}
