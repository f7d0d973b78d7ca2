import assert from 'node:assert/strict';
import { test } from 'node:test';
import pino from 'pino';
import { connect, endAll, RawClient } from '../helpers/mqtt-client';
import { serveBroker } from '../helpers/test-broker';
import { waitFor } from '../helpers/wait-for';
import { createBroker } from '../../main/broker';

interface LogLine {
  level: number;
  msg: string;
  clientId?: string;
  remoteAddress?: string;
  listener?: string;
  module?: string;
}

/** A broker whose pino output is captured line by line, as the app would write it. */
async function brokerWithCapturedLog() {
  const lines: LogLine[] = [];
  const logger = pino(
    { level: 'info' },
    {
      write(chunk: string) {
        for (const line of chunk.split('\n')) if (line.trim()) lines.push(JSON.parse(line) as LogLine);
      },
    },
  );
  const tb = await serveBroker(createBroker({ allowAnonymous: true, logger }));
  return { tb, lines };
}

async function rawConnected(port: number, clientId: string) {
  const raw = await RawClient.open(port, 5);
  raw.send(
    { cmd: 'connect', protocolId: 'MQTT', protocolVersion: 5, clean: true, clientId, keepalive: 0 },
    5,
  );
  await raw.next('connack');
  return raw;
}

test('a malformed packet is logged with the client id, remote address and listener; others carry on', async () => {
  const { tb, lines } = await brokerWithCapturedLog();
  const bystander = await connect(tb.url, { clientId: 'bystander' });
  try {
    const raw = await rawConnected(tb.port, 'mal-1');
    raw.sendRaw([0x36, 0x05, 0x00, 0x01, 0x61, 0x00, 0x01]); // PUBLISH with QoS 3
    assert.equal((await raw.next('disconnect')).reasonCode, 0x81);
    await raw.waitClosed();
    const isMalformed = (l: LogLine) => l.msg.startsWith('closing connection: malformed packet');
    await waitFor(() => lines.some(isMalformed), 'the log line', 5000);
    const entry = lines.find(isMalformed);
    assert.equal(entry?.clientId, 'mal-1');
    assert.match(entry?.remoteAddress ?? '', /127\.0\.0\.1$/);
    assert.equal(entry?.listener, 't');
    assert.equal(entry?.module, 'broker');
    assert.equal(entry?.level, 40, 'logged as a warning');
    await bystander.publishAsync('still/alive', 'yes', { qos: 1 });
  } finally {
    await endAll(bystander);
    await tb.close();
  }
});

test('a packet before CONNECT and a garbage stream are logged with the remote address (no client id yet)', async () => {
  const { tb, lines } = await brokerWithCapturedLog();
  try {
    const early = await RawClient.open(tb.port, 4);
    early.send({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'x', qos: 0 }] });
    await early.waitClosed();
    const garbage = await RawClient.open(tb.port, 4);
    garbage.sendRaw([0x00, 0xff, 0xff, 0xff, 0xff, 0x7f]);
    await garbage.waitClosed();
    await waitFor(
      () => lines.filter((l) => l.msg.startsWith('closing connection:')).length >= 2,
      "lines.filter((l) => l.msg.startsWith('closing connection:')).length >= 2",
    );
    const rejected = lines.filter((l) => l.msg.startsWith('closing connection:'));
    assert.ok(
      rejected.some((l) => l.msg.includes('subscribe before CONNECT')),
      JSON.stringify(rejected),
    );
    assert.ok(
      rejected.some((l) => l.msg.includes('malformed packet')),
      JSON.stringify(rejected),
    );
    for (const l of rejected) {
      assert.equal(l.clientId, undefined, 'no client id before CONNECT');
      assert.match(l.remoteAddress ?? '', /127\.0\.0\.1$/);
    }
  } finally {
    await tb.close();
  }
});
