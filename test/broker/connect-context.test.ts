import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { BrokerHooks, ConnectContext } from '../../main/broker';
import { connect, endAll } from '../helpers/mqtt-client';
import { startBroker } from '../helpers/test-broker';

function recordingHooks(seen: ConnectContext[]): BrokerHooks {
  return {
    authenticate(ctx) {
      seen.push(ctx);
      return { ok: true, principal: { kind: 'anonymous', accountId: null, topicPrefix: '' } };
    },
    authorizePublish: () => true,
    authorizeSubscribe: () => true,
  };
}

test('authenticate sees the MQTT 5 CONNECT: will (without payload), keep alive, clean start and properties', async () => {
  const seen: ConnectContext[] = [];
  const tb = await startBroker({ hooks: recordingHooks(seen), limits: { maxKeepAlive: 30 } });
  try {
    const client = await connect(tb.url, {
      clientId: 'ctx-5',
      protocolVersion: 5,
      keepalive: 42,
      clean: false,
      properties: {
        sessionExpiryInterval: 300,
        receiveMaximum: 20,
        maximumPacketSize: 65536,
        topicAliasMaximum: 5,
        requestProblemInformation: false,
        userProperties: { site: 'lab-3', role: 'gateway' },
      },
      will: {
        topic: 'status/ctx-5',
        payload: Buffer.from('offline!'),
        qos: 1,
        retain: true,
        properties: { willDelayInterval: 10, contentType: 'text/plain', userProperties: { why: 'lost' } },
      },
    });
    await endAll(client);
    assert.equal(seen.length, 1);
    const ctx = seen[0]!;
    assert.equal(ctx.clientId, 'ctx-5');
    assert.equal(ctx.protocolVersion, 5);
    assert.equal(ctx.keepAlive, 42, 'as asked, before the server keep alive cap of 30');
    assert.equal(ctx.cleanStart, false);
    assert.deepEqual(ctx.will, {
      topic: 'status/ctx-5',
      qos: 1,
      retain: true,
      payloadSize: 8,
      properties: { willDelayInterval: 10, contentType: 'text/plain', userProperties: { why: 'lost' } },
    });
    assert.equal((ctx.will as unknown as Record<string, unknown>).payload, undefined);
    assert.equal(ctx.properties?.sessionExpiryInterval, 300);
    assert.equal(ctx.properties?.receiveMaximum, 20);
    assert.equal(ctx.properties?.maximumPacketSize, 65536);
    assert.equal(ctx.properties?.topicAliasMaximum, 5);
    assert.equal(ctx.properties?.requestProblemInformation, false);
    assert.deepEqual(ctx.properties?.userProperties, { site: 'lab-3', role: 'gateway' });
    assert.equal(ctx.listener.id, 't');
    assert.equal(ctx.remoteAddress.endsWith('127.0.0.1'), true);
  } finally {
    await tb.close();
  }
});

test('authenticate sees a 3.1.1 CONNECT: clean session, keep alive, will; no properties', async () => {
  const seen: ConnectContext[] = [];
  const tb = await startBroker({ hooks: recordingHooks(seen) });
  try {
    const client = await connect(tb.url, {
      clientId: 'ctx-4',
      protocolVersion: 4,
      keepalive: 15,
      clean: true,
      will: { topic: 'status/ctx-4', payload: Buffer.from('gone'), qos: 0, retain: false },
    });
    await endAll(client);
    const ctx = seen[0]!;
    assert.equal(ctx.protocolVersion, 4);
    assert.equal(ctx.keepAlive, 15);
    assert.equal(ctx.cleanStart, true);
    assert.deepEqual(ctx.will, { topic: 'status/ctx-4', qos: 0, retain: false, payloadSize: 4 });
    assert.equal(ctx.properties, undefined);
  } finally {
    await tb.close();
  }
});

test('a hook can refuse on CONNECT details: a user property decides', async () => {
  const tb = await startBroker({
    hooks: {
      authenticate: (ctx) =>
        ctx.properties?.userProperties?.site === 'lab-3'
          ? { ok: true, principal: { kind: 'anonymous', accountId: null, topicPrefix: '' } }
          : { ok: false, reasonCode: 0x87, reasonString: 'unknown site' },
      authorizePublish: () => true,
      authorizeSubscribe: () => true,
    },
  });
  try {
    const ok = await connect(tb.url, {
      protocolVersion: 5,
      properties: { userProperties: { site: 'lab-3' } },
    });
    await endAll(ok);
    await assert.rejects(
      connect(tb.url, { protocolVersion: 5, properties: { userProperties: { site: 'elsewhere' } } }),
      /Not authorized|unknown site/i,
    );
  } finally {
    await tb.close();
  }
});
