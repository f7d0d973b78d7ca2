import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { type ProvisioningLab, startLab } from '../provisioning/helpers';
import { type BenchDevice, plugGateway, runsEnded, unplug } from './lab';

describe('USB-serial commissioning against a real core', () => {
  let lab: ProvisioningLab;
  const devices: BenchDevice[] = [];

  before(async () => {
    lab = await startLab();
  });
  after(async () => {
    for (const d of devices) await unplug(d).catch(() => {});
    await lab.close();
  });

  async function plug(faults = {}) {
    const device = await plugGateway(faults);
    devices.push(device);
    await lab.call('serial.addPort', { path: device.pty.host });
    return device;
  }

  test('a gateway is commissioned to first telemetry and leaves a signed, verifiable record', async () => {
    const device = await plug();
    const { ports, listError } = await lab.call('serial.listPorts', {});
    assert.equal(typeof listError === 'string' || listError === null, true);
    const port = ports.find((p) => p.path === device.pty.host);
    assert.equal(port?.source, 'operator');
    assert.equal(port?.inUse, null);

    const progress: string[] = [];
    const off = lab.core.events.subscribe((name, data) => {
      if (name === 'commissioning.progress') progress.push((data as { step: string }).step);
    });
    const { runs } = await lab.call('commissioning.start', {
      ports: [{ path: device.pty.host }],
      targetAccountId: lab.accountId,
      onlineTimeoutSeconds: 30,
    });
    const run = (await runsEnded(lab, [runs[0]!.id])).get(device.pty.host)!;
    off();
    assert.equal(run.state, 'succeeded', run.detail);
    assert.equal(run.deviceSerial, device.identity.serial);
    for (const step of [
      'identify',
      'push settings',
      'write CA chain',
      'commit',
      'reboot',
      'provision',
      'first telemetry',
    ]) {
      assert.ok(progress.includes(step), `progress named ${step}: ${progress.join(', ')}`);
    }

    const flash = JSON.parse(fs.readFileSync(device.stateFile, 'utf8'));
    assert.equal(flash.configuration.accountName, 'acme');
    assert.equal(flash.settings.provisioned, true);

    const { records } = await lab.call('commissioning.records', { search: device.identity.serial });
    assert.equal(records.length, 1);
    assert.equal(records[0]!.result, 'succeeded');
    assert.equal(records[0]!.id, run.recordId);
    const exported = await lab.call('commissioning.exportRecord', { id: run.recordId!, format: 'json' });
    const doc = JSON.parse(exported.content);
    assert.equal(doc.record.settingsPushed.password, '[redacted]');
    assert.equal(doc.record.settingsPushed['activation-key'], '[redacted]');
    assert.equal(doc.record.device.mac, device.identity.mac);
    assert.ok(doc.record.certificates.length >= 1);
    assert.deepEqual(
      doc.record.steps.map((s: { name: string }) => s.name),
      [
        'open port',
        'identify',
        'create provision request',
        'push settings',
        'write CA chain',
        'commit',
        'reboot',
        'provision',
        'first telemetry',
      ],
    );
    assert.ok(!exported.content.includes(flash.settings.password), 'the password is not in the record');

    const verified = await lab.call('commissioning.verifyRecord', { json: exported.content });
    assert.equal(verified.valid, true, verified.reason);
    doc.record.result = 'failed';
    const tampered = await lab.call('commissioning.verifyRecord', { json: JSON.stringify(doc) });
    assert.equal(tampered.valid, false);
    assert.match(tampered.reason, /does not match/);

    // Another Fieldbench (another CA) does not vouch for this record.
    const other = await startLab();
    try {
      const foreign = await other.call('commissioning.verifyRecord', { json: exported.content });
      assert.equal(foreign.valid, false);
      assert.match(foreign.reason, /not issued by this Fieldbench's CA|does not chain/);
    } finally {
      await other.close();
    }

    const html = await lab.call('commissioning.exportRecord', { id: run.recordId!, format: 'html' });
    assert.match(html.content, new RegExp(device.identity.serial));
    assert.match(html.content, /Signature: <strong>valid/);
    assert.ok(!html.content.includes(flash.settings.password));
  });

  test('station mode: ten gateways at once, and one failing port does not stop the others', async () => {
    const good: BenchDevice[] = [];
    for (let i = 0; i < 10; i++) good.push(await plug());
    const offline = await plug({ offline: true });
    // Both batches run at the same time; the offline device gets a short online timeout of its own.
    const [batch, lone] = await Promise.all([
      lab.call('commissioning.start', {
        ports: good.map((d) => ({ path: d.pty.host })),
        targetAccountId: lab.accountId,
        onlineTimeoutSeconds: 90,
      }),
      lab.call('commissioning.start', {
        ports: [{ path: offline.pty.host }],
        targetAccountId: lab.accountId,
        onlineTimeoutSeconds: 4,
      }),
    ]);
    const ended = await runsEnded(
      lab,
      [...batch.runs, ...lone.runs].map((r) => r.id),
      120_000,
    );
    for (const d of good)
      assert.equal(ended.get(d.pty.host)!.state, 'succeeded', ended.get(d.pty.host)!.detail);
    const failed = ended.get(offline.pty.host)!;
    assert.equal(failed.state, 'failed');
    assert.equal(failed.step, 'provision');
    assert.match(failed.detail, /never came online within 4 s/);
  });

  test('with the certificate template the device makes its own key and CSR; the record names the certificate', async () => {
    const device = await plug();
    const { runs } = await lab.call('commissioning.start', {
      ports: [{ path: device.pty.host }],
      targetAccountId: lab.accountId,
      template: { credential: 'certificate' },
      onlineTimeoutSeconds: 30,
    });
    const run = (await runsEnded(lab, [runs[0]!.id])).get(device.pty.host)!;
    assert.equal(run.state, 'succeeded', `${run.step}: ${run.detail}`);
    const flash = JSON.parse(fs.readFileSync(device.stateFile, 'utf8'));
    const certificate = new crypto.X509Certificate(flash.configuration.certificatePem);
    assert.ok(certificate.checkPrivateKey(crypto.createPrivateKey(flash.configuration.privateKeyPem)));
    const exported = await lab.call('commissioning.exportRecord', { id: run.recordId!, format: 'json' });
    const doc = JSON.parse(exported.content);
    const deviceCert = doc.record.certificates.find((c: { role: string }) => c.role === 'device certificate');
    assert.equal(deviceCert?.sha256Fingerprint, certificate.fingerprint256);
    assert.equal(doc.record.settingsPushed['x-csr'], true);
    assert.ok(!exported.content.includes('PRIVATE KEY'), 'the private key stays on the device');
  });
});
