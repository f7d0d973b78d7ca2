import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { AuditEntry } from '../../preload/contract/tenancy';
import { type PkiCore, startPkiCore } from './core-fixture';
import { opensslTenantCa, registerTenantCa } from './tenant-ca-files';

/** Certificate operations and key exports are operator changes: they go to the audit log, without secrets. */
describe('PKI audit log', () => {
  let f: PkiCore;

  before(async () => {
    f = await startPkiCore('audited');
  });

  after(async () => {
    await f?.close();
  });

  const pkiEntries = async (): Promise<AuditEntry[]> =>
    (await f.call('audit.query', { action: 'pki.', limit: 200, offset: 0 })).entries;

  const only = (entries: AuditEntry[], action: string): AuditEntry => {
    const found = entries.filter((e) => e.action === action);
    assert.equal(found.length, 1, `one ${action} entry, got ${found.length}`);
    return found[0]!;
  };

  test('issue, batch issue, revoke and key exports are recorded with actor, target and safe details', async () => {
    const cert = await f.call('pki.issueDevice', { name: 'audited-dev', accountId: f.accountId });
    await f.call('pki.batchIssue', { csv: 'b-1\nb-2\nb-3\n', accountId: f.accountId });
    await f.call('pki.exportPem', { serial: cert.serial, includePrivateKey: false });
    const withKey = await f.call('pki.exportPem', { serial: cert.serial, includePrivateKey: true });
    await f.call('pki.exportPkcs12', { serial: cert.serial, password: 'p12-secret-pass' });
    await f.call('pki.revoke', { serial: cert.serial, reason: 'keyCompromise' });

    const entries = await pkiEntries();
    const issued = only(entries, 'pki.issueDevice');
    assert.equal(issued.actor, 'test');
    assert.equal(issued.transport, 'internal');
    assert.equal(issued.target, 'certificate:audited-dev');
    assert.equal((issued.details as { serial: string }).serial, cert.serial);

    const batch = only(entries, 'pki.batchIssue');
    assert.equal((batch.details as { count: number }).count, 3);
    assert.deepEqual((batch.details as { commonNames: string[] }).commonNames, ['b-1', 'b-2', 'b-3']);

    const revoked = only(entries, 'pki.revoke');
    assert.equal((revoked.details as { reason: string }).reason, 'keyCompromise');

    // Only the export that included the private key is recorded.
    const keyExport = only(entries, 'pki.exportPrivateKey');
    assert.equal((keyExport.details as { format: string }).format, 'pem');
    only(entries, 'pki.exportPkcs12');

    const all = JSON.stringify(entries);
    assert.ok(!all.includes('p12-secret-pass'), 'no PKCS#12 password in the audit log');
    assert.ok(!all.includes('PRIVATE KEY'), 'no private key in the audit log');
    assert.ok(withKey.privateKeyPem && !all.includes(withKey.privateKeyPem.split('\n')[1]!));
  });

  test('tenant CA upload, acceptance and removal are recorded, without the registration code', async () => {
    const ca = opensslTenantCa(f.dataDir, 'Audited Tenant CA');
    const { registration, record } = await registerTenantCa(f, ca);
    await f.call('pki.removeTenantCa', { id: record.id });

    const entries = await pkiEntries();
    for (const action of ['pki.tenantCa.upload', 'pki.tenantCa.add', 'pki.tenantCa.remove']) {
      const entry = only(entries, action);
      assert.equal(entry.target, `tenantCa:${f.accountId}`);
      assert.equal((entry.details as { id: string }).id, record.id);
    }
    assert.match(
      (only(entries, 'pki.tenantCa.remove').details as { subject: string }).subject,
      /Audited Tenant CA/,
    );
    assert.ok(!JSON.stringify(entries).includes(registration.registrationCode), 'no registration code');
  });
});
