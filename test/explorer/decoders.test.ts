import assert from 'node:assert/strict';
import { test } from 'node:test';
import zlib from 'node:zlib';
import { decodePayload } from '../../main/explorer/decoders';
import { decodeCbor } from '../../main/explorer/decoders/cbor';
import { ProtoWriter } from './proto-writer';

function kuraPayload(): Buffer {
  const metric = (name: string, type: number, set: (w: ProtoWriter) => ProtoWriter) =>
    set(new ProtoWriter().bytes(1, name).uint(2, type));
  return new ProtoWriter()
    .uint(1, 1_700_000_000_123)
    .bytes(
      2,
      new ProtoWriter().double(1, 45.5).double(2, 9.25).double(3, 120).uint(7, 1_700_000_000_000).uint(8, 7),
    )
    .bytes(
      5000,
      metric('temperature', 0, (w) => w.double(3, 21.5)),
    )
    .bytes(
      5000,
      metric('ratio', 1, (w) => w.float(4, 0.5)),
    )
    .bytes(
      5000,
      metric('counter', 2, (w) => w.uint(5, 9_007_199_254_740_000n)),
    )
    .bytes(
      5000,
      metric('offset', 3, (w) => w.uint(6, -5)),
    )
    .bytes(
      5000,
      metric('on', 4, (w) => w.bool(7, true)),
    )
    .bytes(
      5000,
      metric('label', 5, (w) => w.bytes(8, 'pump-1')),
    )
    .bytes(
      5000,
      metric('raw', 6, (w) => w.bytes(9, Buffer.from([1, 2, 3]))),
    )
    .bytes(5001, 'hello body')
    .finish();
}

test('Kura payload: timestamp, position, typed metrics and body', () => {
  const decoded = decodePayload(kuraPayload(), 'devices/pump/data');
  assert.equal(decoded.detected, 'kura');
  const view = decoded.views.kura;
  assert.ok(view?.ok);
  const kura = (view as { value: Record<string, unknown> }).value as {
    compressed: boolean;
    timestamp: number;
    position: Record<string, number>;
    metrics: Record<string, { type: string; value: unknown }>;
    body: { text: string };
  };
  assert.equal(kura.compressed, false);
  assert.equal(kura.timestamp, 1_700_000_000_123);
  assert.deepEqual(kura.position, {
    latitude: 45.5,
    longitude: 9.25,
    altitude: 120,
    timestamp: 1_700_000_000_000,
    satellites: 7,
  });
  assert.deepEqual(kura.metrics.temperature, { type: 'DOUBLE', value: 21.5 });
  assert.deepEqual(kura.metrics.ratio, { type: 'FLOAT', value: 0.5 });
  assert.deepEqual(kura.metrics.counter, { type: 'INT64', value: 9_007_199_254_740_000 });
  assert.deepEqual(kura.metrics.offset, { type: 'INT32', value: -5 });
  assert.deepEqual(kura.metrics.on, { type: 'BOOL', value: true });
  assert.deepEqual(kura.metrics.label, { type: 'STRING', value: 'pump-1' });
  assert.deepEqual(kura.metrics.raw, { type: 'BYTES', value: { base64: 'AQID' } });
  assert.equal(kura.body.text, 'hello body');
});

test('gzip-compressed Kura payload is detected and decoded', () => {
  const decoded = decodePayload(zlib.gzipSync(kuraPayload()));
  assert.equal(decoded.detected, 'kura');
  const kura = (
    decoded.views.kura as { value: { compressed: boolean; metrics: Record<string, { value: unknown }> } }
  ).value;
  assert.equal(kura.compressed, true);
  assert.equal(kura.metrics.temperature?.value, 21.5);
});

