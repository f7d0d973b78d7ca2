import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import mqtt, { type MqttClient } from 'mqtt';
import { endAll } from '../helpers/mqtt-client';
import { openCore, pubackCode, type SecuredCore, subackCode } from './helpers';

/** Collects `topic payload` of every message, and resolves once `marker` arrives. */
function collect(client: MqttClient, marker: string): { got: string[]; marker: Promise<void> } {
  const got: string[] = [];
  const markerSeen = new Promise<void>((resolve) =>
    client.on('message', (topic, payload) => {
      got.push(`${topic} ${payload.toString()}`);
      if (topic === marker) resolve();
    }),
  );
  return { got, marker: markerSeen };
}

const connect = (url: string, opts: mqtt.IClientOptions) =>
  mqtt.connectAsync(url, { protocolVersion: 5, reconnectPeriod: 0, connectTimeout: 10_000, ...opts });

/**
 * A rule that denies `lab/secret/#` must not make `#` impossible: the wide subscription is granted,
 * denied topics are withheld at delivery (retained ones too), and only a subscription lying wholly
 * in denied space is refused.
 */
describe('wildcard subscriptions beside denied topics', () => {
  describe('anonymous lab rules', () => {
    let sc: SecuredCore;
    before(async () => {
      sc = await openCore(
        {
          accessRules: {
            deny: [
              { filter: 'lab/secret/#', access: 'subscribe' },
              { filter: 'test/nosubscribe', access: 'subscribe' },
            ],
          },
        },
        true,
      );
    });
    after(() => sc.core.close());

    it('grants #, withholds lab/secret/x, refuses lab/secret/# and exactly test/nosubscribe', async () => {
      const pub = await connect(sc.url, { clientId: 'lab-pub' });
      const sub = await connect(sc.url, { clientId: 'lab-sub' });
      try {
        assert.equal(await pubackCode(pub, 'lab/secret/retained', 'r-secret', true), 0);
        assert.equal(await pubackCode(pub, 'lab/open/retained', 'r-open', true), 0);
        const { got, marker } = collect(sub, 'lab/marker');
        assert.equal(await subackCode(sub, '#'), 1, '# is granted');
        assert.equal(await subackCode(sub, 'lab/secret/#'), 0x87, 'wholly denied');
        assert.equal(await subackCode(sub, 'lab/secret/a/b'), 0x87);
        assert.equal(await subackCode(sub, 'test/nosubscribe'), 0x87);
        assert.equal(await subackCode(sub, 'test/+'), 1, 'wider than the denied topic');
        for (const topic of ['lab/secret/x', 'lab/open/x', 'test/nosubscribe', 'test/other'])
          assert.equal(await pubackCode(pub, topic, 'live'), 0);
        assert.equal(await pubackCode(pub, 'lab/marker', 'end'), 0);
        await marker;
        const seen = new Set(got);
        assert.ok(seen.has('lab/open/retained r-open') && seen.has('lab/open/x live'));
        assert.ok(seen.has('test/other live'));
        assert.deepEqual(
          got.filter((m) => m.startsWith('lab/secret/') || m.startsWith('test/nosubscribe')),
          [],
          'denied topics are withheld, retained ones included',
        );
      } finally {
        await endAll(pub, sub);
      }
    });
  });

  describe("credentials', account templates' and API keys' rules", () => {
    let sc: SecuredCore;
    let key: string;
    before(async () => {
      sc = await openCore();
      const acme = await sc.account('acme', [{ filter: 'lab/public/#', action: 'both' }]);
      const writer = await sc.call('credentials.create', {
        accountId: acme,
        username: 'writer',
        password: 'writer pass 1',
      });
      await sc.call('accessRules.set', {
        accountId: acme,
        credentialId: writer.id,
        rules: [{ filter: '#', action: 'both' }],
      });
      const reader = await sc.call('credentials.create', {
        accountId: acme,
        username: 'reader',
        password: 'reader pass 1',
      });
      await sc.call('accessRules.set', {
        accountId: acme,
        credentialId: reader.id,
        rules: [
          { filter: 'lab/public/#', action: 'subscribe' },
          { filter: 'status/+', action: 'subscribe' },
        ],
      });
      await sc.call('credentials.create', {
        accountId: acme,
        username: 'templated',
        password: 'templated pass 1',
      });
      key = (
        await sc.call('apiKeys.create', {
          accountId: acme,
          name: 'dashboard',
          type: 'device',
          permissions: [{ filter: 'lab/public/#', action: 'subscribe' }],
        })
      ).key;
    });
    after(() => sc.core.close());

    for (const [who, username, password] of [
      ['a credential', 'reader', 'reader pass 1'],
      ['the account template', 'templated', 'templated pass 1'],
      ['an API key', 'authorization', ''],
    ] as const) {
      it(`${who}: # is granted, only allowed topics are delivered, a wholly outside filter is refused`, async () => {
        const writer = await connect(sc.url, {
          clientId: `w-${username}`,
          username: 'writer',
          password: 'writer pass 1',
        });
        const sub = await connect(sc.url, { clientId: `s-${username}`, username, password: password || key });
        try {
          assert.equal(await pubackCode(writer, 'lab/secret/retained', 'r-secret', true), 0);
          const { got, marker } = collect(sub, 'lab/public/marker');
          assert.equal(await subackCode(sub, '#'), 1, '# is granted');
          assert.equal(await subackCode(sub, 'lab/secret/#'), 0x87, 'wholly outside the rules');
          assert.equal(await subackCode(sub, '+/+/x'), 1, 'reaches into lab/public/x');
          assert.equal(await pubackCode(writer, 'lab/secret/x', 'live'), 0);
          assert.equal(await pubackCode(writer, 'lab/public/x', 'live'), 0);
          assert.equal(await pubackCode(writer, 'lab/public/marker', 'end'), 0);
          await marker;
          assert.ok(got.includes('lab/public/x live'));
          assert.deepEqual(
            got.filter((m) => m.startsWith('lab/secret/')),
            [],
            'denied topics withheld',
          );
        } finally {
          await endAll(writer, sub);
        }
      });
    }
  });
});
