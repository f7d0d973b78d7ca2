import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { run } from '../helpers/process';
import { type PkiCore, startPkiCore } from './core-fixture';

/** The ZIP bundle targets one of the account's endpoints and records the device as provisioned with it. */
describe('ZIP bundle for an account endpoint', () => {
  let f: PkiCore;

  before(async () => {
    f = await startPkiCore('bundled');
  });

  after(async () => {
    await f?.close();
  });

  async function unzip(base64: string, name: string): Promise<string> {
    const zip = path.join(f.dataDir, `${name}.zip`);
    const out = path.join(f.dataDir, name);
    fs.writeFileSync(zip, Buffer.from(base64, 'base64'));
    const extracted = await run('python3', ['-m', 'zipfile', '-e', zip, out]);
    assert.equal(extracted.code, 0, extracted.stderr);
    return out;
  }

  test('the bundle command dials the chosen endpoint, runs against the mutual-TLS listener, and the device is marked provisioned', async () => {
    const endpoint = await f.call('endpoints.create', {
      accountId: f.accountId,
      scheme: 'mqtts',
      domain: 'localhost',
      port: f.mutualPort,
    });
    const cert = await f.call('pki.issueDevice', {
      name: 'pump-3',
      accountId: f.accountId,
      commonNameStyle: 'account-prefixed',
    });
    const bundle = await f.call('pki.exportBundle', { serial: cert.serial, endpointId: endpoint.id });
    assert.equal(bundle.fileName, 'bundled_pump-3.zip');
    const dir = await unzip(bundle.base64, 'pump-3');
    const script = fs.readFileSync(path.join(dir, 'mosquitto_pub.sh'), 'utf8');
    assert.match(
      script,
      new RegExp(`mosquitto_pub -h 'localhost' -p ${f.mutualPort} --cafile ca-chain\\.pem`),
    );
    // A certificate bound to an account needs no username.
    assert.doesNotMatch(script, /-u 'USERNAME'|not bound to an account/);

    // The ready-to-paste command really publishes over mutual TLS.
    const published = await run('sh', [path.join(dir, 'mosquitto_pub.sh')], { timeoutMs: 60_000 });
    assert.equal(published.code, 0, `mosquitto_pub failed: ${published.stderr}`);

    const devices = (await f.call('connections.list', { accountId: f.accountId })).connections;
    const device = devices.find((d) => d.clientId === 'bundled_pump-3');
    assert.equal(device?.provisionedEndpointId, endpoint.id);

    // The endpoint now has a dependent device: deleting it asks for confirmation and names the device.
    const refusal = await f.refusal('endpoints.delete', { id: endpoint.id });
    assert.equal(refusal.code, 'CONFLICT');
    assert.match(refusal.message, /bundled_pump-3/);

    const audit = await f.call('audit.query', { action: 'pki.exportBundle', limit: 10, offset: 0 });
    const details = audit.entries[0]?.details as { endpointId?: string } | undefined;
    assert.equal(details?.endpointId, endpoint.id);
  });

  test('a non-mqtts endpoint, another account’s endpoint and a missing target are refused clearly', async () => {
    const cert = await f.call('pki.issueDevice', { name: 'pump-4', accountId: f.accountId });
    const plain = await f.call('endpoints.create', {
      accountId: f.accountId,
      scheme: 'mqtt',
      domain: 'localhost',
      port: 1883,
    });
    const wrongScheme = await f.refusal('pki.exportBundle', { serial: cert.serial, endpointId: plain.id });
    assert.equal(wrongScheme.code, 'BAD_REQUEST');
    assert.match(wrongScheme.message, /needs an mqtts endpoint/);

    const unknown = await f.refusal('pki.exportBundle', {
      serial: cert.serial,
      endpointId: 'no-such-endpoint',
    });
    assert.equal(unknown.code, 'NOT_FOUND');

    const nothing = await f.refusal('pki.exportBundle', { serial: cert.serial, host: 'localhost' });
    assert.equal(nothing.code, 'BAD_REQUEST');
    assert.match(nothing.message, /Pick an endpoint, or enter both host and port/);

    const orphan = await f.call('pki.issueDevice', { name: 'no-account' });
    const noAccount = await f.refusal('pki.exportBundle', { serial: orphan.serial, endpointId: plain.id });
    assert.equal(noAccount.code, 'BAD_REQUEST');
    assert.match(noAccount.message, /belongs to no account/);
  });

  test('manual host and port still work as a fallback, without recording a provisioning endpoint', async () => {
    const cert = await f.call('pki.issueDevice', { name: 'pump-5', accountId: f.accountId });
    const bundle = await f.call('pki.exportBundle', { serial: cert.serial, host: '127.0.0.1', port: 8884 });
    const dir = await unzip(bundle.base64, 'pump-5');
    assert.match(fs.readFileSync(path.join(dir, 'README.txt'), 'utf8'), /-h '127\.0\.0\.1' -p 8884/);
    const devices = (await f.call('connections.list', { accountId: f.accountId })).connections;
    assert.equal(
      devices.find((d) => d.clientId === 'pump-5'),
      undefined,
      'no device record is created by a manual export',
    );
  });
});
