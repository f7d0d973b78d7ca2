import assert from 'node:assert/strict';
import tls from 'node:tls';
import { after, before, describe, test } from 'node:test';
import mqtt from 'mqtt';
import { createCrl, readPem } from '../helpers/openssl-pki';
import { tryConnect } from '../helpers/mqtt-client';
import { waitFor } from '../helpers/wait-for';
import { type PkiCore, startPkiCore } from './core-fixture';
import { opensslTenantCa, registerTenantCa, signedBy } from './tenant-ca-files';

/** When a tenant's uploaded CRL lapses, OpenSSL refuses its devices: the failure log says why and what to do. */
describe('tenant CRL expiry', () => {
  let f: PkiCore;

  before(async () => {
    f = await startPkiCore('crl-tenant');
  });

  after(async () => {
    await f?.close();
  });

  test('crlNextUpdate is reported, and a handshake after it is recorded as "tenant CRL expired"', async () => {
    const ca = opensslTenantCa(f.dataDir, 'Lapsing Tenant CA');
    const { record } = await registerTenantCa(f, ca);
    await f.call('pki.setTenantCaCrl', { id: record.id, crlPem: readPem(createCrl(ca, { days: 30 })) });

    const device = signedBy(ca, 'crl-device', 'crl-tenant-gauge');
    const options = {
      ca: (await f.call('pki.listAuthorities', {})).authorities.map((a) => a.certificatePem),
      cert: device.cert,
      key: device.key,
      clientId: 'crl-tenant-gauge',
      protocolVersion: 5 as const,
      reconnectPeriod: 0,
      connectTimeout: 20_000,
    };
    const url = `mqtts://localhost:${f.mutualPort}`;
    // While the CRL is current the tenant's device connects.
    const client = await mqtt.connectAsync(url, options);
    await client.endAsync();

    // A CRL that lapses seconds after it is signed. OpenSSL checks it against the wall clock, so the
    // test waits for the refusal itself rather than for a fixed time.
    const lifetimeSeconds = 4;
    const uploadedAt = Date.now();
    const withCrl = await f.call('pki.setTenantCaCrl', {
      id: record.id,
      crlPem: readPem(createCrl(ca, { seconds: lifetimeSeconds })),
    });
    const nextUpdate = withCrl.crlNextUpdate;
    assert.ok(nextUpdate !== null, 'the CRL has a nextUpdate');
    assert.ok(
      Math.abs(nextUpdate - (uploadedAt + lifetimeSeconds * 1000)) < 10_000,
      `nextUpdate ${new Date(nextUpdate).toISOString()} is about ${lifetimeSeconds}s after the upload`,
    );
    const listed = (await f.call('pki.listTenantCas', { accountId: f.accountId })).cas[0];
    assert.equal(listed?.crlNextUpdate, nextUpdate);
    await waitFor(
      async () => {
        const attempt = await tryConnect(url, { ...options, connectTimeout: 5000 });
        if (attempt.ok) await attempt.client.endAsync();
        return !attempt.ok;
      },
      'the device to be refused once the CRL has lapsed',
      30_000,
    );

    // A TLS socket that the listener closes on its own: the handshake was refused.
    const refused = await new Promise<boolean>((resolve) => {
      const socket = tls.connect({
        host: '127.0.0.1',
        port: f.mutualPort,
        servername: 'localhost',
        ...options,
      });
      const timer = setTimeout(() => {
        socket.destroy();
        resolve(false);
      }, 20_000);
      socket.on('error', () => {});
      socket.on('close', () => {
        clearTimeout(timer);
        resolve(true);
      });
    });
    assert.equal(refused, true, 'the device is refused once the tenant CRL has expired');

    const failure = await waitFor(
      async () =>
        (await f.call('listeners.handshakeFailures', {})).failures.find(
          (x) => x.detail === 'CRL_HAS_EXPIRED',
        ),
      'the recorded handshake failure',
      30_000,
    );
    assert.equal(failure.reason, 'crl-expired');
    assert.match(failure.message, /^Tenant CRL expired — upload a fresh CRL \(/);
    assert.match(failure.message, /Lapsing Tenant CA of account crl-tenant, expired \d{4}-\d\d-\d\dT/);
  });
});
