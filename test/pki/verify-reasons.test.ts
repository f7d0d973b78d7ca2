import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { makePki, type PkiFixture } from './helpers';

const DAY = 86_400_000;

function reasonOf(verdict: { ok: boolean; reason?: string }): string {
  return verdict.ok ? 'ok' : (verdict.reason ?? '?');
}

describe('verifyClientChain reasons without TLS', () => {
  let f: PkiFixture;
  before(async () => {
    f = await makePki();
  });
  after(() => f.close());

  it('not-yet-valid when the clock is before the certificate', async () => {
    const cert = await f.pki.issueDeviceCertificate({ name: 'future' });
    f.clock.advanceDays(-1);
    try {
      assert.equal(reasonOf(await f.pki.verifyClientChain([cert.certificatePem])), 'not-yet-valid');
    } finally {
      f.clock.advanceDays(1);
    }
    assert.equal(reasonOf(await f.pki.verifyClientChain([cert.certificatePem])), 'ok');
  });

  it('bad-signature for a tampered certificate, no-certificate and unparseable input', async () => {
    const cert = await f.pki.issueDeviceCertificate({ name: 'tampered' });
    const der = Buffer.from(cert.certificatePem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
    der[der.length - 3]! ^= 0x01;
    assert.equal(reasonOf(await f.pki.verifyClientChain([der])), 'bad-signature');
    assert.equal(reasonOf(await f.pki.verifyClientChain([])), 'no-certificate');
    assert.equal(reasonOf(await f.pki.verifyClientChain([Buffer.from('nonsense')])), 'unparseable');
  });

  it('expired when the issuing clock moves past the end of validity', async () => {
    const cert = await f.pki.issueDeviceCertificate({ name: 'short', validityDays: 1 });
    f.clock.advanceDays(2);
    try {
      assert.equal(reasonOf(await f.pki.verifyClientChain([cert.certificatePem])), 'expired');
    } finally {
      f.clock.advanceDays(-2);
    }
    assert.ok(cert.notAfter - cert.notBefore < 2 * DAY);
  });
});
