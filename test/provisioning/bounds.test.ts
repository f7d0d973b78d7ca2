import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, test } from 'node:test';
import mqtt from 'mqtt';
import { AgentConfigurationError, runProvisioningAgent } from '../../main/provisioning/agent';
import { provisionTopics } from '../../main/provisioning/protocol';
import { PROVISION_MAX_ATTACHMENT_BYTES } from '../../preload/contract/provisioning';
import { createCa } from '../helpers/openssl-pki';
import { tempDir } from '../helpers/temp-dir';
import { waitFor } from '../helpers/wait-for';
import { createRequest, nextIdentity, PASSWORD, type ProvisioningLab, requestOf, startLab } from './helpers';

const file = (bytes: number) => Buffer.alloc(bytes, 7).toString('base64');

/** What a hostile or broken peer can make Fieldbench hold, and what the agent refuses. */
describe('provisioning bounds and agent checks', () => {
  let lab: ProvisioningLab;

  before(async () => {
    lab = await startLab();
  });
  after(async () => {
    await lab.close();
  });

  test('attachments are bounded: one configuration, nine applications, 2 MiB each', async () => {
    const base = { targetAccountId: lab.accountId, username: 'bounds-user', password: PASSWORD };
    await assert.rejects(
      lab.call('provisioning.create', {
        ...base,
        clientId: 'too-big',
        attachments: [
          { kind: 'application', name: 'big.bin', contentBase64: file(PROVISION_MAX_ATTACHMENT_BYTES + 1) },
        ],
      }),
      /BAD_REQUEST/,
    );
    await assert.rejects(
      lab.call('provisioning.create', {
        ...base,
        clientId: 'two-configs',
        attachments: [
          { kind: 'configuration', name: 'a.xml', contentBase64: file(10) },
          { kind: 'configuration', name: 'b.xml', contentBase64: file(10) },
        ],
      }),
      /At most one configuration/,
    );
    await assert.rejects(
      lab.call('provisioning.create', {
        ...base,
        clientId: 'ten-apps',
        attachments: Array.from({ length: 10 }, (_, i) => ({
          kind: 'application' as const,
          name: `app-${i}`,
          contentBase64: file(10),
        })),
      }),
      /At most 9 applications|BAD_REQUEST/,
    );
    await assert.rejects(
      lab.call('provisioning.create', { ...base, clientId: 'window', activatesAt: 2_000, expiresAt: 1_000 }),
      /BAD_REQUEST/,
    );
    const { requests } = await lab.call('provisioning.list', {});
    assert.ok(!requests.some((r) => r.username === 'bounds-user'), 'nothing was stored for refused requests');
  });

  test('a device flooding bad requests is abandoned after its retries and others still provision', async () => {
    const identity = nextIdentity();
    const { id, bundle } = await createRequest(lab, identity, { retryMaxAttempts: 3 });
    const flooder = await mqtt.connectAsync(`mqtts://localhost:${lab.ports.mqtts}`, {
      clientId: bundle['client-id'],
      username: bundle.username,
      password: PASSWORD,
      ca: lab.ca,
      reconnectPeriod: 0,
    });
    const closed = new Promise<void>((resolve) => flooder.once('close', () => resolve()));
    for (let i = 0; i < 200; i++)
      flooder.publish(provisionTopics(bundle['client-id']).provision, `garbage ${i}`);
    await closed;
    const { request } = await waitFor(async () => {
      const r = await requestOf(lab, id);
      return r.request.status === 'ABANDONED' ? r : null;
    }, 'the flooding device to be abandoned');
    assert.equal(request.retries, 3, 'requests after the last retry are not counted');
    flooder.end(true);

    const other = nextIdentity();
    const good = await createRequest(lab, other);
    const result = await runProvisioningAgent(good.bundle, other, { trustedCaPem: lab.ca });
    assert.equal(result.bundle.provisioned, true);
  });

  test('ca-authentication refuses a CA chain whose root the device does not trust', async () => {
    const stranger = createCa(tempDir('fb-prov-ca-'), 'Stranger CA');
    const identity = nextIdentity();
    const { id, bundle } = await createRequest(lab, identity, { retryMaxAttempts: 5 });
    await assert.rejects(
      runProvisioningAgent(bundle, identity, {
        trustedCaPem: fs.readFileSync(stranger.cert, 'utf8'),
        // The transport to the provision broker is still verified, with the real CA.
        mqtt: { ca: lab.ca },
      }),
      AgentConfigurationError,
    );
    const { request, timeline } = await waitFor(async () => {
      const r = await requestOf(lab, id);
      return r.request.status === 'FAILED' ? r : null;
    }, 'the refused attempt to be recorded');
    assert.match(timeline.at(-1)!.reason, /not trusted/);
    assert.equal(request.issuedUsername, null, 'the credential sent to the device was discarded');
  });
});
