import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import WebSocket from 'ws';
import { rotateOperatorToken } from '../../main/api';
import { HELP_TEXT, parseCli } from '../../main/cli/options';
import { API_SUBPROTOCOL, CLOSE_UNAUTHORIZED, TOKEN_SUBPROTOCOL_PREFIX } from '../../preload/contract/wire';
import { TestApiClient } from '../helpers/api-client';
import { tempDir } from '../helpers/temp-dir';
import { waitFor } from '../helpers/wait-for';
import { type Headless, serveHeadless } from './helpers/headless';

/** Close code of a WebSocket once it closes. */
function closeCode(ws: WebSocket): Promise<number> {
  if (ws.readyState === ws.CLOSED) return Promise.resolve(-1);
  return new Promise((resolve) => ws.once('close', (code) => resolve(code)));
}

function tryToken(url: string, token: string): Promise<number> {
  const ws = new WebSocket(`${url.replace(/^http/, 'ws')}api`, [
    API_SUBPROTOCOL,
    `${TOKEN_SUBPROTOCOL_PREFIX}${token}`,
  ]);
  ws.on('error', () => {});
  return closeCode(ws);
}

describe('rotating the operator token ends old sessions', () => {
  let app: Headless;
  let dataDir: string;

  before(async () => {
    dataDir = tempDir();
    app = await serveHeadless(dataDir);
  });

  after(async () => {
    await app.stop();
  });

  test('system.rotateToken answers with the new token, closes the old session, and the new token works', async () => {
    const old = await TestApiClient.connect(app.url, app.token);
    const bystander = await TestApiClient.connect(app.url, app.token);
    const oldClosed = closeCode(old.ws);
    const bystanderClosed = closeCode(bystander.ws);
    const { token } = await old.call('system.rotateToken', {});
    assert.notEqual(token, app.token);
    assert.equal(await oldClosed, CLOSE_UNAUTHORIZED);
    assert.equal(await bystanderClosed, CLOSE_UNAUTHORIZED);
    assert.equal(await tryToken(app.url, app.token), CLOSE_UNAUTHORIZED, 'the old token is refused');
    const fresh = await TestApiClient.connect(app.url, token);
    const info = await fresh.call('system.info', {});
    assert.equal(info.dataDir, dataDir);
    fresh.close();
    app.token = token;
  });

  test('`fieldbench token rotate` on the data directory ends the sessions of a running Fieldbench', async () => {
    const options = parseCli(['token', 'rotate', '--data-dir', dataDir]);
    assert.equal(options.command, 'token-rotate');
    assert.match(HELP_TEXT, /fieldbench token rotate/);
    const session = await TestApiClient.connect(app.url, app.token);
    const closed = closeCode(session.ws);
    const token = rotateOperatorToken(options.dataDir!);
    assert.equal(await closed, CLOSE_UNAUTHORIZED);
    await waitFor(
      () => app.core.operatorToken.current() === token,
      'the running Fieldbench to read the new token',
    );
    const fresh = await TestApiClient.connect(app.url, token);
    assert.equal((await fresh.call('system.info', {})).dataDir, dataDir);
    fresh.close();
  });
});
