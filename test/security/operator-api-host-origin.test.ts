import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startHeadlessServer } from '../../main/api';
import { type Core, createCore } from '../../main/core';
import { API_SUBPROTOCOL, TOKEN_SUBPROTOCOL_PREFIX } from '../../preload/contract/wire';
import { tempDir } from '../helpers/temp-dir';
import { apiUpgradeLines, rawRequest } from './helpers/raw-http';

describe('operator API: Host and Origin (DNS rebinding, cross-site WebSockets)', () => {
  let core: Core;
  let server: Awaited<ReturnType<typeof startHeadlessServer>>;
  let protocols: string[];

  before(async () => {
    core = await createCore({ dataDir: tempDir(), mode: 'headless' });
    server = await startHeadlessServer({
      host: '127.0.0.1',
      port: 0,
      rendererDir: tempDir(),
      token: () => core.operatorToken.current(),
      dispatch: core.dispatch,
      events: core.events,
      logger: core.logger,
    });
    protocols = [API_SUBPROTOCOL, `${TOKEN_SUBPROTOCOL_PREFIX}${core.operatorToken.current()}`];
  });

  after(async () => {
    await server.close();
    await core.close();
  });

  const get = (host: string) => rawRequest(server.port, ['GET /healthz HTTP/1.1', `Host: ${host}`]);

  test('plain requests must name a loopback host or the bind address', async () => {
    assert.equal(await get(`127.0.0.1:${server.port}`), 200);
    assert.equal(await get(`localhost:${server.port}`), 200);
    assert.equal(await get(`evil.example:${server.port}`), 403);
    assert.equal(await get('rebind.attacker.test'), 403);
    assert.equal(await rawRequest(server.port, ['GET /healthz HTTP/1.0']), 403);
  });

  test('the WebSocket API refuses a foreign Host even with the right token', async () => {
    assert.equal(
      await rawRequest(server.port, apiUpgradeLines(`evil.example:${server.port}`, protocols)),
      403,
    );
    const refusal = core.logs.recent('warn', 50).find((e) => e.msg.includes('foreign Host or Origin'));
    assert.ok(refusal, 'the refusal is logged');
    assert.ok(!JSON.stringify(refusal).includes(core.operatorToken.current()), 'without the token');
  });

  test('the WebSocket API accepts only the UI origin from a browser', async () => {
    const host = `127.0.0.1:${server.port}`;
    assert.equal(
      await rawRequest(server.port, apiUpgradeLines(host, protocols, 'https://evil.example')),
      403,
    );
    assert.equal(
      await rawRequest(server.port, apiUpgradeLines(host, protocols, `http://localhost:${server.port}`)),
      403,
    );
    assert.equal(await rawRequest(server.port, apiUpgradeLines(host, protocols, `http://${host}`)), 101);
    // Non-browser clients send no Origin.
    assert.equal(await rawRequest(server.port, apiUpgradeLines(host, protocols)), 101);
  });
});
