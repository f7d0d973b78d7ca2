import assert from 'node:assert/strict';
import { test } from 'node:test';
import mqtt from 'mqtt';
import { type Core, createCore } from '../../main/core';
import type { MethodName, RequestOf } from '../../preload/contract';
import { callCore } from '../helpers/core-call';
import { listenerPort } from '../helpers/mosquitto-clients';
import { tempDir } from '../helpers/temp-dir';

test('revoking a certificate not bound to an account still drops the client connected with it', async () => {
  const core: Core = await createCore({
    dataDir: tempDir(),
    mode: 'headless',
    allowAnonymous: true,
    listeners: { brokerHost: '127.0.0.1', mqttsMutualPort: 0 },
  });
  const call = <M extends MethodName>(method: M, request: RequestOf<M>) => callCore(core, method, request);
  try {
    const issued = await call('pki.issueDevice', { name: 'bench-probe' });
    assert.equal(issued.accountId, null);
    const pem = await call('pki.exportPem', { serial: issued.serial, includePrivateKey: true });
    const device = await mqtt.connectAsync(
      `mqtts://localhost:${listenerPort(core.readyDetails(), 'mqtts-mutual')}`,
      {
        ca: pem.chainPem,
        cert: pem.certificatePem,
        key: pem.privateKeyPem!,
        clientId: 'bench-probe',
        protocolVersion: 5,
        reconnectPeriod: 0,
      },
    );
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
