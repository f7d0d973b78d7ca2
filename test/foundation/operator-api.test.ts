import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import WebSocket from 'ws';
import { loadOrCreateOperatorToken, startHeadlessServer } from '../../main/api';
import { type Core, createCore } from '../../main/core';
import { API_SUBPROTOCOL, CLOSE_UNAUTHORIZED, TOKEN_SUBPROTOCOL_PREFIX } from '../../preload/contract/wire';
import { TestApiClient } from '../helpers/api-client';
import { tempDir } from '../helpers/temp-dir';
import { waitFor } from '../helpers/wait-for';

describe('operator API over the headless WebSocket', () => {
  let core: Core;
  let server: Awaited<ReturnType<typeof startHeadlessServer>>;
  let token: string;
  let dataDir: string;

  before(async () => {
    dataDir = tempDir();
    core = await createCore({ dataDir, mode: 'headless' });
    token = loadOrCreateOperatorToken(dataDir);
    server = await startHeadlessServer({
      host: '127.0.0.1',
      port: 0,
      rendererDir: tempDir(),
      token,
      dispatch: core.dispatch,
      events: core.events,
      logger: core.logger,
    });
  });

  after(async () => {
    await server.close();
    await core.close();
  });

  function rawConnect(protocols: string[]): Promise<{ code: number; reason: string }> {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/api`, protocols);
    return new Promise((resolve) =>
      ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
    );
  }

  test('a wrong or missing token is refused and logged', async () => {
    const wrong = await rawConnect([API_SUBPROTOCOL, `${TOKEN_SUBPROTOCOL_PREFIX}not-the-token`]);
    assert.equal(wrong.code, CLOSE_UNAUTHORIZED);
    const missing = await rawConnect([API_SUBPROTOCOL]);
    assert.equal(missing.code, CLOSE_UNAUTHORIZED);
    const refusals = core.logs.recent('warn', 50).filter((e) => e.msg.includes('wrong or missing token'));
    assert.ok(refusals.length >= 2, 'refusals are logged');
    assert.ok(!JSON.stringify(refusals).includes('not-the-token'), 'the presented token is not logged');
  });

  test('the token is stored owner-only and is stable across restarts', async () => {
    const fs = await import('node:fs');
    const path = await import('node:path');
    const file = path.join(dataDir, 'operator-token');
    assert.equal(fs.statSync(file).mode & 0o777, 0o600);
    assert.equal(loadOrCreateOperatorToken(dataDir), token);
  });

  test('system.info reports the real data directory and schema version', async () => {
    const client = await TestApiClient.connect(server.url, token);
    try {
      const info = await client.call('system.info', {});
      assert.equal(info.dataDir, dataDir);
      assert.equal(info.schemaVersion, core.store.schemaVersion());
      assert.equal(info.mode, 'headless');
      const stats = await client.call('system.stats', {});
      assert.ok(stats.memory.rss > 0 && stats.databaseSizeBytes > 0);
    } finally {
      client.close();
    }
  });

  test('malformed requests get structured errors and the server keeps serving', async () => {
    const client = await TestApiClient.connect(server.url, token);
    try {
      const notJson = new Promise<Record<string, unknown>>((resolve) =>
        client.ws.once('message', (d) => resolve(JSON.parse(d.toString()))),
      );
      client.ws.send('{this is not json');
      assert.deepEqual((await notJson).error, { code: 'BAD_REQUEST', message: 'Message is not valid JSON.' });

      const unknown = await client.request('system.nope', {});
      assert.equal((unknown.error as { code: string }).code, 'UNKNOWN_METHOD');

      const invalid = await client.request('system.logs', { limit: 'lots', extra: true });
      const error = invalid.error as { code: string; message: string; details: Array<{ path: string[] }> };
      assert.equal(error.code, 'BAD_REQUEST');
      assert.ok(
        error.details.some((d) => d.path.join('.') === 'limit'),
        JSON.stringify(error.details),
      );

      const ok = await client.call('system.logs', { minLevel: 'info', limit: 5 });
      assert.ok(ok.entries.length <= 5);
    } finally {
      client.close();
    }
  });

  test('subscribed events are pushed in batches; unsubscribed ones are not', async () => {
    const client = await TestApiClient.connect(server.url, token);
    try {
      await client.request('$subscribe', { events: ['system.log'] });
      core.logger.info('hello from the test');
      await waitFor(
        () =>
          client.events.some(
            ([name, data]) =>
              name === 'system.log' && (data as { msg: string }).msg === 'hello from the test',
          ),
        'the log event',
      );
      assert.ok(
        client.events.every(([name]) => name === 'system.log'),
        'no system.stats without a subscription',
      );
    } finally {
      client.close();
    }
  });
});
