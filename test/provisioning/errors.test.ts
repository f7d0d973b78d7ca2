import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import mqtt from 'mqtt';
import { type DeviceIdentity, ProvisioningRefused, ProvisionSession } from '../../main/provisioning/agent';
import { decodeMessage, encodeMessage, provisionTopics } from '../../main/provisioning/protocol';
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

const identityMetrics = (identity: DeviceIdentity) => ({
  'device.mac': identity.mac,
  'device.serial': identity.serial,
  'device.model': identity.model,
  'device.firmware': identity.firmware,
});

/** Error replies, refusals and bounds of the provision broker and protocol. */
describe('provisioning errors', () => {
  let lab: ProvisioningLab;

  before(async () => {
    lab = await startLab();
  });
  after(async () => {
    await lab.close();
  });

  async function open(bundle: { 'client-id': string; username: string }, format: 'json' | 'kura' = 'json') {
    return ProvisionSession.open(
      `mqtts://localhost:${lab.ports.mqtts}`,
      bundle['client-id'],
      { username: bundle.username, password: PASSWORD, ca: lab.ca },
      format,
      10_000,
    );
  }

  async function refusal(promise: Promise<unknown>): Promise<ProvisioningRefused> {
    const err = await promise.then(
      () => assert.fail('expected an error reply'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof ProvisioningRefused, `expected an error reply, got ${String(err)}`);
    return err;
  }

  test('wrong and missing activation keys get 401 and count against the retries', async () => {
    const identity = nextIdentity();
    const { id, bundle, activationKey } = await createRequest(lab, identity, { retryMaxAttempts: 3 });
    const session = await open(bundle);
    try {
      const wrong = await refusal(
        session.request('provision', { 'activation.key': 'x'.repeat(32), ...identityMetrics(identity) }),
      );
      assert.equal(wrong.code, 401);
      assert.equal(wrong.error, 'ACTIVATION_KEY_INVALID');
      const missing = await refusal(session.request('provision', identityMetrics(identity)));
      assert.equal(missing.code, 401);
      assert.match(missing.message, /missing/);
      const { request, timeline } = await requestOf(lab, id);
      assert.equal(request.status, 'FAILED');
      assert.equal(request.retries, 2);
      assert.match(timeline.at(-1)!.reason, /ACTIVATION_KEY_INVALID/);
      // Still retryable: the right key on the same connection succeeds.
      const reply = await session.request('provision', {
        'activation.key': activationKey!,
        ...identityMetrics(identity),
      });
      assert.equal(reply.metrics['response.code'], 200);
      assert.equal((await requestOf(lab, id)).request.status, 'RUNNING');
    } finally {
      await session.close();
    }
    // Disconnecting before the stages are reported fails the attempt; that was the last retry.
    const abandoned = await waitFor(async () => {
      const r = await requestOf(lab, id);
      return r.request.status === 'ABANDONED' ? r : null;
    }, 'the request to be abandoned');
    assert.equal(abandoned.request.issuedUsername, null, 'the half-done credential was discarded');
    const credentials = await lab.call('credentials.list', { accountId: lab.accountId });
    assert.ok(!credentials.credentials.some((c) => c.username.includes(bundle['client-id'])));
    assert.equal(
      await connackCode(lab, {
        clientId: bundle['client-id'],
        username: bundle.username,
        password: PASSWORD,
      }),
      0x87,
      'an abandoned request admits no one',
    );
    // The operator's retry makes it usable again.
    await lab.call('provisioning.retry', { id });
    assert.equal(
      await connackCode(lab, {
        clientId: bundle['client-id'],
        username: bundle.username,
        password: PASSWORD,
      }),
      0,
    );
  });

  test('malformed messages, missing identity and a CSR that does not verify get their codes', async () => {
    const identity = nextIdentity();
    const { id, bundle, activationKey } = await createRequest(lab, identity, { retryMaxAttempts: 10 });
    const session = await open(bundle, 'kura');
    try {
      const topics = provisionTopics(bundle['client-id']);
      const garbage = new Promise<Buffer>((resolve) =>
        session.client.on('message', (topic, payload) => {
          if (topic === topics.reply('invalid')) resolve(payload);
        }),
      );
      await session.client.publishAsync(topics.provision, Buffer.from('{ not json'), { qos: 1 });
      const malformed = decodeMessage(await garbage);
      assert.equal(malformed.format, 'json', 'the reply uses the format of the request');
      assert.equal(malformed.message.metrics['response.code'], 400);
      assert.equal(malformed.message.metrics['response.error'], 'MALFORMED_MESSAGE');

      const noIdentity = await refusal(session.request('provision', { 'activation.key': activationKey! }));
      assert.equal(noIdentity.code, 400);
      assert.match(noIdentity.message, /device\.mac/);

      const badCsr = await refusal(
        session.request('provision', {
          'activation.key': activationKey!,
          ...identityMetrics(identity),
          csr: '-----BEGIN CERTIFICATE REQUEST-----\nMIIBAAAA\n-----END CERTIFICATE REQUEST-----\n',
        }),
      );
      assert.equal(badCsr.code, 422);
      assert.equal(badCsr.error, 'CSR_INVALID');

      const outOfOrder = await refusal(session.request('stage', { stage: 'APPS_INSTALLED' }));
      assert.equal(outOfOrder.code, 409);
      const { request } = await requestOf(lab, id);
      assert.equal(request.retries, 4);
      assert.equal(request.status, 'FAILED');
    } finally {
      await session.close();
    }
  });

  test('expiry, activation time and disabling are checked for the message and at CONNECT', async () => {
    const identity = nextIdentity();
    const { id, bundle, activationKey } = await createRequest(lab, identity, { retryMaxAttempts: 10 });
    const provision = () =>
      session.request('provision', { 'activation.key': activationKey!, ...identityMetrics(identity) });
    const db = lab.core.store.db;
    const session = await open(bundle);
    try {
      // The request expires / is not active yet / is disabled while the device is connected.
      db.prepare('UPDATE provision_requests SET expires_at = ? WHERE id = ?').run(Date.now() - 1000, id);
      assert.equal((await refusal(provision())).error, 'REQUEST_EXPIRED');
      db.prepare('UPDATE provision_requests SET expires_at = NULL, activates_at = ? WHERE id = ?').run(
        Date.now() + 3_600_000,
        id,
      );
      assert.equal((await refusal(provision())).code, 425);
      db.prepare('UPDATE provision_requests SET activates_at = NULL, enabled = 0 WHERE id = ?').run(id);
      assert.equal((await refusal(provision())).error, 'REQUEST_DISABLED');
      db.prepare('UPDATE provision_requests SET enabled = 1 WHERE id = ?').run(id);
    } finally {
      await session.close();
    }
    await lab.call('provisioning.setEnabled', { id, enabled: false });
    const login = { clientId: bundle['client-id'], username: bundle.username, password: PASSWORD };
    assert.equal(await connackCode(lab, login), 0x87, 'a disabled request refuses the CONNECT');
    assert.equal((await requestOf(lab, id)).request.status, 'STOPPED');

    const later = await createRequest(lab, nextIdentity(), { activatesAt: Date.now() + 3_600_000 });
    const laterLogin = {
      clientId: later.bundle['client-id'],
      username: later.bundle.username,
      password: PASSWORD,
    };
    assert.equal(await connackCode(lab, laterLogin), 0x87, 'not active yet');
  });

  test('no request, a wrong password or another client id are refused as not authorized', async () => {
    const identity = nextIdentity();
    const { bundle } = await createRequest(lab, identity);
    assert.equal(
      await connackCode(lab, {
        clientId: bundle['client-id'],
        username: bundle.username,
        password: 'wrong-password',
      }),
      0x87,
    );
    assert.equal(
      await connackCode(lab, { clientId: 'someone-else', username: bundle.username, password: PASSWORD }),
      0x87,
    );
    const unknown = await connackCode(lab, { clientId: 'x', username: 'no-such-user', password: PASSWORD });
    assert.ok(unknown === 0x86 || unknown === 0x87, `unknown logins are refused (got ${unknown})`);
    const duplicate = await lab.call('provisioning.create', {
      targetAccountId: lab.accountId,
      clientId: bundle['client-id'],
      username: 'other-user',
      password: PASSWORD,
      overwrite: true,
    });
    assert.equal(duplicate.request.clientId, bundle['client-id'], 'overwrite replaces the duplicate');
    await assert.rejects(
      lab.call('provisioning.create', {
        targetAccountId: lab.accountId,
        clientId: bundle['client-id'],
        username: 'third-user',
        password: PASSWORD,
      }),
      /CONFLICT/,
    );
  });

  test('an admitted device may only use its own provisioning topics', async () => {
    const identity = nextIdentity();
    const { bundle } = await createRequest(lab, identity);
    const client = await mqtt.connectAsync(`mqtts://localhost:${lab.ports.mqtts}`, {
      clientId: bundle['client-id'],
      username: bundle.username,
      password: PASSWORD,
      ca: lab.ca,
      protocolVersion: 5,
      reconnectPeriod: 0,
    });
    try {
      await assert.rejects(client.subscribeAsync('#', { qos: 1 }), /Not authorized/);
      await assert.rejects(client.subscribeAsync('PROV-V1/other/REPLY/+', { qos: 1 }), /Not authorized/);
      const own = await client.subscribeAsync(provisionTopics(bundle['client-id']).replies, { qos: 1 });
      assert.equal(own[0]!.qos, 1);
      await assert.rejects(client.publishAsync('telemetry', 'x', { qos: 1 }), /135|authorized/i);
      await assert.rejects(
        client.publishAsync(provisionTopics('other').provision, encodeMessage({ metrics: {} }, 'json'), {
          qos: 1,
        }),
        /135|authorized/i,
      );
    } finally {
      await client.endAsync(true);
    }
  });
});
