import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { waitFor } from '../helpers/wait-for';
import { type TenancyBroker, startTenancyBroker } from '../tenancy/broker-fixture';
import { connectOk, endAll } from '../helpers/mqtt-client';
import { call, localServiceId, openTenancy, rootId, type TenancyFixture } from '../tenancy/helpers';

const run = promisify(execFile);

describe('mosquitto_pub with a tenancy credential', () => {
  let fx: TenancyFixture;
  let tb: TenancyBroker;
  let accountId: string;

  before(async () => {
    fx = openTenancy();
    tb = await startTenancyBroker(fx);
    accountId = (
      await call(fx, 'accounts.create', { parentId: rootId(fx), name: 'mosq', serviceId: localServiceId(fx) })
    ).id;
    await call(fx, 'credentials.create', { accountId, username: 'mosq-pub', password: 'mosq-password' });
    await call(fx, 'credentials.create', { accountId, username: 'mosq-sub', password: 'mosq-password-2' });
  });
  after(async () => {
    await tb.close();
    fx.close();
  });

  const pub = (password: string, version: string) =>
    run(
      'mosquitto_pub',
      [
        '-h',
        '127.0.0.1',
        '-p',
        String(tb.port),
        '-V',
        version,
        '-i',
        `mp-${version}`,
        '-u',
        'mosq-pub',
        '-P',
        password,
      ].concat(['-t', 'plant/line1/temp', '-m', `21.5 via ${version}`, '-q', '1']),
      { timeout: 20_000 },
    );

  it('publishes into its account namespace and is refused with a wrong password', async () => {
    const sub = await connectOk(tb.url, {
      clientId: 'watcher',
      username: 'mosq-sub',
      password: 'mosq-password-2',
    });
    const got: string[] = [];
    sub.on('message', (topic, payload) => got.push(`${topic}=${payload}`));
    await sub.subscribeAsync('plant/#', { qos: 1 });

    await pub('mosq-password', 'mqttv5');
    await pub('mosq-password', 'mqttv311');
    await waitFor(() => got.length >= 2, 'both mosquitto_pub messages');
    assert.deepEqual(got.sort(), ['plant/line1/temp=21.5 via mqttv311', 'plant/line1/temp=21.5 via mqttv5']);

    await assert.rejects(
      () => pub('wrong-password', 'mqttv5'),
      (err: Error & { stderr?: string; code?: number }) =>
        err.code !== 0 && /bad user name or password/i.test(err.stderr ?? ''),
    );
    await endAll(sub);
  });
});
