import assert from 'node:assert/strict';
import https from 'node:https';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import { type Core, createCore } from '../../main/core';
import { listenerPort } from '../helpers/mosquitto-clients';
import { tempDir } from '../helpers/temp-dir';
import { createAccount, createKey } from './fixture';

/** The REST API over HTTPS and native sockets over WSS, with the server certificate Fieldbench's CA issued. */
describe('resources over TLS (rests, wss)', () => {
  let core: Core;
  let ca: string;
  let key: string;
  let ports: { rests: number; wss: number };

  before(async () => {
    core = await createCore({
      dataDir: tempDir(),
      mode: 'headless',
      listeners: { brokerHost: '127.0.0.1', wssPort: 0, restsPort: 0 },
    });
    const details = core.readyDetails();
    ports = { rests: listenerPort(details, 'rests'), wss: listenerPort(details, 'wss') };
    ca = core.store.db
      .prepare("SELECT cert_pem FROM pki_authorities WHERE role = 'root'")
      .pluck()
      .get() as string;
    key = (await createKey(core, await createAccount(core, 'acme'), 'operator')).key;
  });

  after(async () => {
    await core.close();
  });

  const request = (method: string, path: string, body?: unknown, trust = ca) =>
    new Promise<{ status: number; body: unknown }>((resolve, reject) => {
      const req = https.request(
        {
          host: 'localhost',
          port: ports.rests,
          path,
          method,
          ca: trust,
          headers: { authorization: key, 'content-type': 'application/json' },
        },
        (res) => {
          let text = '';
          res.on('data', (chunk) => (text += chunk));
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined }),
          );
        },
      );
      req.on('error', reject);
      req.end(body === undefined ? undefined : JSON.stringify(body));
    });

  it('serves REST over HTTPS with a certificate the local CA verifies, and refuses untrusting clients', async () => {
    const created = await request('POST', '/thngs', { name: 'secure' });
    assert.equal(created.status, 201);
    const id = (created.body as { id: string }).id;
    assert.equal((await request('PUT', `/thngs/${id}/properties/temp`, [{ value: 1 }])).status, 200);

    const socket = new WebSocket(`wss://localhost:${ports.wss}/thngs/${id}/properties/temp?pubStates=1`, {
      ca,
      headers: { authorization: key },
    });
    const first = await new Promise<unknown>((resolve, reject) => {
      socket.once('message', (data) => resolve(JSON.parse(String(data))));
      socket.once('error', reject);
    });
    assert.deepEqual((first as { value: number }[])[0]?.value, 1);
    socket.close();

    await assert.rejects(
      request('GET', `/thngs/${id}`, undefined, ''),
      /self[- ]signed|unable to (get|verify)/i,
    );
  });
});
