import assert from 'node:assert/strict';
import { test } from 'node:test';
import { connect, endAll, RawClient } from '../helpers/mqtt-client';
import { startBroker } from '../helpers/test-broker';
import { waitFor } from '../helpers/wait-for';

const connectPacket = (extra: Record<string, unknown> = {}) => ({
  cmd: 'connect',
  protocolId: 'MQTT',
  protocolVersion: 4,
  clean: true,
  clientId: 'raw',
  keepalive: 0,
  ...extra,
});

test('[MQTT-3.1.0-1] a first packet other than CONNECT closes the connection', async () => {
  const tb = await startBroker();
  try {
    const raw = await RawClient.open(tb.port);
    raw.send({ cmd: 'pingreq' });
    await raw.waitClosed();
    assert.equal(raw.packets.length, 0, 'nothing may be sent before CONNACK');
  } finally {
    await tb.close();
  }
});

test('[MQTT-3.1.0-2] a second CONNECT is a protocol error (5.0: DISCONNECT 0x82)', async () => {
  const tb = await startBroker();
  try {
    const raw = await RawClient.open(tb.port, 5);
    raw.send(connectPacket({ protocolVersion: 5 }), 5);
    const ack = await raw.next('connack');
    assert.equal(ack.reasonCode, 0);
    raw.send(connectPacket({ protocolVersion: 5 }), 5);
    const disc = await raw.next('disconnect');
    assert.equal(disc.reasonCode, 0x82);
    await raw.waitClosed();
  } finally {
    await tb.close();
  }
});

test('[MQTT-3.1.2-2] an unsupported protocol level gets CONNACK return code 1', async () => {
  const tb = await startBroker();
  try {
    const raw = await RawClient.open(tb.port);
    // CONNECT with protocol level 6
    raw.sendRaw([0x10, 0x0d, 0x00, 0x04, 0x4d, 0x51, 0x54, 0x54, 0x06, 0x02, 0x00, 0x00, 0x00, 0x01, 0x61]);
    const ack = await raw.next('connack');
    assert.equal(ack.returnCode, 1);
    await raw.waitClosed();
  } finally {
    await tb.close();
  }
});

test('[MQTT-3.1.2-3] a CONNECT with the reserved flag set closes the connection', async () => {
  const tb = await startBroker();
  try {
    const raw = await RawClient.open(tb.port);
    raw.sendRaw([0x10, 0x0d, 0x00, 0x04, 0x4d, 0x51, 0x54, 0x54, 0x04, 0x03, 0x00, 0x00, 0x00, 0x01, 0x61]);
    await raw.waitClosed();
    assert.equal(raw.packets.length, 0);
  } finally {
    await tb.close();
  }
});

test('[MQTT-3.1.3-8] 3.1.1 empty client id with clean session 0 is refused with 0x02', async () => {
  const tb = await startBroker();
  try {
    const raw = await RawClient.open(tb.port);
    // CONNECT 3.1.1, clean session 0, keep alive 0, zero-length client id
    raw.sendRaw([0x10, 0x0c, 0x00, 0x04, 0x4d, 0x51, 0x54, 0x54, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00]);
    const ack = await raw.next('connack');
    assert.equal(ack.returnCode, 2);
    assert.equal(ack.sessionPresent, false);
    await raw.waitClosed();
  } finally {
    await tb.close();
  }
});

test('[MQTT-3.1.3-6] 3.1.1 empty client id with clean session 1 is accepted', async () => {
  const tb = await startBroker();
  try {
    const c = await connect(tb.url, { clientId: '', clean: true });
    await c.subscribeAsync('x');
    await endAll(c);
  } finally {
    await tb.close();
  }
});

