import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type CaOptions, createCa, issueCert, type OpensslCa, readPem } from '../helpers/openssl-pki';
import { makePki, type PkiFixture } from './helpers';

describe('tenant CA registration', () => {
  let f: PkiFixture;
  before(async () => {
    f = await makePki();
  });
  after(() => f.close());

  const dir = (name: string) => path.join(f.dir, 'tenants', name);
  /** A tenant's own CA made by openssl, as PEM files in `dir(folder)`. */
  const tenantCa = (folder: string, name: string, options: CaOptions = {}) =>
    createCa(dir(folder), name, { subject: `/O=Tenant/CN=${name}`, ...options });
  /** The PEM of a certificate with CN `commonName` signed by `ca`. */
  const signedBy = (ca: OpensslCa, name: string, commonName: string) =>
    readPem(
      issueCert(ca, name, { subject: `/CN=${commonName}`, keyUsage: 'critical, digitalSignature', days: 10 })
        .cert,
    );

  async function register(accountId: string, name: string) {
    const ca = tenantCa(name, name);
    const registration = await f.pki.startTenantCaRegistration(accountId, readPem(ca.cert));
    const proof = signedBy(ca, 'proof', registration.registrationCode);
    return {
      ca,
      registration,
      record: await f.pki.completeTenantCaRegistration(registration.id, proof),
    };
  }

  it('accepts a CA after proof of possession and authenticates its devices for the account', async () => {
    const { ca, record } = await register('acme', 'Acme CA One');
    assert.equal(record.status, 'accepted');
    assert.equal(record.accountId, 'acme');
    const device = signedBy(ca, 'dev', 'acme-sensor');
    const verdict = await f.pki.verifyClientChain([device]);
    assert.deepEqual(verdict.ok && [verdict.accountId, verdict.issuedBy, verdict.commonName], [
      'acme',
      'tenant',
      'acme-sensor',
    ]);
    const inspection = await f.pki.inspect(device, { accountId: 'acme' });
    assert.equal(inspection.chain?.verified, true);
    assert.equal(inspection.chain?.trustedBy, 'tenant');
    assert.equal((await f.pki.inspect(device, { accountId: 'other' })).chain?.verified, false);
  });

  it('refuses a certificate that is not a CA', async () => {
    const leaf = tenantCa('not-ca', 'Just A Leaf', { ca: false });
    await assert.rejects(f.pki.startTenantCaRegistration('acme', readPem(leaf.cert)), /not a CA certificate/);
  });

  it('refuses an expired CA', async () => {
    const ca = tenantCa('short', 'Short Lived CA', { days: 1 });
    f.clock.advanceDays(2);
    try {
      await assert.rejects(f.pki.startTenantCaRegistration('acme', readPem(ca.cert)), /expired on/);
    } finally {
      f.clock.advanceDays(-2);
    }
  });

  it('refuses a verification certificate with the wrong code or signed by another key', async () => {
    const ca = tenantCa('pop', 'Pop CA');
    const registration = await f.pki.startTenantCaRegistration('beta', readPem(ca.cert));
    const wrongCode = signedBy(ca, 'wrong-code', 'not-the-code');
    await assert.rejects(
      f.pki.completeTenantCaRegistration(registration.id, wrongCode),
      /CN must be the registration code/,
    );
    const impostor = tenantCa('impostor', 'Pop CA');
    const forged = signedBy(impostor, 'forged', registration.registrationCode);
    await assert.rejects(
      f.pki.completeTenantCaRegistration(registration.id, forged),
      /not signed by the key/,
    );
    assert.equal(f.pki.listTenantCas('beta')[0]?.status, 'pending');
    const device = signedBy(ca, 'early', 'early-device');
    const verdict = await f.pki.verifyClientChain([device]);
    assert.equal(verdict.ok ? 'ok' : verdict.reason, 'unknown-ca', 'a pending CA is not trusted');
  });

  it('refuses a third CA for an account, naming the two it has', async () => {
    await register('acme', 'Acme CA Two');
    const third = tenantCa('three', 'Acme CA Three');
    await assert.rejects(f.pki.startTenantCaRegistration('acme', readPem(third.cert)), (err: Error) => {
      assert.match(err.message, /already has 2 CA certificates/);
      assert.match(err.message, /Acme CA One/);
      assert.match(err.message, /Acme CA Two/);
      return true;
    });
    const removed = f.pki.listTenantCas('acme').find((c) => c.subject.includes('Acme CA Two'))!;
    f.pki.removeTenantCa(removed.id);
    const again = await f.pki.startTenantCaRegistration('acme', readPem(third.cert));
    assert.match(again.registrationCode, /^[0-9a-f]{32}$/);
  });

  it('refuses registering the same CA twice for an account', async () => {
    const existing = f.pki.listTenantCas('acme').find((c) => c.status === 'accepted')!;
    await assert.rejects(
      f.pki.startTenantCaRegistration('acme', existing.certificatePem),
      /already registered/,
    );
  });

  it("refuses Fieldbench's own CAs and a CA already accepted for another account", async () => {
    const issuing = f.pki.listAuthorities().find((a) => a.role === 'issuing')!;
    await assert.rejects(
      f.pki.startTenantCaRegistration('acme', issuing.certificatePem),
      /Fieldbench's own CAs/,
    );
    const accepted = f.pki.listTenantCas('acme').find((c) => c.status === 'accepted')!;
    await assert.rejects(
      f.pki.startTenantCaRegistration('beta', accepted.certificatePem),
      /already registered for another account \(acme\)/,
    );
  });
});
