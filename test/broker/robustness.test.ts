import assert from 'node:assert/strict';
import net from 'node:net';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import mqttPacket, { type Packet } from 'mqtt-packet';
import pino from 'pino';
import { collect, connect, endAll, RawClient } from '../helpers/mqtt-client';
import { startBroker, type TestBroker } from '../helpers/test-broker';
import { prng } from '../helpers/prng';
import { waitFor } from '../helpers/wait-for';

const gen = (p: Record<string, unknown>, v: 4 | 5) =>
  mqttPacket.generate(p as unknown as Packet, { protocolVersion: v });

function samplePackets(v: 4 | 5): Buffer[] {
  return [
    gen(
      { cmd: 'connect', protocolId: 'MQTT', protocolVersion: v, clean: true, clientId: 'fz', keepalive: 10 },
      v,
    ),
    gen({ cmd: 'publish', topic: 'fuzz/a', payload: 'hello', qos: 1, messageId: 3 }, v),
    gen({ cmd: 'publish', topic: 'fuzz/b', payload: Buffer.alloc(40), qos: 2, messageId: 4 }, v),
    gen({ cmd: 'subscribe', messageId: 5, subscriptions: [{ topic: 'fuzz/#', qos: 2 }] }, v),
    gen({ cmd: 'unsubscribe', messageId: 6, unsubscriptions: ['fuzz/#'] }, v),
    gen({ cmd: 'pubrel', messageId: 4 }, v),
    gen({ cmd: 'puback', messageId: 1 }, v),
    gen({ cmd: 'pingreq' }, v),
  ];
}

function mutate(buf: Buffer, rand: () => number): Buffer {
  const out = Buffer.from(buf);
  const edits = 1 + Math.floor(rand() * 4);
  for (let i = 0; i < edits; i++) {
    const at = Math.floor(rand() * out.length);
    const kind = rand();
    if (kind < 0.6) out[at] = Math.floor(rand() * 256);
    else if (kind < 0.8) out[at] = out[at]! ^ (1 << Math.floor(rand() * 8));
    else return out.subarray(0, at);
  }
  return out;
}

async function assertHealthy(tb: TestBroker): Promise<void> {
  const sub = await connect(tb.url, { protocolVersion: 5 });
  const got = collect(sub);
  await sub.subscribeAsync('health/#', { qos: 1 });
  const pub = await connect(tb.url);
  await pub.publishAsync('health/check', 'ok', { qos: 1 });
  await waitFor(() => got.length === 1, 'got.length === 1');
  await endAll(sub, pub);
}

test('fuzz: random and mutated packets close only the offending connections', async () => {
  const internalErrors: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      internalErrors.push(String(chunk));
      cb();
    },
  });
  const tb = await startBroker({ allowAnonymous: true, logger: pino({ level: 'error' }, sink) });
  const rand = prng(20261122);
  try {
    const sockets: net.Socket[] = [];
    for (let round = 0; round < 300; round++) {
      const v: 4 | 5 = rand() < 0.5 ? 4 : 5;
      const samples = samplePackets(v);
      const s = net.connect(tb.port, '127.0.0.1');
      s.on('error', () => {});
      s.on('data', () => {});
      sockets.push(s);
      const chunks: Buffer[] = [];
      if (rand() < 0.6) chunks.push(samples[0]!); // a valid CONNECT first, then junk
      const n = 1 + Math.floor(rand() * 6);
      for (let i = 0; i < n; i++) {
        const r = rand();
        if (r < 0.2) {
          chunks.push(
            Buffer.from(Array.from({ length: 1 + Math.floor(rand() * 64) }, () => Math.floor(rand() * 256))),
          );
        } else {
          chunks.push(mutate(samples[Math.floor(rand() * samples.length)]!, rand));
        }
      }
      s.write(Buffer.concat(chunks));
      // A health check is several round trips through the broker's event loop: by the time it passes,
      // the junk already written to loopback sockets has been read and handled.
      if (round % 50 === 49) await assertHealthy(tb);
    }
    await assertHealthy(tb);
    for (const s of sockets) s.destroy();
    await waitFor(() => tb.broker.clients().length === 0, 'fuzz clients gone', 5000);
    await assertHealthy(tb);
    assert.deepEqual(internalErrors, [], 'bad input is a protocol error, never an internal failure');
  } finally {
    await tb.close();
  }
});

test('[MQTT-3.3.1-4] a PUBLISH with QoS 3 is malformed: the connection is closed', async () => {
  const tb = await startBroker();
  try {
    const raw = await RawClient.connected(tb.port, 'q3', 5);
    raw.sendRaw([0x36, 0x05, 0x00, 0x01, 0x61, 0x00, 0x01]);
    assert.equal((await raw.next('disconnect')).reasonCode, 0x81);
    await raw.waitClosed();
    await assertHealthy(tb);
  } finally {
    await tb.close();
  }
});