test('Sparkplug B payload: timestamp, seq and metrics with name, alias, datatype and value', () => {
  const payload = new ProtoWriter()
    .uint(1, 1_700_000_000_500)
    .bytes(2, new ProtoWriter().bytes(1, 'Node Control/Rebirth').uint(2, 1).uint(4, 11).bool(14, false))
    .bytes(
      2,
      new ProtoWriter().bytes(1, 'temp').uint(2, 2).uint(3, 1_700_000_000_400).uint(4, 10).double(13, -3.25),
    )
    .bytes(2, new ProtoWriter().uint(2, 3).uint(4, 1).uint(10, 0xff))
    .bytes(2, new ProtoWriter().bytes(1, 'big').uint(4, 8).uint(11, 42))
    .bytes(2, new ProtoWriter().bytes(1, 'name').uint(4, 12).bytes(15, 'line A'))
    .bytes(2, new ProtoWriter().bytes(1, 'f').uint(4, 9).float(12, 1.5))
    .uint(3, 7)
    .finish();
  const decoded = decodePayload(payload, 'spBv1.0/plant/DDATA/edge1/dev1');
  assert.equal(decoded.detected, 'sparkplugb');
  const sp = (
    decoded.views.sparkplugb as {
      value: { timestamp: number; seq: number; metrics: Record<string, unknown>[] };
    }
  ).value;
  assert.equal(sp.timestamp, 1_700_000_000_500);
  assert.equal(sp.seq, 7);
  assert.equal(sp.metrics.length, 6);
  assert.deepEqual(sp.metrics[0], {
    name: 'Node Control/Rebirth',
    alias: 1,
    datatype: 11,
    datatypeName: 'Boolean',
    value: false,
  });
  assert.deepEqual(sp.metrics[1], {
    name: 'temp',
    alias: 2,
    timestamp: 1_700_000_000_400,
    datatype: 10,
    datatypeName: 'Double',
    value: -3.25,
  });
  assert.deepEqual(sp.metrics[2], { alias: 3, datatype: 1, datatypeName: 'Int8', value: -1 });
  assert.equal(sp.metrics[3]?.value, 42);
  assert.equal(sp.metrics[4]?.value, 'line A');
  assert.equal(sp.metrics[5]?.value, 1.5);
  // Without the topic hint the metrics still rule Kura out.
  assert.equal(decodePayload(payload).detected, 'sparkplugb');
});

test('CBOR: maps, arrays, negative ints, floats, byte strings, indefinite lengths, tags', () => {
  // {"t": 21.5, "n": -10, "ok": true, "b": h'0102', "a": [1, 2, 3], "s": "hé", "x": null}
  const doc = Buffer.from(
    'a7' +
      '6174' +
      'f94580' + // "t": 5.5 as half float
      '616e' +
      '29' + // "n": -10
      '626f6b' +
      'f5' + // "ok": true
      '6162' +
      '420102' + // "b": bytes
      '6161' +
      '9f010203ff' + // "a": indefinite array
      '6173' +
      '6368c3a9' + // "s": "hé"
      '6178' +
      'f6', // "x": null
    'hex',
  );
  assert.deepEqual(decodeCbor(doc), {
    t: 5.5,
    n: -10,
    ok: true,
    b: { base64: 'AQI=' },
    a: [1, 2, 3],
    s: 'hé',
    x: null,
  });
  assert.deepEqual(decodeCbor(Buffer.from('c11a514b67b0', 'hex')), { tag: 1, value: 1363896240 });
  assert.equal(decodeCbor(Buffer.from('fb3ff199999999999a', 'hex')), 1.1);
  const decoded = decodePayload(doc);
  assert.equal(decoded.detected, 'cbor');
  assert.throws(() => decodeCbor(Buffer.from('a16174', 'hex')), /truncated/);
});

test('JSON, text, base64 and hex detection', () => {
  const json = decodePayload(Buffer.from('{"temp": 21.5, "tags": ["a"]}'));
  assert.equal(json.detected, 'json');
  assert.deepEqual((json.views.json as { value: unknown }).value, { temp: 21.5, tags: ['a'] });

  const text = decodePayload(Buffer.from('hello world'));
  assert.equal(text.detected, 'text');
  assert.equal((text.views.text as { value: string }).value, 'hello world');
  assert.equal(text.views.json?.ok, false);

  const b64 = decodePayload(Buffer.from(Buffer.from('binary\u0000data!').toString('base64')));
  assert.equal(b64.detected, 'base64');
  assert.equal((b64.views.base64 as { value: { bytes: number } }).value.bytes, 12);

  const binary = decodePayload(Buffer.from([0xde, 0xad, 0xbe, 0xef, 0x00, 0xff]));
  assert.equal(binary.detected, 'hex');
  assert.match((binary.views.hex as { value: string }).value, /^00000000 {2}de ad be ef 00 ff/);
  assert.equal(binary.views.text?.ok, false);
});
