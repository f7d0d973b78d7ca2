import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import mqtt from 'mqtt';
import { type PkiCore, startPkiCore } from './core-fixture';

/**
 * Device certificates belong to real tenancy accounts: the `<account>_<name>` convention uses the account's
 * name (as Insights Hub does), unknown account ids are refused, and the mutual-TLS login still matches the
 * client id against that common name.
 */
describe('account-bound device certificates', () => {
  let f: PkiCore;

  before(async () => {
    f = await startPkiCore('acme-industries');
  });

  after(async () => {
    await f?.close();
  });

  test('an account-prefixed common name is <account name>_<device name>, not the account id', async () => {
    // 38 characters: with the 36-character account UUID as prefix this would exceed the 64-character CN limit.
    const name = 'temperature-sensor-with-long-name-0001';
    const cert = await f.call('pki.issueDevice', {
      name,
      accountId: f.accountId,
      commonNameStyle: 'account-prefixed',
    });
    assert.equal(cert.commonName, `acme-industries_${name}`);
    assert.equal(cert.accountId, f.accountId);
    assert.ok(!cert.subject.includes(f.accountId), `the subject names no account id: ${cert.subject}`);
  });

  test('batch issue prefixes every name with the account name', async () => {
    const result = await f.call('pki.batchIssue', {
      csv: 'name\nvalve-1\nvalve-2\n',
      accountId: f.accountId,
      commonNameStyle: 'account-prefixed',
    });
    assert.deepEqual(
      result.issued.map((i) => i.commonName),
      ['acme-industries_valve-1', 'acme-industries_valve-2'],
    );
  });

  test('an unknown account id is refused with NOT_FOUND by issue, batch issue, tenant CA upload and inspect', async () => {
    const ghost = '00000000-0000-4000-8000-000000000000';
    const issue = await f.refusal('pki.issueDevice', { name: 'dev', accountId: ghost });
    assert.equal(issue.code, 'NOT_FOUND');
    assert.match(issue.message, new RegExp(`No account with id ${ghost}`));
    const batch = await f.refusal('pki.batchIssue', { csv: 'a\nb\n', accountId: ghost });
    assert.equal(batch.code, 'NOT_FOUND');
    const chain = (await f.call('pki.listAuthorities', {})).authorities[0]!.certificatePem;
    const upload = await f.refusal('pki.startTenantCaRegistration', { accountId: ghost, caPem: chain });
    assert.equal(upload.code, 'NOT_FOUND');
    assert.match(upload.message, /existing account/);
    const inspect = await f.refusal('pki.inspect', { pem: chain, accountId: ghost });
    assert.equal(inspect.code, 'NOT_FOUND');
    // Nothing was issued for the unknown account.
    assert.equal((await f.call('pki.listCertificates', { accountId: ghost })).total, 0);
  });

  test('a device whose certificate CN is <account name>_<device> logs in over mutual TLS with that client id', async () => {
    const cert = await f.call('pki.issueDevice', {
      name: 'meter-9',
      accountId: f.accountId,
      commonNameStyle: 'account-prefixed',
    });
    const pem = await f.call('pki.exportPem', { serial: cert.serial, includePrivateKey: true });
    const tlsOptions = {
      ca: pem.chainPem,
      cert: pem.certificatePem,
      key: pem.privateKeyPem ?? '',
      rejectUnauthorized: true,
      protocolVersion: 5 as const,
      reconnectPeriod: 0,
      connectTimeout: 20_000,
    };
    const url = `mqtts://localhost:${f.mutualPort}`;
    const client = await mqtt.connectAsync(url, { ...tlsOptions, clientId: 'acme-industries_meter-9' });
    try {
      await client.subscribeAsync('plant/+/power', { qos: 1 });
      const received = new Promise<string>((resolve) =>
        client.once('message', (_t, p) => resolve(p.toString())),
      );
      await client.publishAsync('plant/9/power', '42 kW', { qos: 1 });
      assert.equal(await received, '42 kW');
    } finally {
      await client.endAsync();
    }
    const connections = await f.call('connections.list', { accountId: f.accountId });
    const device = connections.connections.find((d) => d.clientId === 'acme-industries_meter-9');
    assert.ok(device, 'the device is recorded under the account');

    // The same certificate under another client id is refused (platform-hooks: CN must equal the client id).
    await assert.rejects(
      mqtt.connectAsync(url, { ...tlsOptions, clientId: 'meter-9' }),
      (err: Error & { code?: number }) => err.code === 0x85 || /identifier|Client id/i.test(err.message),
    );
  });
});
