import fs from 'node:fs';
import path from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { REPO_ROOT } from './cli-process';

export const SCREENSHOT_DIR = path.join(REPO_ROOT, 'test-results');

/** Debian's Chromium, headless; never a downloaded browser. */
export function launchChromium(): Promise<Browser> {
  const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!fs.existsSync(executablePath)) {
    throw new Error(`${executablePath} not found: install Debian's chromium (apt-get install chromium)`);
  }
  return chromium.launch({
    executablePath,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  });
}

export function screenshotPath(name: string): string {
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  return path.join(SCREENSHOT_DIR, `${name}.png`);
}

export interface AppPageOptions {
  colorScheme?: 'light' | 'dark';
  /** Default 1440 × 900. */
  viewport?: { width: number; height: number };
  acceptDownloads?: boolean;
}

/**
 * Opens the app with its token in a fresh browser context, waits for the live connection, then shows
 * the page `pageId` (`#/<pageId>`, test id `<pageId>-page`). `errors` collects console errors and page errors.
 */
export async function openAppPage(
  browser: Browser,
  app: { url: string; token: string },
  pageId: string,
  options: AppPageOptions = {},
): Promise<{ page: Page; errors: string[] }> {
  const context = await browser.newContext({
    viewport: options.viewport ?? { width: 1440, height: 900 },
    colorScheme: options.colorScheme ?? 'light',
    ...(options.acceptDownloads ? { acceptDownloads: true } : {}),
  });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${app.url}#token=${app.token}`);
  await page.getByTestId('connection-status').filter({ hasText: 'Connected' }).waitFor({ timeout: 15_000 });
  await page.evaluate(`location.hash = '#/${pageId}'`);
  await page.getByTestId(`${pageId}-page`).waitFor({ timeout: 10_000 });
  return { page, errors };
}

/** Follows a link of the main navigation by its name and waits for the page with test id `testId`. */
export async function navigateTo(page: Page, title: string, testId: string): Promise<void> {
  await page
    .getByRole('navigation', { name: 'Main' })
    .getByRole('link', { name: title, exact: true })
    .click();
  await page.getByTestId(testId).waitFor();
}
