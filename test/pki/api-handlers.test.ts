import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { createDispatcher, type Dispatch } from '../../main/api/dispatcher';
import { EventBus } from '../../main/api/event-bus';
import type { CallContext } from '../../main/api/handlers';
import { createPkiHandlers } from '../../main/pki';
import { run } from '../helpers/process';
import { makePki, type PkiFixture } from './helpers';

const ctx: CallContext = { transport: 'internal', actor: 'test' };

describe('PKI operator API', () => {
  let f: PkiFixture;
  let dispatch: Dispatch;
  const events: { name: string; data: unknown }[] = [];

  before(async () => {
    f = await makePki();
    const bus = new EventBus();
    bus.subscribe((name, data) => events.push({ name, data }));
    dispatch = createDispatcher(createPkiHandlers(f.pki, bus), pino({ level: 'silent' }));
  });
  after(() => f.close());

  async function ok<T>(method: string, request: unknown): Promise<T> {
    const reply = await dispatch(method, request, ctx);
    assert.ok(reply.ok, JSON.stringify(reply));
    return reply.result as T;
  }

  it('serves authorities, issuing, listing and the CRL through the validated contract', async () => {
    const { authorities } = await ok<{ authorities: { role: string }[] }>('pki.listAuthorities', {});
    assert.deepEqual(authorities.map((a) => a.role).sort(), ['issuing', 'root']);
    const cert = await ok<{ serial: string; commonName: string }>('pki.issueDevice', {
      name: 'api-dev',
      accountId: 'acme',
      commonNameStyle: 'account-prefixed',
    });
    assert.equal(cert.commonName, 'acme_api-dev');
    const list = await ok<{ total: number }>('pki.listCertificates', { accountId: 'acme' });
    assert.equal(list.total, 1);
    const crl = await ok<{ pem: string }>('pki.crl', {});
    assert.match(crl.pem, /BEGIN X509 CRL/);
    assert.ok(events.some((e) => e.name === 'pki.changed'));
  });

  it('streams batch progress and revocation events', async () => {
    events.length = 0;
    const result = await ok<{ issued: unknown[] }>('pki.batchIssue', { csv: 'a1\na2\na3' });
    assert.equal(result.issued.length, 3);
    const progress = events
      .filter((e) => e.name === 'pki.batchProgress')
      .map((e) => e.data as { done: number });
    assert.deepEqual(progress.at(-1), { ...(progress.at(-1) as object), done: 3, total: 3 });
    const [first] = result.issued as { serial: string }[];
    await ok('pki.revoke', { serial: first!.serial, reason: 'superseded' });
    const revoked = events.find((e) => e.name === 'pki.certificateRevoked');
    assert.deepEqual(revoked?.data, {
      serial: first!.serial,
      commonName: 'a1',
      accountId: null,
      reason: 'superseded',
    });
  });

  it('exports PKCS#12 and ZIP as base64 that the real tools read', async () => {
    const cert = await ok<{ serial: string }>('pki.issueDevice', { name: 'exp-dev' });
    const p12 = await ok<{ base64: string; fileName: string }>('pki.exportPkcs12', {
      serial: cert.serial,
      password: 'pw-1234',
    });
    assert.equal(p12.fileName, 'exp-dev.p12');
    const read = await run('openssl', [
      'pkcs12',
      '-in',
      f.file('x.p12', Buffer.from(p12.base64, 'base64')),
      '-passin',
      'pass:pw-1234',
      '-noenc',
    ]);
    assert.equal(read.code, 0, read.stderr);
    const zip = await ok<{ base64: string }>('pki.exportBundle', {
      serial: cert.serial,
      host: 'localhost',
      port: 8883,
    });
    const listed = await run('python3', [
      '-m',
      'zipfile',
      '-l',
      f.file('x.zip', Buffer.from(zip.base64, 'base64')),
    ]);
    assert.match(listed.stdout, /mosquitto_pub\.sh/);
    const inspected = await ok<{ chain: { verified: boolean } }>('pki.inspect', {
      pem: (await ok<{ certificatePem: string }>('pki.exportPem', { serial: cert.serial })).certificatePem,
    });
    assert.equal(inspected.chain.verified, true);
  });

  it('maps PKI failures and invalid requests to API error codes', async () => {
    const missing = await dispatch('pki.revoke', { serial: 'ABCDEF' }, ctx);
    assert.deepEqual(missing.ok ? null : missing.error.code, 'NOT_FOUND');
    const invalid = await dispatch('pki.issueDevice', { name: 'x', validityDays: 0 }, ctx);
    assert.equal(invalid.ok ? null : invalid.error.code, 'BAD_REQUEST');
    const badCsr = await dispatch('pki.issueDevice', { csrPem: 'garbage' }, ctx);
    assert.equal(badCsr.ok ? null : badCsr.error.code, 'BAD_REQUEST');
    const leaf = await ok<{ certificatePem: string }>('pki.issueDevice', { name: 'leaf' });
    const notCa = await dispatch(
      'pki.startTenantCaRegistration',
      { accountId: 'acme', caPem: leaf.certificatePem },
      ctx,
    );
    assert.equal(notCa.ok ? null : notCa.error.code, 'BAD_REQUEST');
    assert.match(notCa.ok ? '' : notCa.error.message, /not a CA certificate/);
  });
});