test('[MQTT-3.2.2-16] 5.0 empty client id: the assigned id is returned in CONNACK', async () => {
  const tb = await startBroker();
  try {
    const raw = await RawClient.open(tb.port, 5);
    raw.send(connectPacket({ protocolVersion: 5, clientId: '' }), 5);
    const ack = await raw.next('connack');
    const props = ack.properties as { assignedClientIdentifier?: string };
    assert.ok(props.assignedClientIdentifier && props.assignedClientIdentifier.length > 0);
    assert.equal(tb.broker.clients()[0]?.clientId, props.assignedClientIdentifier);
    raw.close();
  } finally {
    await tb.close();
  }
});

test('MQTT 3.1 (MQIsdp) clients connect, subscribe and publish', async () => {
  const tb = await startBroker();
  try {
    const c = await connect(tb.url, { protocolVersion: 3, protocolId: 'MQIsdp', clientId: 'old31' });
    const got: string[] = [];
    c.on('message', (_t, p) => got.push(p.toString()));
    await c.subscribeAsync('legacy/#', { qos: 1 });
    await c.publishAsync('legacy/x', 'hi', { qos: 1 });
    await waitFor(() => got.length === 1, 'got.length === 1');
    assert.equal(tb.broker.clients()[0]?.protocolVersion, 3);
    await endAll(c);
  } finally {
    await tb.close();
  }
});

test('[MQTT-3.1.2-4] session present: persistent session resumes, clean session does not', async () => {
  const tb = await startBroker();
  try {
    const a = await connect(tb.url, { clientId: 'p1', clean: false });
    await a.subscribeAsync('s/#', { qos: 1 });
    await endAll(a);
    const b = await connect(tb.url, { clientId: 'p1', clean: false });
    // mqtt.js exposes the CONNACK through the 'connect' event; check via a raw client instead
    await endAll(b);
    const raw = await RawClient.open(tb.port);
    raw.send(connectPacket({ clientId: 'p1', clean: false }));
    assert.equal((await raw.next('connack')).sessionPresent, true);
    raw.close();
    await waitFor(() => tb.broker.clients().length === 0, 'tb.broker.clients().length === 0');
    const raw2 = await RawClient.open(tb.port);
    raw2.send(connectPacket({ clientId: 'p1', clean: true }));
    assert.equal((await raw2.next('connack')).sessionPresent, false);
    raw2.close();
  } finally {
    await tb.close();
  }
});

test('[MQTT-3.1.4-3] session takeover: the old 5.0 connection gets DISCONNECT 0x8E', async () => {
  const tb = await startBroker();
  try {
    const causes: string[] = [];
    tb.broker.events.on('client.disconnected', (e) => causes.push(e.cause));
    const old = await RawClient.open(tb.port, 5);
    old.send(connectPacket({ protocolVersion: 5, clientId: 'twin' }), 5);
    await old.next('connack');
    const fresh = await connect(tb.url, { protocolVersion: 5, clientId: 'twin' });
    const disc = await old.next('disconnect');
    assert.equal(disc.reasonCode, 0x8e);
    await old.waitClosed();
    assert.deepEqual(causes, ['takeover']);
    assert.equal(tb.broker.clients().length, 1);
    await endAll(fresh);
  } finally {
    await tb.close();
  }
});

test('connect timeout: a socket that never sends CONNECT is closed', async () => {
  const tb = await startBroker({ allowAnonymous: true, limits: { connectTimeoutMs: 300 } });
  try {
    const raw = await RawClient.open(tb.port);
    await raw.waitClosed(5000);
  } finally {
    await tb.close();
  }
});

test('[MQTT-3.1.2-24] keep alive: silence for 1.5x the interval closes the connection', async (t) => {
  // The housekeeping sweep is mocked and the broker clock moved by hand: the limit is checked exactly.
  t.mock.timers.enable({ apis: ['setInterval'] });
  let now = Date.now();
  const tb = await startBroker({ allowAnonymous: true, now: () => now });
  try {
    const causes: string[] = [];
    tb.broker.events.on('client.disconnected', (e) => causes.push(e.cause));
    const raw = await RawClient.open(tb.port, 5);
    raw.send(connectPacket({ protocolVersion: 5, keepalive: 1 }), 5);
    await raw.next('connack');
    now += 1500;
    t.mock.timers.tick(500);
    assert.equal(causes.length, 0, 'not before 1.5x keep alive');
    now += 1;
    t.mock.timers.tick(500);
    const disc = await raw.next('disconnect');
    assert.equal(disc.reasonCode, 0x8d);
    await raw.waitClosed();
    assert.deepEqual(causes, ['keepalive']);
  } finally {
    await tb.close();
  }
});

