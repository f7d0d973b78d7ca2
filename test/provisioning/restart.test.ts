import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { runProvisioningAgent } from '../../main/provisioning/agent';
import { freePort } from '../helpers/free-port';
import { tempDir } from '../helpers/temp-dir';
import { waitFor } from '../helpers/wait-for';
import { createRequest, nextIdentity, type ProvisioningLab, requestOf, startLab } from './helpers';

let lab: ProvisioningLab | undefined;
after(async () => {
  await lab?.close();
});

test('a restart of Fieldbench mid-flow leaves the request retryable and the device’s retry completes', async () => {
  const dataDir = tempDir('fb-prov-restart-');
  const ports = { mqtt: await freePort(), mqtts: await freePort(), mutual: await freePort() };
  lab = await startLab(dataDir, ports);
  const identity = nextIdentity();
  const { id, bundle } = await createRequest(lab, identity, {
    retryMaxAttempts: 3,
    attachments: [
      { kind: 'application', name: 'app.dp', contentBase64: Buffer.from('app').toString('base64') },
    ],
  });

  // The first attempt stops inside the application install until the test has restarted Fieldbench.
  let releaseInstall!: () => void;
  const installBlocked = new Promise<void>((resolve) => {
    releaseInstall = resolve;
  });
  let installs = 0;
  let reachedInstall!: () => void;
  const inInstall = new Promise<void>((resolve) => {
    reachedInstall = resolve;
  });
  const agent = runProvisioningAgent(
    { ...bundle, 'retry-max-attempts': 5, 'retry-interval': 0.2 },
    identity,
    {
      trustedCaPem: lab.ca,
      onStep: (step, detail) => process.env.DEBUG_PROV && console.log('agent', step, detail),
      install: async () => {
        installs += 1;
        if (installs === 1) {
          reachedInstall();
          await installBlocked;
        }
      },
    },
  );
  await inInstall;
  const before = await requestOf(lab, id);
  assert.equal(before.request.status, 'APPS_INSTALLING');
  const firstUsername = before.request.issuedUsername;
  assert.ok(firstUsername, 'the first attempt was given a credential');

  await lab.close();
  lab = await startLab(dataDir, ports);
  const afterRestart = await requestOf(lab, id);
  assert.equal(afterRestart.request.status, 'FAILED', 'the interrupted attempt failed');
  assert.equal(afterRestart.request.retries, 1);
  assert.equal(afterRestart.request.issuedUsername, null);
  const credentials = await lab.call('credentials.list', { accountId: lab.accountId });
  assert.ok(
    !credentials.credentials.some((c) => c.username === firstUsername),
    'its credential was discarded',
  );

  releaseInstall();
  const result = await agent;
  assert.ok(result.attempts >= 2, 'the agent retried');
  const done = await waitFor(async () => {
    const r = await requestOf(lab!, id);
    return r.request.status === 'COMPLETED' ? r : null;
  }, 'the retried request to complete');
  const statuses = done.timeline.map((s) => s.status);
  assert.ok(statuses.includes('FAILED'));
  assert.equal(statuses.at(-1), 'COMPLETED');
});
