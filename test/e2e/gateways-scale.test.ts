import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import type { Browser, Page } from 'playwright-core';
import { fleetIds, GatewaySimulator, provisionThroughApi } from '../../main/gateways/simulator';
import { TestApiClient } from '../helpers/api-client';
import { launchChromium } from '../helpers/browser';
import { loopbackArgs, type RunningCli, startCli } from '../helpers/cli-process';
import { tempDir } from '../helpers/temp-dir';
import { waitFor } from '../helpers/wait-for';

const ACCOUNT = 'bulkco';
const REGISTRY = 'big';
const GATEWAYS = 500;
const DEVICES = 20;
/** Simulated gateways; their 60 devices change together, so activity is read per registry. */
const LIVE_GATEWAYS = 3;

/** Writes 497 more gateways with 20 bound devices each straight into the stopped app's database. */
function addBulkFleet(dataDir: string, accountId: string): void {
  const db = new Database(path.join(dataDir, 'fieldbench.db'));
  try {
    const device = db.prepare(
      'INSERT INTO gateway_devices (account_id, registry_id, device_id, kind, created_at) VALUES (?, ?, ?, ?, ?)',
    );
    const bind = db.prepare(
      'INSERT INTO gateway_bindings (account_id, registry_id, gateway_id, device_id, created_at) VALUES (?, ?, ?, ?, ?)',
    );
    db.transaction(() => {
      const now = Date.now();
      for (let g = 0; g < GATEWAYS - LIVE_GATEWAYS; g++) {
        const gatewayId = `bulk-gw-${String(g).padStart(3, '0')}`;
        device.run(accountId, REGISTRY, gatewayId, 'gateway', now);
        for (let d = 0; d < DEVICES; d++) {
          const deviceId = `${gatewayId}-dev-${d}`;
          device.run(accountId, REGISTRY, deviceId, 'device', now);
          bind.run(accountId, REGISTRY, gatewayId, deviceId, now);
        }
      }
    })();
  } finally {
    db.close();
  }
}

describe('The Gateways page with 500 gateways × 20 devices', () => {
  const dataDir = tempDir();
  let app: RunningCli;
  let api: TestApiClient;
  let browser: Browser;
  let page: Page;
  let simulator: GatewaySimulator | undefined;
  let accountId: string;

  before(async () => {
    app = await startCli(loopbackArgs('serve', dataDir));
    api = await TestApiClient.connect(app.url, app.token);
    const root = (await api.call('accounts.list', {})).accounts.find((a) => a.parentId === null)!;
    const local = (await api.call('services.list', {})).services.find((s) => s.kind === 'embedded')!;
    accountId = (await api.call('accounts.create', { parentId: root.id, name: ACCOUNT, serviceId: local.id }))
      .id;
    const fleet = await provisionThroughApi(
      api,
      accountId,
      REGISTRY,
      fleetIds('live', LIVE_GATEWAYS, DEVICES),
    );
    api.close();
    await app.stop();
    addBulkFleet(dataDir, accountId);

    app = await startCli(loopbackArgs('serve', dataDir));
    api = await TestApiClient.connect(app.url, app.token);
    const port = Number(/mqtt 127\.0\.0\.1:(\d+)/.exec(app.readyLine)![1]);
    simulator = new GatewaySimulator({
      mqtt: { host: '127.0.0.1', port },
      accountName: ACCOUNT,
      registryId: REGISTRY,
      fleet,
      eventsPerSecond: 5,
    });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
    page.setDefaultTimeout(30_000);
    await page.goto(`${app.url}#token=${app.token}`);
    await page.getByTestId('connection-status').filter({ hasText: 'Connected' }).waitFor({ timeout: 15_000 });
  });

  after(async () => {
    await simulator?.stop();
    await browser?.close();
    api?.close();
    await app?.stop();
  });

  test('the tree lists every gateway and device, renders only what is visible, and stays live', async () => {
    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Gateways', exact: true })
      .click();
    await page.getByTestId('account-picker').selectOption(accountId);
    await page.getByTestId('gateway-counts').filter({ hasText: '500 gateways · 10000 devices' }).waitFor();
    const rendered = await page.locator('[role=treeitem]').count();
    assert.ok(rendered > 10 && rendered < 120, `virtualized: ${rendered} rows in the DOM`);

    await simulator!.start();
    // The live gateway sorts after the bulk ones: scroll to the end of ~10,500 rows.
    await page.getByTestId('gateway-tree').evaluate((el) => {
      el.scrollTop = el.scrollHeight;
    });
    const row = page.getByTestId('tree-live-gw-2-live-gw-2-dev-19');
    await row.getByTestId('tree-status').filter({ hasText: 'attached via live-gw-2' }).waitFor();
    await waitFor(
      async () => /temperature/.test((await row.textContent()) ?? ''),
      'live events at the end of the tree',
      30_000,
    );
    await page.getByTestId('gateway-counts').filter({ hasText: '63 online' }).waitFor();
    assert.ok((await page.locator('[role=treeitem]').count()) < 120, 'still virtualized after scrolling');
  });
});
