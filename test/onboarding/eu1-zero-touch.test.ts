import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { tempDir } from '../helpers/temp-dir';
import { waitFor } from '../helpers/wait-for';
import { OnboardingBench } from './setup';

/** eu1 mode: client id `<tenant>_<CN>`, zero-touch onboarding with its disconnect and reconnect delay. */
describe('eu1 zero-touch onboarding through the embedded broker', () => {
  const dir = tempDir();
  const bench = new OnboardingBench(dir);
  const agentId = 'acme_MQTTAgent01';
  const agent = () =>
    bench
      .call('onboarding.agents.list', { accountId: bench.accounts.acme })
      .then((r) => r.agents.find((a) => a.clientId === agentId));

  before(async () => {
    await bench.start();
    await bench.createTenants();
    await bench.waitForTrust('acme');
    await bench.waitForTrust('globex');
    const settings = await bench.call('onboarding.settings.update', {
      accountId: bench.accounts.acme,
      mode: 'eu1',
      reconnectDelaySeconds: 3600,
    });
    assert.equal(settings.mode, 'eu1');
    assert.deepEqual(settings.applications, ['amo_v3']);
    assert.match(
      settings.scopeId ?? '',
      /^0ne[0-9A-F]{8}$/,
      'an accepted tenant CA gives the account a scope id',
    );
  });

  after(async () => {
    await bench.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('first connect creates the record and is disconnected; an early reconnect is refused; after the delay it is accepted', async () => {
    const cert = bench.issue('acme', 'MQTTAgent01');
    const first = await bench.connectAgent(agentId, cert);
    const disconnect = await new Promise<{ reasonCode?: number; properties?: { reasonString?: string } }>(
      (resolve) => first.once('disconnect', (packet) => resolve(packet)),
    );
    assert.equal(disconnect.reasonCode, 0x98);
    assert.match(disconnect.properties?.reasonString ?? '', /reconnect after 3600 s/);

    await waitFor(async () => {
      const { events } = await bench.call('onboarding.agents.timeline', {
        accountId: bench.accounts.acme,
        clientId: agentId,
      });
      return events.some((e) => e.kind === 'disconnected');
    }, 'the onboarding disconnect on the timeline');
    const record = await waitFor(async () => {
      const a = await agent();
      return a?.state === 'awaiting-reconnect' && a.acceptAfter !== null ? a : undefined;
    }, 'the agent record awaiting its reconnect');
    assert.equal(record.commonName, 'MQTTAgent01');
    assert.match(record.fingerprintSha256, /^[0-9a-f]{64}$/);
    assert.match(record.issuer, /^tenant-ca:/);
    assert.ok(record.acceptAfter! >= record.stateChangedAt + 3600_000);

    await assert.rejects(
      bench.connectAgent(agentId, cert),
      (err: Error & { code?: number; reasonString?: string }) => {
        assert.equal(err.code, 0x9f, err.message);
        assert.match(err.reasonString ?? '', /reconnected too early; accepted again in \d+ s/);
        return true;
      },
    );
    const { failures } = await bench.call('listeners.handshakeFailures', {});
    assert.ok(
      failures.some((f) => f.reason === 'reconnect-too-early' && f.message.includes(agentId)),
      'the early reconnect is in the TLS/connection failure log',
    );

    // Labs set the delay to 0: the waiting agent is accepted at once.
    await bench.call('onboarding.settings.update', {
      accountId: bench.accounts.acme,
      reconnectDelaySeconds: 0,
    });
    const again = await bench.connectAgent(agentId, cert);
    assert.equal(again.connected, true);
    const onboarded = await agent();
    assert.equal(onboarded?.state, 'onboarded');
    assert.equal(onboarded?.connected, true);

    const { events } = await bench.call('onboarding.agents.timeline', {
      accountId: bench.accounts.acme,
      clientId: agentId,
    });
    assert.deepEqual(
      events.map((e) => e.kind),
      ['connected', 'created', 'disconnected', 'reconnect-refused', 'reconnected'],
    );
    again.end(true);
  });

  test('a client id that is not <tenant>_<CN> is refused with the reason logged', async () => {
    const cert = bench.issue('acme', 'MQTTAgent02');
    await assert.rejects(
      bench.connectAgent('MQTTAgent02', cert),
      (err: Error & { code?: number; reasonString?: string }) => {
        assert.equal(err.code, 0x85, err.message);
        assert.match(err.reasonString ?? '', /expected "acme_MQTTAgent02"/);
        return true;
      },
    );
    const { failures } = await bench.call('listeners.handshakeFailures', {});
    assert.ok(failures.some((f) => f.reason === 'client-id-mismatch' && f.message.includes('eu1 mode')));
    assert.equal(
      (await bench.call('onboarding.agents.list', { accountId: bench.accounts.acme })).agents.some(
        (a) => a.commonName === 'MQTTAgent02',
      ),
      false,
    );
  });

  test("a certificate from another account's CA does not onboard into this account", async () => {
    const foreign = bench.issue('globex', 'MQTTAgent03');
    await assert.rejects(
      bench.connectAgent('acme_MQTTAgent03', foreign),
      (err: Error & { code?: number; reasonString?: string }) => {
        assert.equal(err.code, 0x85, err.message);
        return true;
      },
    );
    const acme = await bench.call('onboarding.agents.list', { accountId: bench.accounts.acme });
    const globex = await bench.call('onboarding.agents.list', { accountId: bench.accounts.globex });
    assert.equal(
      [...acme.agents, ...globex.agents].some((a) => a.commonName === 'MQTTAgent03'),
      false,
    );
  });

  test('topic structure: publish only on o, subscribe only on i, own tenant and client id, registered apps', async () => {
    const client = await bench.connectAgent(agentId, bench.issue('acme', 'MQTTAgent01'));
    const seen = await bench.watcher('acme', 'tc/#');
    const rules: RegExp[] = [];
    const refusedPublish = async (topic: string, rule: RegExp) => {
      await assert.rejects(client.publishAsync(topic, 'x', { qos: 1 }), (err: Error & { code?: number }) => {
        assert.equal(err.code, 0x87, `${topic}: ${err.message}`);
        return true;
      });
      rules.push(rule);
    };
    await refusedPublish(`tc/acme/${agentId}/i/amo_v3/data`, /publish only on "o"/);
    await refusedPublish(`tc/globex/${agentId}/o/amo_v3/data`, /tenant level must be "acme"/);
    await refusedPublish('tc/acme/acme_Other/o/amo_v3/data', /client id level/);
    await refusedPublish(`tc/acme/${agentId}/o/mc_v1/data`, /"mc_v1" is not registered/);
    await refusedPublish('plant/temp', /eu1 topics are/);

    await assert.rejects(
      client.subscribeAsync(`tc/acme/${agentId}/o/amo_v3/#`, { qos: 1 }),
      /Not authorized/,
    );
    const ok = await client.subscribeAsync(`tc/acme/${agentId}/i/amo_v3/#`, { qos: 1 });
    assert.equal(ok[0]?.qos, 1);

    await client.publishAsync(`tc/acme/${agentId}/o/amo_v3/data`, '21.5', { qos: 1 });
    await waitFor(() => seen.length > 0, 'the valid publish at the account watcher');
    assert.deepEqual(seen, [[`tc/acme/${agentId}/o/amo_v3/data`, '21.5']]);

    // Registering another application lets the agent use it without reconnecting.
    await bench.call('onboarding.settings.update', {
      accountId: bench.accounts.acme,
      applications: ['amo_v3', 'mc_v1'],
    });
    await client.publishAsync(`tc/acme/${agentId}/o/mc_v1/data`, 'ok', { qos: 1 });

    const inbound: Array<[string, string]> = [];
    client.on('message', (topic, payload) => inbound.push([topic, payload.toString()]));
    const sent = await bench.call('onboarding.agents.send', {
      accountId: bench.accounts.acme,
      clientId: agentId,
      subtopic: 'amo_v3/cmd',
      payload: 'hello',
    });
    assert.equal(sent.topic, `tc/acme/${agentId}/i/amo_v3/cmd`);
    await waitFor(() => inbound.length > 0, 'the operator message on the agent');
    assert.deepEqual(inbound, [[`tc/acme/${agentId}/i/amo_v3/cmd`, 'hello']]);

    const { events } = await bench.call('onboarding.agents.timeline', {
      accountId: bench.accounts.acme,
      clientId: agentId,
    });
    const refusals = events.filter((e) => e.kind === 'topic-refused').map((e) => e.detail);
    for (const rule of rules)
      assert.ok(
        refusals.some((d) => rule.test(d)),
        `${rule} in ${JSON.stringify(refusals)}`,
      );
    assert.ok(refusals.some((d) => d.startsWith('subscribe') && d.includes('subscribe only on "i"')));
    client.end(true);
  });

  test('removing an agent makes its next connection onboard it again', async () => {
    await bench.call('onboarding.settings.update', {
      accountId: bench.accounts.acme,
      reconnectDelaySeconds: 3600,
    });
    const { removed } = await bench.call('onboarding.agents.remove', {
      accountId: bench.accounts.acme,
      clientId: agentId,
    });
    assert.equal(removed, true);
    assert.equal(await agent(), undefined);
    const client = await bench.connectAgent(agentId, bench.issue('acme', 'MQTTAgent01'));
    await new Promise((resolve) => client.once('disconnect', resolve));
    assert.equal((await agent())?.state, 'awaiting-reconnect');
  });
});
