import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeKura } from '../../main/explorer/decoders/kura';
import {
  BUNDLE_KEYS,
  bundleFromProperties,
  bundleToProperties,
  defaultBundle,
} from '../../main/provisioning/agent';
import {
  decodeMessage,
  encodeMessage,
  MalformedMessage,
  parseRequestTopic,
  provisionTopics,
} from '../../main/provisioning/protocol';

const message = {
  metrics: { 'request.id': 'r-1', 'response.code': 200, flag: true, ratio: 0.5, text: 'é ünïcode' },
  body: Buffer.from([0, 1, 2, 255]),
};

test('both wire formats round-trip metrics and body, and the reply format follows the request', () => {
  for (const format of ['json', 'kura'] as const) {
    const encoded = encodeMessage(message, format);
    const decoded = decodeMessage(encoded);
    assert.equal(decoded.format, format);
    assert.deepEqual(decoded.message.metrics, message.metrics);
    assert.ok(decoded.message.body?.equals(message.body));
  }
});

test("the Kura variant is what the explorer's Kura decoder reads", () => {
  const decoded = decodeKura(encodeMessage(message, 'kura'));
  assert.deepEqual(decoded.metrics['request.id'], { type: 'STRING', value: 'r-1' });
  assert.deepEqual(decoded.metrics['response.code'], { type: 'INT64', value: 200 });
  assert.deepEqual(decoded.metrics['flag'], { type: 'BOOL', value: true });
  assert.deepEqual(decoded.metrics['ratio'], { type: 'DOUBLE', value: 0.5 });
  assert.equal(decoded.body?.base64, message.body.toString('base64'));
});

test('malformed payloads are MalformedMessage errors, gzip included', () => {
  const bad = [
    Buffer.from('{"metrics": 5}'),
    Buffer.from('{"metrics": {"a": {"nested": 1}}}'),
    Buffer.from('{ broken'),
    Buffer.from([0x1f, 0x8b, 0x08, 0x00]),
    Buffer.from([0xff, 0xff, 0xff]),
  ];
  for (const payload of bad) assert.throws(() => decodeMessage(payload), MalformedMessage);
});

test('request topics are recognised only for the three operations', () => {
  const topics = provisionTopics('dev1');
  assert.deepEqual(parseRequestTopic(topics.provision), { clientId: 'dev1', operation: 'EXEC/provision' });
  assert.deepEqual(parseRequestTopic(topics.file), { clientId: 'dev1', operation: 'GET/file' });
  assert.equal(parseRequestTopic('PROV-V1/dev1/EXEC/other'), null);
  assert.equal(parseRequestTopic(topics.reply('x')), null);
});

test('the provision bundle uses the seed names and survives the ESF-style properties form', () => {
  const identity = { mac: '00:1A:2B:3C:4D:5E', serial: 'SN-42', model: 'M', firmware: 'F' };
  const bundle = defaultBundle(identity, {
    'broker-url': 'mqtts://prov.example:8883',
    password: 'p=a:s#s\\',
  });
  assert.deepEqual(Object.keys(bundle).sort(), [...BUNDLE_KEYS].sort());
  assert.equal(bundle['client-id'], '001A2B3C4D5E');
  assert.equal(bundle.username, '00:1A:2B:3C:4D:5E-SN-42');
  assert.equal(bundle['retry-max-attempts'], -1);
  const text = bundleToProperties(bundle, 'for device 42');
  assert.match(text, /^# for device 42\nenabled=true\n/);
  assert.deepEqual(bundleFromProperties(text), bundle);
});