test('keep alive: PINGREQ keeps the connection open', async (t) => {
  t.mock.timers.enable({ apis: ['setInterval'] });
  let now = Date.now();
  const tb = await startBroker({ allowAnonymous: true, now: () => now });
  try {
    const raw = await RawClient.open(tb.port);
    raw.send(connectPacket({ keepalive: 1 }));
    await raw.next('connack');
    for (let i = 0; i < 5; i++) {
      raw.send({ cmd: 'pingreq' });
      await raw.next('pingresp');
      now += 1000;
      t.mock.timers.tick(500);
    }
    await raw.sync();
    assert.equal(raw.closed, false, 'open after 5 s of keep alive 1 s, with a PINGREQ each second');
    raw.close();
  } finally {
    await tb.close();
  }
});

test('[MQTT-3.2.2-21] server keep alive: 5.0 clients are told the capped value', async () => {
  const tb = await startBroker({ allowAnonymous: true, limits: { maxKeepAlive: 30 } });
  try {
    const raw = await RawClient.open(tb.port, 5);
    raw.send(connectPacket({ protocolVersion: 5, keepalive: 600 }), 5);
    const ack = await raw.next('connack');
    assert.equal((ack.properties as { serverKeepAlive?: number }).serverKeepAlive, 30);
    assert.equal(tb.broker.clients()[0]?.keepAlive, 30);
    raw.close();
  } finally {
    await tb.close();
  }
});

test('CONNECT with an authentication method is answered with 0x8C', async () => {
  const tb = await startBroker();
  try {
    const raw = await RawClient.open(tb.port, 5);
    raw.send(connectPacket({ protocolVersion: 5, properties: { authenticationMethod: 'SCRAM-SHA-1' } }), 5);
    const ack = await raw.next('connack');
    assert.equal(ack.reasonCode, 0x8c);
    await raw.waitClosed();
  } finally {
    await tb.close();
  }
});

test('AUTH after CONNECT is answered with DISCONNECT 0x8C', async () => {
  const tb = await startBroker();
  try {
    const raw = await RawClient.open(tb.port, 5);
    raw.send(connectPacket({ protocolVersion: 5 }), 5);
    await raw.next('connack');
    raw.send({ cmd: 'auth', reasonCode: 0x18, properties: { authenticationMethod: 'x' } }, 5);
    await raw.waitClosed();
    // mqtt-packet's parser does not know DISCONNECT 0x8C (valid in MQTT 5), so check the bytes
    const at = raw.received.indexOf(0xe0);
    assert.ok(at > 0, 'a DISCONNECT was sent');
    assert.equal(raw.received[at + 2], 0x8c);
  } finally {
    await tb.close();
  }
});

test('anonymous access is refused by default (5.0: 0x87, 3.1.1: return code 5)', async () => {
  const tb = await startBroker({});
  try {
    const refused: number[] = [];
    tb.broker.events.on('client.connect-refused', (e) => refused.push(e.reasonCode));
    const v5 = await RawClient.open(tb.port, 5);
    v5.send(connectPacket({ protocolVersion: 5 }), 5);
    assert.equal((await v5.next('connack')).reasonCode, 0x87);
    const v4 = await RawClient.open(tb.port);
    v4.send(connectPacket());
    assert.equal((await v4.next('connack')).returnCode, 5);
    await v4.waitClosed();
    assert.deepEqual(refused, [0x87, 0x87]);
  } finally {
    await tb.close();
  }
});
