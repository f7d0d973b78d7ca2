import assert from 'node:assert/strict';
import https from 'node:https';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import WebSocket from 'ws';
import { uiNeedsHttps } from '../../main/cli/run-headless';
import { API_SUBPROTOCOL, TOKEN_SUBPROTOCOL_PREFIX } from '../../preload/contract/wire';
import { tempDir } from '../helpers/temp-dir';
import { type Headless, serveHeadless } from './helpers/headless';

function httpsGet(url: string, ca: string): Promise<{ status: number; issuer: string }> {
  return new Promise((resolve, reject) => {
    const req = https.get(url, { ca }, (res) => {
      const issuer = String(
        (res.socket as import('node:tls').TLSSocket).getPeerCertificate().issuer?.CN ?? '',
      );
      res.resume();
      resolve({ status: res.statusCode ?? 0, issuer });
    });
    req.once('error', reject);
  });
}

describe('the operator UI off loopback is served over HTTPS from Fieldbench CA', () => {
  let app: Headless;
  let ca: string;

  before(async () => {
    app = await serveHeadless(tempDir(), '--https');
    ca = (await app.core.uiTls('127.0.0.1')).ca;
  });

  after(async () => {
    await app.stop();
  });

  test('HTTPS is used whenever the UI is not bound to loopback', () => {
    assert.equal(uiNeedsHttps({ host: '0.0.0.0', https: false }), true);
    assert.equal(uiNeedsHttps({ host: '192.168.1.20', https: false }), true);
    assert.equal(uiNeedsHttps({ host: '::', https: false }), true);
    assert.equal(uiNeedsHttps({ host: '127.0.0.1', https: false }), false);
    assert.equal(uiNeedsHttps({ host: '127.0.0.1', https: true }), true);
  });

  test('the ready line prints the https URL, and the certificate verifies against the CA chain', async () => {
    assert.match(app.readyLine, /^Fieldbench ready — open https:\/\/127\.0\.0\.1:\d+\/#token=/);
    const { status, issuer } = await httpsGet(`${app.url}healthz`, ca);
    assert.equal(status, 200);
    assert.ok(issuer.length > 0);
  });

  test('plain HTTP is not answered, and the API works over wss', async () => {
    const port = Number(new URL(app.url).port);
    const answer = await new Promise<string>((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () =>
        socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n'),
      );
      let text = '';
      socket.on('data', (d) => (text += d.toString('latin1')));
      socket.on('error', () => {});
      socket.on('close', () => resolve(text));
    });
    assert.ok(!answer.startsWith('HTTP/1.1 200'), 'no clear-text answer');
    const ws = new WebSocket(
      `${app.url.replace(/^https/, 'wss')}api`,
      [API_SUBPROTOCOL, `${TOKEN_SUBPROTOCOL_PREFIX}${app.token}`],
      { ca },
    );
    const reply = await new Promise<{ result?: { mode: string } }>((resolve, reject) => {
      ws.once('open', () => ws.send(JSON.stringify({ id: 1, method: 'system.info', params: {} })));
      ws.once('message', (data) => resolve(JSON.parse(data.toString())));
      ws.once('error', reject);
    });
    assert.equal(reply.result?.mode, 'headless');
    ws.close();
  });
});