test('a remaining length beyond our maximum closes the connection before the body arrives', async () => {
  const tb = await startBroker({ allowAnonymous: true, limits: { maxPacketSize: 64 * 1024 } });
  try {
    const raw = await RawClient.connected(tb.port, 'huge');
    // PUBLISH header announcing 200 MB, followed by a few bytes only
    raw.sendRaw([0x30, 0x80, 0x80, 0x80, 0x60, 0x00, 0x01, 0x61]);
    await raw.waitClosed();
    await assertHealthy(tb);
  } finally {
    await tb.close();
  }
});

test('CONNECT floods: repeated CONNECTs on many sockets are all closed, others carry on', async () => {
  const tb = await startBroker();
  try {
    const connectBytes = gen(
      {
        cmd: 'connect',
        protocolId: 'MQTT',
        protocolVersion: 4,
        clean: true,
        clientId: 'flood',
        keepalive: 0,
      },
      4,
    );
    const raws = await Promise.all(Array.from({ length: 100 }, () => RawClient.open(tb.port)));
    for (const r of raws) r.sendRaw(Buffer.concat([connectBytes, connectBytes, connectBytes]));
    await Promise.all(raws.map((r) => r.waitClosed(10_000)));
    await assertHealthy(tb);
  } finally {
    await tb.close();
  }
});

test('a stalled subscriber does not grow memory: QoS 0 over the outgoing limit is dropped and counted', async () => {
  const tb = await startBroker({
    allowAnonymous: true,
    limits: { maxOutgoingBufferBytes: 256 * 1024, maxQueuedMessages: 100 },
  });
  try {
    const stalled = await RawClient.connected(tb.port, 'stall');
    stalled.send({
      cmd: 'subscribe',
      messageId: 1,
      subscriptions: [
        { topic: 'flood/0', qos: 0 },
        { topic: 'flood/1', qos: 1 },
      ],
    });
    await stalled.next('suback');
    stalled.socket.pause();

    const publisher = await RawClient.connected(tb.port, 'pub');
    const payload = Buffer.alloc(4096, 7);
    const q0 = gen({ cmd: 'publish', topic: 'flood/0', payload, qos: 0 }, 4);
    const batch = Buffer.concat(Array.from({ length: 64 }, () => q0));
    const heapBefore = process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
    // 400 MiB offered to a client that reads nothing
    for (let i = 0; i < 1600; i++) {
      if (!publisher.socket.write(batch)) await new Promise((r) => publisher.socket.once('drain', r));
    }
    for (let id = 1; id <= 300; id++)
      publisher.send({ cmd: 'publish', topic: 'flood/1', payload, qos: 1, messageId: id });
    await waitFor(() => tb.broker.stats().messagesIn >= 1600 * 64 + 300, 'flood processed', 60_000);
    const stats = tb.broker.stats();
    assert.ok(stats.messagesDropped > 1600 * 64 * 0.9, `dropped ${stats.messagesDropped}`);
    const grown = process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers - heapBefore;
    assert.ok(grown < 64 * 1024 * 1024, `memory grew by ${(grown / 1048576).toFixed(1)} MiB`);
    const session = tb.broker.sessions().find((s) => s.clientId === 'stall')!;
    assert.ok(session.queued <= 100, `queued ${session.queued}`);
    await assertHealthy(tb);
    stalled.close();
    publisher.close();
  } finally {
    await tb.close();
  }
});

for (const [name, bytes] of [
  // 5.0 encodings: topic "a", packet id 0, empty properties / packet id 1, empty properties, no filters
  ['[MQTT-2.2.1-3] QoS 1 PUBLISH with packet identifier 0', [0x32, 0x06, 0x00, 0x01, 0x61, 0x00, 0x00, 0x00]],
  ['[MQTT-3.10.3-2] UNSUBSCRIBE without topic filters', [0xa2, 0x03, 0x00, 0x01, 0x00]],
] as const) {
  test(`${name} is a protocol error (5.0: DISCONNECT 0x82)`, async () => {
    const tb = await startBroker();
    try {
      const raw = await RawClient.connected(tb.port, 'pe', 5);
      raw.sendRaw([...bytes]);
      await raw.waitClosed();
      const at = raw.received.lastIndexOf(0xe0);
      assert.ok(at >= 0, 'DISCONNECT sent');
      assert.equal(raw.received[at + 2], 0x82);
    } finally {
      await tb.close();
    }
  });
}
