import assert from 'node:assert/strict';
import { test } from 'node:test';
import mqtt from 'mqtt';
import { startTestCore } from '../helpers/test-core';

test('revoking a certificate not bound to an account still drops the client connected with it', async () => {
  const { core, call, port } = await startTestCore({
    allowAnonymous: true,
    listeners: { mqttsMutualPort: 0 },
  });
  try {
    const issued = await call('pki.issueDevice', { name: 'bench-probe' });
    assert.equal(issued.accountId, null);
    const pem = await call('pki.exportPem', { serial: issued.serial, includePrivateKey: true });
    const device = await mqtt.connectAsync(`mqtts://localhost:${port('mqtts-mutual')}`, {
      ca: pem.chainPem,
      cert: pem.certificatePem,
      key: pem.privateKeyPem!,
      clientId: 'bench-probe',
      protocolVersion: 5,
      reconnectPeriod: 0,
    });
    const dropped = new Promise<number | undefined>((resolve) =>
      device.once('disconnect', (p) => resolve(p.reasonCode)),
    );
    await call('pki.revoke', { serial: issued.serial, reason: 'superseded' });
    assert.equal(await dropped, 0x98);
    device.end(true);
  } finally {
    await core.close();
  }
});
