import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import mqtt from 'mqtt';
import { runProvisioningAgent } from '../../main/provisioning/agent';
import { waitFor } from '../helpers/wait-for';
import {
  connackCode,
  createRequest,
  nextIdentity,
  PASSWORD,
  type ProvisioningLab,
  requestOf,
  startLab,
} from './helpers';

/** The whole provisioning flow against a real core over mqtts, with the device agent library. */
describe('device provisioning end to end', () => {
  let lab: ProvisioningLab;

  before(async () => {
    lab = await startLab();
  });
  after(async () => {
    await lab.close();
  });

  test('a device provisions over mqtts, reconnects to its account and the request completes', async () => {
    const identity = nextIdentity();
    const configuration = Buffer.from('{"telemetry":{"interval":5}}');
    const appA = crypto.randomBytes(150_000); // three chunks
    const appB = Buffer.from('#!/bin/sh\necho hello\n');
    const { id, bundle } = await createRequest(lab, identity, {
      attachments: [
        { kind: 'application', name: 'app-a.dp', contentBase64: appA.toString('base64') },
        { kind: 'configuration', name: 'snapshot.xml', contentBase64: configuration.toString('base64') },
        { kind: 'application', name: 'app-b.sh', contentBase64: appB.toString('base64') },
      ],
    });
    assert.equal(bundle['client-id'], identity.mac.replaceAll(':', ''), 'client id defaults to the MAC');
    assert.equal(bundle.username, `${identity.mac}-${identity.serial}`);
    assert.equal(bundle['activation-key'].length, 32);

    const installed: string[] = [];
    const result = await runProvisioningAgent(bundle, identity, {
      trustedCaPem: lab.ca,
      keepTargetConnection: true,
      install: (file) => {
        installed.push(file.name);
      },
    });
    const target = result.target!;
    try {
      assert.equal(result.bundle.enabled, false);
      assert.equal(result.bundle.provisioned, true);
      assert.equal(result.configuration.accountName, 'acme');
      assert.match(result.configuration.brokerUrl, /^mqtts:\/\//);
      assert.deepEqual(installed, ['snapshot.xml', 'app-a.dp', 'app-b.sh']);
      const byName = new Map(result.files.map((f) => [f.name, f.content]));
      assert.ok(byName.get('app-a.dp')!.equals(appA), 'the chunked application arrives intact');
      assert.ok(byName.get('snapshot.xml')!.equals(configuration));
      assert.ok(byName.get('app-b.sh')!.equals(appB));

      const done = await waitFor(async () => {
        const r = await requestOf(lab, id);
        return r.request.status === 'COMPLETED' ? r : null;
      }, 'the request to complete');
      assert.deepEqual(
        done.timeline.map((s) => s.status),
        [
          'CREATED',
          'STARTED',
          'RUNNING',
          'CONF_UPDATING',
          'CONF_UPDATED',
          'APPS_INSTALLING',
          'APPS_INSTALLED',
          'COMPLETED',
        ],
      );
      assert.equal(done.request.deviceIdentity?.['serial'], identity.serial);
      assert.equal(done.request.issuedUsername, result.configuration.username);

      // The device now lives in its account: another acme client sees what it publishes.
      await lab.call('credentials.create', {
        accountId: lab.accountId,
        username: 'acme-app',
        password: 'app-password-1',
      });
      const watcher = await mqtt.connectAsync(`mqtt://127.0.0.1:${lab.ports.mqtt}`, {
        username: 'acme-app',
        password: 'app-password-1',
        reconnectPeriod: 0,
      });
      try {
        await watcher.subscribeAsync('devices/#', { qos: 1 });
        const received = new Promise<string>((resolve) =>
          watcher.on('message', (_t, p) => resolve(p.toString())),
        );
        await target.publishAsync('devices/hello', 'first message', { qos: 1 });
        assert.equal(await received, 'first message');
      } finally {
        await watcher.endAsync();
      }
      const { connections: devices } = await lab.call('connections.list', { accountId: lab.accountId });
      assert.ok(devices.some((d) => d.clientId === bundle['client-id'] && d.status === 'connected'));
    } finally {
      await target.endAsync();
    }

    // The throw-away credentials stopped working: a replayed provisioning login is refused.
    const code = await connackCode(lab, {
      clientId: bundle['client-id'],
      username: bundle.username,
      password: PASSWORD,
    });
    assert.equal(code, 0x87);
    const audit = await lab.call('audit.query', { action: 'provisioning.' });
    assert.ok(audit.entries.some((e) => e.action === 'provisioning.completed'));
    assert.ok(audit.entries.some((e) => e.action === 'provisioning.create'));
  });

  test('the Kura protobuf variant with a device CSR gets a certificate for mutual TLS', async () => {
    const identity = nextIdentity();
    const { id, bundle } = await createRequest(lab, identity);
    const result = await runProvisioningAgent(bundle, identity, {
      trustedCaPem: lab.ca,
      format: 'kura',
      csr: true,
    });
    assert.ok(result.configuration.certificatePem?.includes('BEGIN CERTIFICATE'));
    assert.equal(result.configuration.password, undefined, 'no password credential with a CSR');
    const cert = new crypto.X509Certificate(result.configuration.certificatePem!);
    assert.match(cert.subject, new RegExp(`CN=${bundle['client-id']}`));
    const done = await waitFor(async () => {
      const r = await requestOf(lab, id);
      return r.request.status === 'COMPLETED' ? r : null;
    }, 'the CSR request to complete');
    assert.equal(done.request.issuedCertificateSerial !== null, true);
    assert.match(done.timeline.at(-1)!.reason, /certificate/);
  });
});
