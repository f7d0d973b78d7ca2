import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import mqtt from 'mqtt';
import type { CertFiles } from '../helpers/openssl-pki';
import { readPem } from '../helpers/openssl-pki';
import { tempDir } from '../helpers/temp-dir';
import { waitFor } from '../helpers/wait-for';
import { OnboardingBench } from './setup';

interface DpsResponse {
  topic: string;
  body: Record<string, unknown>;
}

/** eu2 mode: client id = CN = `<tenant>_<agent>`, the DPS-compatible registration service, eu2 topics. */
describe('eu2 onboarding and the DPS-compatible registration service', () => {
  const dir = tempDir();
  const bench = new OnboardingBench(dir);
  let scopeId = '';

  /** mqtt.js as a DPS client: sends each request and collects one response per request. */
  const dps = async (files: CertFiles, registrationId: string, scope: string, requests: string[]) => {
    const client = await mqtt.connectAsync(`mqtts://localhost:${bench.ports.mutual}`, {
      ca: bench.serverCa,
      cert: readPem(files.cert),
      key: readPem(files.key),
      clientId: registrationId,
      username: `${scope}/registrations/${registrationId}/api-version=2019-03-31`,
      protocolVersion: 4,
      reconnectPeriod: 0,
    });
    bench.clients.push(client);
    const responses: DpsResponse[] = [];
    client.on('message', (topic, payload) => responses.push({ topic, body: JSON.parse(payload.toString()) }));
    await client.subscribeAsync('$dps/registrations/res/#', { qos: 1 });
    for (const [i, topic] of requests.entries()) {
      await client.publishAsync(topic, JSON.stringify({ registrationId }), { qos: 1 });
      await waitFor(() => responses.length > i, `DPS response ${i + 1}`);
    }
    return { client, responses };
  };
  const register = (rid: number) => `$dps/registrations/PUT/iotdps-register/?$rid=${rid}`;
  const status = (rid: number, operationId: string) =>
    `$dps/registrations/GET/iotdps-get-operationstatus/?$rid=${rid}&operationId=${operationId}`;

  before(async () => {
    await bench.start();
    await bench.createTenants();
    await bench.waitForTrust('acme');
    await bench.waitForTrust('globex');
    const settings = await bench.call('onboarding.settings.update', {
      accountId: bench.accounts.acme,
      mode: 'eu2',
    });
    scopeId = settings.scopeId!;
    assert.match(scopeId, /^0ne[0-9A-F]{8}$/);
  });

  after(async () => {
    await bench.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('paho registers (assigning → assigned), connects to the assigned hub, publishes events and receives devicebound', async () => {
    const agentId = 'acme_Agent01';
    const cert = bench.issue('acme', agentId);
    const caFile = path.join(dir, 'server-ca.pem');
    fs.writeFileSync(caFile, bench.serverCa);
    const events = await bench.watcher('acme', 'devices/#');
    const args = {
      host: 'localhost',
      port: bench.ports.mutual,
      ca: caFile,
      cert: cert.cert,
      key: cert.key,
      scopeId,
      registrationId: agentId,
    };
    const child = spawn('/usr/bin/python3', [
      path.join(import.meta.dirname, 'dps_agent.py'),
      JSON.stringify(args),
    ]);
    // biome-ignore lint/suspicious/noExplicitAny: free-form JSON lines printed by the Python agent
    const steps: Array<Record<string, any>> = [];
    let stderr = '';
    let buffered = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.stdout.on('data', (chunk) => {
      buffered += chunk;
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      for (const line of lines) if (line.trim()) steps.push(JSON.parse(line));
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));

    await waitFor(
      () => steps.some((s) => s['step'] === 'ready') || steps.some((s) => s['step'] === 'timeout'),
      `the agent to be ready (${stderr})`,
      60_000,
    );
    const [registered, assigned] = steps;
    assert.match(registered?.['topic'], /^\$dps\/registrations\/res\/202\/\?\$rid=1&retry-after=\d+$/);
    assert.equal(registered?.['body'].status, 'assigning');
    assert.match(registered?.['body'].operationId, /^4\.0ne[0-9a-f]{8}\./);
    assert.equal(assigned?.['topic'], '$dps/registrations/res/200/?$rid=2');
    assert.equal(assigned?.['body'].status, 'assigned');
    const state = assigned?.['body'].registrationState;
    assert.deepEqual(state.x509, { enrollmentGroupId: 'TenantEnrollmentGroup-TenantCACertificate-acme' });
    assert.equal(state.registrationId, agentId);
    assert.equal(state.deviceId, agentId);
    assert.equal(state.assignedHub, 'localhost');
    assert.equal(state.status, 'assigned');
    assert.equal(state.substatus, 'initialAssignment');
    assert.ok(
      !Number.isNaN(Date.parse(state.createdDateTimeUtc)) &&
        !Number.isNaN(Date.parse(state.lastUpdatedDateTimeUtc)),
    );
    assert.equal(typeof state.etag, 'string');

    await waitFor(() => events.length > 0, 'the event at the account watcher');
    assert.deepEqual(events, [
      [`devices/${agentId}/messages/events/amo_v3=m&%24.ct=application%2Fjson`, '{"t":21.5}'],
    ]);
    const sent = await bench.call('onboarding.agents.send', {
      accountId: bench.accounts.acme,
      clientId: agentId,
      subtopic: 'cmd',
      payload: 'hello',
    });
    assert.equal(sent.topic, `devices/${agentId}/messages/devicebound/cmd`);
    assert.equal(await exited, 0, stderr);
    assert.deepEqual(steps.at(-1), {
      step: 'devicebound',
      topic: `devices/${agentId}/messages/devicebound/cmd`,
      payload: 'hello',
    });

    const agent = (
      await bench.call('onboarding.agents.list', { accountId: bench.accounts.acme })
    ).agents.find((a) => a.clientId === agentId);
    assert.equal(agent?.state, 'onboarded');
    assert.deepEqual(agent?.lastProperties, { amo_v3: 'm', '$.ct': 'application/json' });
    const { events: timeline } = await bench.call('onboarding.agents.timeline', {
      accountId: bench.accounts.acme,
      clientId: agentId,
    });
    assert.deepEqual(
      timeline.map((e) => e.kind),
      ['dps-register', 'dps-assigned', 'connected-to-hub'],
    );
  });

  test('registering again reports reprovisionedToInitialAssignment; an unknown operation is 404', async () => {
    const agentId = 'acme_Agent01';
    const cert = bench.issue('acme', agentId);
    const first = await dps(cert, agentId, scopeId, [register(7), status(8, 'no-such-operation')]);
    const [accepted, missing] = first.responses;
    assert.equal(missing?.topic, '$dps/registrations/res/404/?$rid=8');
    assert.equal(missing?.body['errorCode'], 404002);
    const operationId = String(accepted?.body['operationId']);
    first.client.end(true);
    const second = await dps(cert, agentId, scopeId, [register(1)]);
    second.client.removeAllListeners('message');
    const poll: DpsResponse[] = [];
    second.client.on('message', (topic, payload) =>
      poll.push({ topic, body: JSON.parse(payload.toString()) }),
    );
    await second.client.publishAsync(status(2, String(second.responses[0]?.body['operationId'])), '', {
      qos: 1,
    });
    await waitFor(() => poll.length > 0, 'the status response');
    const state = poll[0]?.body['registrationState'] as Record<string, string>;
    assert.equal(state['substatus'], 'reprovisionedToInitialAssignment');
    assert.notEqual(operationId, second.responses[0]?.body['operationId']);
  });

  test('a connection remembers only its last 4 operations (bounded); older ones answer 404', async () => {
    const cert = bench.issue('acme', 'acme_Agent08');
    const login = await dps(cert, 'acme_Agent08', scopeId, [1, 2, 3, 4, 5].map(register));
    const ids = login.responses.map((r) => String(r.body['operationId']));
    assert.equal(new Set(ids).size, 5);
    const polls: DpsResponse[] = [];
    login.client.removeAllListeners('message');
    login.client.on('message', (topic, payload) =>
      polls.push({ topic, body: JSON.parse(payload.toString()) }),
    );
    await login.client.publishAsync(status(6, ids[0]!), '', { qos: 1 });
    await login.client.publishAsync(status(7, ids[1]!), '', { qos: 1 });
    await waitFor(() => polls.length === 2, 'both status responses');
    assert.match(polls[0]!.topic, /\/res\/404\/\?\$rid=6$/);
    assert.match(polls[1]!.topic, /\/res\/200\/\?\$rid=7$/);
  });

  test('DPS errors: unknown scope, registration id ≠ CN, certificate of another account, too many requests', async () => {
    const expectError = (r: DpsResponse | undefined, status: number, message: RegExp) => {
      assert.match(r?.topic ?? '', new RegExp(`^\\$dps/registrations/res/${status}/\\?\\$rid=\\d+`));
      assert.equal(r?.body['errorCode'], status * 1000 + (status === 429 ? 1 : 2));
      assert.match(String(r?.body['message']), message);
      assert.match(String(r?.body['trackingId']), /^[0-9a-f-]{36}$/);
      assert.ok(!Number.isNaN(Date.parse(String(r?.body['timestampUtc']))));
    };
    const own = bench.issue('acme', 'acme_Agent02');
    expectError(
      (await dps(own, 'acme_Agent02', '0neFFFFFFFF', [register(1)])).responses[0],
      401,
      /Unknown id scope/,
    );
    expectError(
      (await dps(own, 'acme_Agent03', scopeId, [register(1)])).responses[0],
      401,
      /does not match the certificate's common name/,
    );
    const foreign = bench.issue('globex', 'acme_Agent04');
    expectError(
      (await dps(foreign, 'acme_Agent04', scopeId, [register(1)])).responses[0],
      401,
      /not issued by a CA of the id scope's account "acme"/,
    );
    const burst = await dps(
      own,
      'acme_Agent02',
      scopeId,
      Array.from({ length: 11 }, (_, i) => register(i + 1)),
    );
    assert.equal(burst.responses.filter((r) => r.topic.includes('/res/202/')).length, 10);
    expectError(burst.responses[10], 429, /Too many requests/);
    assert.match(burst.responses[10]!.topic, /&retry-after=\d+$/);
  });

  test('eu2: a common name with another tenant prefix is refused; topic structure is enforced', async () => {
    await assert.rejects(
      bench.connectAgent('globex_Agent05', bench.issue('acme', 'globex_Agent05')),
      (err: Error & { code?: number; reasonString?: string }) => {
        assert.equal(err.code, 0x85);
        assert.match(err.reasonString ?? '', /tenant prefix "globex_", not "acme_"/);
        return true;
      },
    );
    const { failures } = await bench.call('listeners.handshakeFailures', {});
    assert.ok(failures.some((f) => f.reason === 'wrong-tenant-prefix'));

    const agent = await bench.connectAgent('acme_Agent06', bench.issue('acme', 'acme_Agent06'));
    await assert.rejects(
      agent.publishAsync('devices/acme_Agent06/messages/devicebound/x', 'x', { qos: 1 }),
      /Not authorized/,
    );
    await assert.rejects(
      agent.publishAsync('devices/acme_Other/messages/events/', 'x', { qos: 1 }),
      /Not authorized/,
    );
    await assert.rejects(
      agent.subscribeAsync('devices/acme_Agent06/messages/events/#', { qos: 1 }),
      /Not authorized/,
    );
    await assert.rejects(
      agent.subscribeAsync('devices/+/messages/devicebound/#', { qos: 1 }),
      /Not authorized/,
    );
    await agent.publishAsync('devices/acme_Agent06/messages/events/', 'ok', { qos: 1 });
    const granted = await agent.subscribeAsync('devices/acme_Agent06/messages/devicebound/#', { qos: 1 });
    assert.equal(granted[0]?.qos, 1);
    // A DPS login can only reach the registration topics.
    const login = await dps(bench.issue('acme', 'acme_Agent07'), 'acme_Agent07', scopeId, []);
    await assert.rejects(login.client.subscribeAsync('#', { qos: 1 }), /Not authorized|Unspecified/);
  });
});
