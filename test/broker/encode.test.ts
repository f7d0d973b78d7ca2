import assert from 'node:assert/strict';
import { test } from 'node:test';
import mqttPacket, { type Packet } from 'mqtt-packet';
import { encodePacket } from '../../main/broker/encode';

const cases: [Record<string, unknown>, 4 | 5][] = [
  [{ cmd: 'publish', topic: 'a/b', payload: Buffer.from('hello'), qos: 0, retain: false, dup: false }, 4],
  [{ cmd: 'publish', topic: 'ünï/çødé', payload: Buffer.alloc(300, 1), qos: 1, messageId: 77, dup: true }, 4],
  [
    {
      cmd: 'publish',
      topic: 't',
      payload: Buffer.from('x'),
      qos: 2,
      messageId: 65535,
      properties: {
        contentType: 'text/plain',
        userProperties: { a: 'b', c: ['d', 'e'] },
        subscriptionIdentifier: [1, 300],
        messageExpiryInterval: 9,
        correlationData: Buffer.from([1, 2]),
      },
    },
    5,
  ],
  [{ cmd: 'suback', messageId: 3, granted: [0, 1, 2, 0x80] }, 4],
  [{ cmd: 'suback', messageId: 3, granted: [0, 0x87], properties: { reasonString: 'no' } }, 5],
  [{ cmd: 'connack', sessionPresent: true, reasonCode: 0, properties: { topicAliasMaximum: 10 } }, 5],
  [{ cmd: 'disconnect', reasonCode: 0x8e, properties: { reasonString: 'taken over' } }, 5],
  [{ cmd: 'puback', messageId: 9, reasonCode: 0 }, 5],
  [{ cmd: 'pubrel', messageId: 9 }, 4],
];

test('encodePacket produces exactly the bytes of mqtt-packet generate()', () => {
  for (const [packet, protocolVersion] of cases) {
    const expected = mqttPacket.generate(packet as unknown as Packet, { protocolVersion });
    assert.deepEqual(encodePacket(packet, protocolVersion), expected, String(packet.cmd));
  }
});

test('encodePacket reports invalid packets instead of producing bytes', () => {
  assert.throws(() => encodePacket({ cmd: 'publish', topic: 7, payload: 'x', qos: 0 }, 4));
  // and the shared accumulator is clean afterwards
  assert.deepEqual(encodePacket({ cmd: 'pingresp' }, 4), Buffer.from([0xd0, 0x00]));
});
