import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type tls from 'node:tls';
import type { CertificateRecord } from '../../main/pki';
import { waitFor } from '../helpers/wait-for';
import { createCa, createCrl, issueCert, readPem } from '../helpers/openssl-pki';
import { testClock } from '../helpers/test-clock';
import { makePki, type PkiFixture } from './helpers';
import {
  type ClientIdentity,
  closeServer,
  nodeHandshake,
  opensslHandshake,
  startMutualTlsServer,
} from './tls-tools';

const DAY = 86_400_000;

describe('mutual TLS with PKI-issued certificates', () => {
  let f: PkiFixture;
  let other: PkiFixture;
  let server: tls.Server;
  let port: number;
  let rejections: string[];
  let peers: tls.PeerCertificate[];

  /** Runs a handshake that must be refused and returns the server's verification error code. */
  async function refusedWith(attempt: () => Promise<{ ok: boolean }>): Promise<string> {
    const before = rejections.length;
    const outcome = await attempt();
    assert.equal(outcome.ok, false, 'the server must not greet this client');
    await waitFor(() => rejections.length > before, 'the server to record the rejection');
    return rejections.at(-1)!;
  }
  const identities: Record<string, ClientIdentity & { record: CertificateRecord }> = {};
  const files: Record<string, { certFile: string; keyFile: string }> = {};
  let caFile: string;

  function identity(name: string, record: CertificateRecord, fixture: PkiFixture = f) {
    const exported = fixture.pki.exportPem(record.serial, { includePrivateKey: true });
    assert.ok(exported.privateKeyPem);
    identities[name] = {
      cert: exported.certificatePem + exported.chainPem,
      key: exported.privateKeyPem,
      record,
    };
    files[name] = {
      certFile: fixture.file(`${name}.crt`, exported.certificatePem + exported.chainPem),
      keyFile: fixture.file(`${name}.key`, exported.privateKeyPem),
    };
  }

  before(async () => {
    // Start 400 days in the past so an already-expired device certificate can be issued.
    const clock = testClock(new Date(Date.now() - 400 * DAY));
    f = await makePki({ clock });
    identity('expired', await f.pki.issueDeviceCertificate({ name: 'old-device', validityDays: 30 }));
    clock.set(new Date());
    // The CRLs were signed "400 days ago"; the maintenance pass re-signs them for the present.
    await f.pki.runMaintenance();
    identity('ec', await f.pki.issueDeviceCertificate({ name: 'dev-ec', accountId: 'acme' }));
    identity('rsa', await f.pki.issueDeviceCertificate({ name: 'dev-rsa', keyAlgorithm: 'rsa-2048' }));
    identity('revoked', await f.pki.issueDeviceCertificate({ name: 'dev-revoked' }));
    identity('later-revoked', await f.pki.issueDeviceCertificate({ name: 'dev-later' }));
    identity('server-only', await f.pki.issueServerCertificate({ dnsNames: ['not-a-client.local'] }));
    await f.pki.revoke(identities.revoked!.record.serial, 'keyCompromise');
    other = await makePki();
    identity('foreign', await other.pki.issueDeviceCertificate({ name: 'stranger' }), other);

    const serverCert = await f.pki.issueServerCertificate({
      dnsNames: ['localhost'],
      ipAddresses: ['127.0.0.1'],
    });
    const credentials = f.pki.serverCredentials(serverCert.serial);
    ({ server, port, rejections, peers } = await startMutualTlsServer({
      cert: credentials.cert,
      key: credentials.key,
      ...f.pki.tlsTrust(),
    }));
    f.pki.onTrustChanged((trust) =>
      server.setSecureContext({ cert: credentials.cert, key: credentials.key, ...trust }),
    );
    caFile = f.file('ca-chain.pem', f.pki.caChainPem());
  });

  after(async () => {
    await closeServer(server);
    await f.close();
    await other.close();
  });

  for (const name of ['ec', 'rsa']) {
    it(`accepts the ${name.toUpperCase()} device certificate (Node client and openssl s_client)`, async () => {
      const cn = identities[name]!.record.commonName;
      assert.deepEqual(await nodeHandshake(port, f.pki.caChainPem(), identities[name]!), {
        ok: true,
        greeting: `hello ${cn}`,
      });
      assert.deepEqual(await opensslHandshake(port, { caFile, ...files[name]! }), {
        ok: true,
        greeting: `hello ${cn}`,
      });
      // As the broker does it: with the peer certificate object from the TLS socket.
      const verdict = await f.pki.verifyClientChain([peers.at(-1)!]);
      assert.equal(verdict.ok, true);
      assert.ok(verdict.ok);
      assert.equal(verdict.commonName, cn);
      assert.equal(verdict.serial, identities[name]!.record.serial);
      assert.equal(verdict.accountId, name === 'ec' ? 'acme' : null);
    });
  }

  const refusals: [string, RegExp, string][] = [
    ['revoked', /^CERT_REVOKED$/, 'revoked'],
    ['expired', /^CERT_HAS_EXPIRED$/, 'expired'],
    // OpenSSL keeps its last error: the untrusted root's missing CRL may come after the trust failure.
    [
      'foreign',
      /^(UNABLE_TO_GET_ISSUER_CERT_LOCALLY|UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_GET_CRL)$/,
      'unknown-ca',
    ],
    ['server-only', /^INVALID_PURPOSE$/, 'wrong-eku'],
  ];
  for (const [name, code, reason] of refusals) {
    it(`refuses the ${name} certificate at the handshake, and verifyClientChain says ${reason}`, async () => {
      assert.match(await refusedWith(() => nodeHandshake(port, f.pki.caChainPem(), identities[name]!)), code);
      assert.match(await refusedWith(() => opensslHandshake(port, { caFile, ...files[name]! })), code);
      const verdict = await f.pki.verifyClientChain([identities[name]!.cert]);
      assert.equal(verdict.ok, false);
      assert.equal((verdict as { reason: string }).reason, reason);
    });
  }

  it('refuses a certificate revoked while the server runs, once the listener reloads its trust', async () => {
    const target = identities['later-revoked']!;
    assert.equal((await nodeHandshake(port, f.pki.caChainPem(), target)).ok, true);
    const notified: string[] = [];
    const off = f.pki.onRevoked((cert) => notified.push(cert.serial));
    await f.pki.revoke(target.record.serial, 'cessationOfOperation');
    off();
    assert.deepEqual(notified, [target.record.serial]);
    assert.equal(f.pki.isRevoked(target.record.serial), true);
    assert.equal(await refusedWith(() => nodeHandshake(port, f.pki.caChainPem(), target)), 'CERT_REVOKED');
  });

  it('authenticates a device certificate of an accepted tenant CA for that account', async () => {
    const dir = path.join(f.dir, 'tenant');
    const ca = createCa(dir, 'Acme Devices CA', { subject: '/O=Tenant/CN=Acme Devices CA' });
    const caPem = readPem(ca.cert);
    const leaf = { keyUsage: 'critical, digitalSignature', days: 10 };
    const registration = await f.pki.startTenantCaRegistration('acme', caPem);
    const proof = issueCert(ca, 'verification', { ...leaf, subject: `/CN=${registration.registrationCode}` });
    await f.pki.completeTenantCaRegistration(registration.id, readPem(proof.cert));
    const device = issueCert(ca, 'sensor-7', leaf);
    const verdict = await f.pki.verifyClientChain([readPem(device.cert)]);
    assert.equal(verdict.ok, true);
    assert.ok(verdict.ok);
    assert.equal(verdict.accountId, 'acme');
    assert.equal(verdict.issuedBy, 'tenant');
    assert.equal(verdict.commonName, 'sensor-7');
    assert.ok(f.pki.tlsTrust().ca.some((pem) => pem.trim() === caPem.trim()));
    // Node's crl option needs a CRL from every CA on the chain: refused until the tenant supplies one.
    assert.deepEqual(f.pki.tlsTrust().tenantCasWithoutCrl, [registration.id]);
    const tenantDevice = { cert: readPem(device.cert), key: readPem(device.key) };
    assert.equal(
      await refusedWith(() => nodeHandshake(port, f.pki.caChainPem(), tenantDevice)),
      'UNABLE_TO_GET_CRL',
    );
    await f.pki.setTenantCaCrl(registration.id, readPem(createCrl(ca)));
    assert.deepEqual(f.pki.tlsTrust().tenantCasWithoutCrl, []);
    const outcome = await nodeHandshake(port, f.pki.caChainPem(), tenantDevice);
    assert.deepEqual(outcome, { ok: true, greeting: 'hello sensor-7' });
  });
});
