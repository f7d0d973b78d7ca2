import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createCsr } from '../helpers/openssl-pki';
import { run } from '../helpers/process';
import { type PkiCore, startPkiCore } from './core-fixture';
import { opensslTenantCa, registerTenantCa, signedBy } from './tenant-ca-files';

/** The inspector reads binary (DER) files too, and verifies chains against the chosen account's CAs. */
describe('inspector with DER files and an account', () => {
  let f: PkiCore;
  let otherAccountId: string;

  before(async () => {
    f = await startPkiCore('inspected');
    const local = (await f.call('services.list', {})).services.find((s) => s.kind === 'embedded')!;
    const root = (await f.call('accounts.list', {})).accounts.find((a) => a.parentId === null)!;
    otherAccountId = (
      await f.call('accounts.create', { parentId: root.id, name: 'bystander', serviceId: local.id })
    ).id;
  });

  after(async () => {
    await f?.close();
  });

  /** Converts a PEM file to DER with openssl and answers it base64-encoded, as the renderer sends it. */
  async function derOf(tool: 'x509' | 'req' | 'crl' | 'pkey', pem: string, name: string): Promise<string> {
    const input = path.join(f.dataDir, `${name}.pem`);
    const output = path.join(f.dataDir, `${name}.der`);
    fs.writeFileSync(input, pem);
    const converted = await run('openssl', [tool, '-in', input, '-outform', 'DER', '-out', output]);
    assert.equal(converted.code, 0, converted.stderr);
    const der = fs.readFileSync(output);
    assert.equal(der[0], 0x30, 'openssl wrote binary DER');
    return der.toString('base64');
  }

  test('a DER device certificate of a tenant CA verifies against its account, not another', async () => {
    const ca = opensslTenantCa(f.dataDir, 'Inspected Tenant CA');
    await registerTenantCa(f, ca);
    const device = signedBy(ca, 'der-device', 'inspected_gauge-1');
    const derBase64 = await derOf('x509', device.cert, 'device-cert');

    const mine = await f.call('pki.inspect', { derBase64, accountId: f.accountId });
    const item = mine.items[0];
    assert.equal(item?.type, 'certificate');
    assert.equal(item?.type === 'certificate' && item.commonName, 'inspected_gauge-1');
    assert.equal(mine.chain?.verified, true, mine.chain?.message);
    assert.equal(mine.chain?.trustedBy, 'tenant');
    assert.equal(mine.chain?.accountId, f.accountId);

    const theirs = await f.call('pki.inspect', { derBase64, accountId: otherAccountId });
    assert.equal(theirs.chain?.verified, false);
  });

  test('DER CSRs, private keys and CRLs are recognised by their content', async () => {
    const { csr, key } = createCsr(path.join(f.dataDir, 'csr'), 'der-csr', { subject: '/CN=csr-device' });
    const csrItem = (
      await f.call('pki.inspect', { derBase64: await derOf('req', fs.readFileSync(csr, 'utf8'), 'csr') })
    ).items[0];
    assert.equal(csrItem?.type, 'csr');
    assert.equal(csrItem?.type === 'csr' && csrItem.signatureValid, true);

    const keyItem = (
      await f.call('pki.inspect', { derBase64: await derOf('pkey', fs.readFileSync(key, 'utf8'), 'key') })
    ).items[0];
    assert.equal(keyItem?.type, 'private-key');
    assert.equal(keyItem?.type === 'private-key' && keyItem.key?.curve, 'P-256');

    const crlPem = (await f.call('pki.crl', {})).pem;
    const crlItem = (await f.call('pki.inspect', { derBase64: await derOf('crl', crlPem, 'crl') })).items[0];
    assert.equal(crlItem?.type, 'crl');
  });

  test('bad input gets a clear error', async () => {
    const notDer = await f.refusal('pki.inspect', {
      derBase64: Buffer.from('hello world').toString('base64'),
    });
    assert.equal(notDer.code, 'BAD_REQUEST');
    assert.match(notDer.message, /neither PEM text nor DER/);

    const unknownDer = await f.refusal('pki.inspect', {
      derBase64: Buffer.from([0x30, 0x03, 0x02, 0x01, 0x05]).toString('base64'),
    });
    assert.equal(unknownDer.code, 'BAD_REQUEST');
    assert.match(unknownDer.message, /not a certificate, CSR, CRL, private key/);

    const notBase64 = await f.refusal('pki.inspect', { derBase64: 'not base64!' });
    assert.match(notBase64.message, /not valid base64/);

    const both = await f.refusal('pki.inspect', { pem: 'x', derBase64: 'AAAA' });
    assert.match(both.message, /either pem .* or derBase64/);
    const neither = await f.refusal('pki.inspect', {});
    assert.equal(neither.code, 'BAD_REQUEST');
  });
});
