import assert from 'node:assert/strict';
import { test } from 'node:test';
import fs from 'node:fs';
import mqtt from 'mqtt';
import { EventBus } from '../../main/api/event-bus';
import { createBroker } from '../../main/broker';
import { createExplorer } from '../../main/explorer';
import { decodePayload } from '../../main/explorer/decoders';
import { ProtoError } from '../../main/explorer/decoders/protobuf-reader';
import { decodeSparkplug, MAX_NESTING } from '../../main/explorer/decoders/sparkplug';
import { createFileKeyProtector } from '../../main/secrets';
import { openStore } from '../../main/store';
import { serveBroker } from '../helpers/test-broker';
import { allowAllHooks } from './allow-all-hooks';
import { silentLogger, viaContract } from './helpers';
import { tempDir } from '../helpers/temp-dir';
import { waitFor } from '../helpers/wait-for';
import { ProtoWriter } from './proto-writer';
import {
  encodePayload,
  packBooleans,
  packStrings,
  protocDecode,
  protocEncode,
  type SpMetric,
  type SpPayload,
} from './sparkplug-encoder';

// DataType enum values (Sparkplug 3.0).
const T = {
  Int8: 1,
  Int16: 2,
  Int32: 3,
  Int64: 4,
  UInt32: 7,
  UInt64: 8,
  Float: 9,
  Double: 10,
  Boolean: 11,
  String: 12,
  DateTime: 13,
  DataSet: 16,
  Bytes: 17,
  File: 18,
  Template: 19,
  PropertySet: 20,
  PropertySetList: 21,
} as const;

const MAX_U64 = 2n ** 64n - 1n;

/** A DataSet with every cell kind, including values that only survive as strings. */
const dataSetMetric: SpMetric = {
  name: 'Line/Batches',
  alias: 7,
  datatype: T.DataSet,
  value: {
    dataset: {
      numOfColumns: 7,
      columns: ['Batch', 'Offset', 'Serial', 'Weight', 'Ratio', 'Passed', 'Started'],
      types: [T.String, T.Int8, T.UInt64, T.Double, T.Float, T.Boolean, T.DateTime],
      rows: [
        [
          { string: 'B-001' },
          { int: -5 },
          { long: 2n ** 53n + 1n },
          { double: 12.75 },
          { float: 0.1 },
          { boolean: true },
          { long: 1_700_000_000_000 },
        ],
        [
          { string: 'B-002' },
          { int: 127 },
          { long: MAX_U64 },
          null,
          { float: -2.5 },
          { boolean: false },
          null,
        ],
      ],
    },
  },
};

const templateDefinition: SpMetric = {
  name: 'Motor',
  datatype: T.Template,
  value: {
    template: {
      version: 'v2',
      isDefinition: true,
      parameters: [
        { name: 'Manufacturer', type: T.String, value: { string: 'ACME' } },
        { name: 'Poles', type: T.Int16, value: { int: -4 } },
        { name: 'Serial', type: T.UInt64, value: { long: MAX_U64 } },
      ],
      metrics: [
        { name: 'RPM', datatype: T.Int32, value: { int: 0 } },
        { name: 'Running', datatype: T.Boolean, value: { boolean: false } },
      ],
    },
  },
};

const templateInstance: SpMetric = {
  name: 'Pump/Motor',
  datatype: T.Template,
  value: {
    template: {
      templateRef: 'Motor',
      isDefinition: false,
      parameters: [{ name: 'Manufacturer', type: T.String, value: { string: 'Globex' } }],
      metrics: [
        { name: 'RPM', datatype: T.Int32, value: { int: -1450 } },
        {
          name: 'Bearing',
          datatype: T.Template,
          value: {
            template: {
              templateRef: 'Sensor',
              isDefinition: false,
              metrics: [{ name: 'Temp', datatype: T.Float, value: { float: 41.2 } }],
            },
          },
        },
      ],
    },
  },
};

const withProperties: SpMetric = {
  name: 'Tank/Level',
  alias: 9,
  timestamp: 1_700_000_000_100,
  datatype: T.Double,
  isHistorical: true,
  properties: {
    keys: ['engUnit', 'Quality', 'scale', 'limits', 'note'],
    values: [
      { type: T.String, value: { string: 'm³' } },
      { type: T.Int32, value: { int: 192 } },
      {
        type: T.PropertySet,
        value: {
          propertyset: {
            keys: ['min', 'max'],
            values: [
              { type: T.Double, value: { double: 0 } },
              { type: T.Int64, value: { long: -12n } },
            ],
          },
        },
      },
      {
        type: T.PropertySetList,
        value: {
          propertysets: [
            { keys: ['at'], values: [{ type: T.Float, value: { float: 1.5 } }] },
            { keys: ['at'], values: [{ type: T.Float, value: { float: 9.5 } }] },
          ],
        },
      },
      { type: T.String, isNull: true },
    ],
  },
  value: { double: 3.25 },
};

const fileMetric: SpMetric = {
  name: 'Config',
  datatype: T.File,
  metadata: {
    isMultiPart: false,
    contentType: 'text/plain',
    size: 3,
    seq: 0,
    fileName: 'a.txt',
    fileType: 'txt',
    md5: '0cc175b9c0f1b6a831c399e269772661',
    description: 'config file',
  },
  value: { bytes: Buffer.from('abc') },
};

/** An NBIRTH-like payload exercising every message type of the schema. */
const richPayload: SpPayload = {
  timestamp: 1_700_000_000_000,
  metrics: [
    { name: 'bdSeq', datatype: T.Int64, value: { long: -3n } },
    dataSetMetric,
    templateDefinition,
    templateInstance,
    withProperties,
    fileMetric,
    { name: 'Spare', alias: 11, datatype: T.Int32, isNull: true },
    { alias: 12, timestamp: 1_700_000_000_200, datatype: T.UInt64, value: { long: MAX_U64 } },
    { name: 'Bad sensor', datatype: T.Float, value: { float: Number.NaN } },
    { name: 'Overflow', datatype: T.Double, value: { double: Number.NEGATIVE_INFINITY } },
    { name: 'Modes', datatype: 32, value: { bytes: packBooleans([true, false, true]) } },
    { name: 'Tags', datatype: 33, value: { bytes: packStrings(['a', 'βγ', '']) } },
  ],
  seq: 0,
  uuid: 'fieldbench-test',
};

const expectedRich = {
  timestamp: 1_700_000_000_000,
  seq: 0,
  uuid: 'fieldbench-test',
  metrics: [
    { name: 'bdSeq', datatype: 4, datatypeName: 'Int64', value: -3 },
    {
      name: 'Line/Batches',
      alias: 7,
      datatype: 16,
      datatypeName: 'DataSet',
      value: {
        numOfColumns: 7,
        columns: ['Batch', 'Offset', 'Serial', 'Weight', 'Ratio', 'Passed', 'Started'],
        types: ['String', 'Int8', 'UInt64', 'Double', 'Float', 'Boolean', 'DateTime'],
        rows: [
          {
            Batch: 'B-001',
            Offset: -5,
            Serial: '9007199254740993',
            Weight: 12.75,
            Ratio: 0.1,
            Passed: true,
            Started: 1_700_000_000_000,
          },
          {
            Batch: 'B-002',
            Offset: 127,
            Serial: '18446744073709551615',
            Weight: null,
            Ratio: -2.5,
            Passed: false,
            Started: null,
          },
        ],
      },
    },
    {
      name: 'Motor',
      datatype: 19,
      datatypeName: 'Template',
      value: {
        isDefinition: true,
        version: 'v2',
        parameters: {
          Manufacturer: { type: 'String', value: 'ACME' },
          Poles: { type: 'Int16', value: -4 },
          Serial: { type: 'UInt64', value: '18446744073709551615' },
        },
        metrics: [
          { name: 'RPM', datatype: 3, datatypeName: 'Int32', value: 0 },
          { name: 'Running', datatype: 11, datatypeName: 'Boolean', value: false },
        ],
      },
    },
    {
      name: 'Pump/Motor',
      datatype: 19,
      datatypeName: 'Template',
      value: {
        isDefinition: false,
        templateRef: 'Motor',
        parameters: { Manufacturer: { type: 'String', value: 'Globex' } },
        metrics: [
          { name: 'RPM', datatype: 3, datatypeName: 'Int32', value: -1450 },
          {
            name: 'Bearing',
            datatype: 19,
            datatypeName: 'Template',
            value: {
              isDefinition: false,
              templateRef: 'Sensor',
              metrics: [{ name: 'Temp', datatype: 9, datatypeName: 'Float', value: 41.2 }],
            },
          },
        ],
      },
    },
    {
      name: 'Tank/Level',
      alias: 9,
      timestamp: 1_700_000_000_100,
      datatype: 10,
      datatypeName: 'Double',
      isHistorical: true,
      value: 3.25,
      properties: {
        engUnit: { type: 'String', value: 'm³' },
        Quality: { type: 'Int32', value: 192 },
        scale: {
          type: 'PropertySet',
          value: { min: { type: 'Double', value: 0 }, max: { type: 'Int64', value: -12 } },
        },
        limits: {
          type: 'PropertySetList',
          value: [{ at: { type: 'Float', value: 1.5 } }, { at: { type: 'Float', value: 9.5 } }],
        },
        note: { type: 'String', isNull: true, value: null },
      },
    },
    {
      name: 'Config',
      datatype: 18,
      datatypeName: 'File',
      value: { base64: 'YWJj' },
      metadata: {
        isMultiPart: false,
        contentType: 'text/plain',
        size: 3,
        seq: 0,
        fileName: 'a.txt',
        fileType: 'txt',
        md5: '0cc175b9c0f1b6a831c399e269772661',
        description: 'config file',
      },
    },
    { name: 'Spare', alias: 11, datatype: 3, datatypeName: 'Int32', isNull: true, value: null },
    {
      alias: 12,
      timestamp: 1_700_000_000_200,
      datatype: 8,
      datatypeName: 'UInt64',
      value: '18446744073709551615',
    },
    { name: 'Bad sensor', datatype: 9, datatypeName: 'Float', value: 'NaN' },
    { name: 'Overflow', datatype: 10, datatypeName: 'Double', value: '-Infinity' },
    { name: 'Modes', datatype: 32, datatypeName: 'BooleanArray', value: [true, false, true] },
    { name: 'Tags', datatype: 33, datatypeName: 'StringArray', value: ['a', 'βγ', ''] },
  ],
};

test('Sparkplug B: the test encoder writes the same bytes as protoc (independent encoder)', () => {
  const ours = encodePayload(richPayload);
  const theirs = protocEncode(richPayload);
  assert.equal(ours.toString('hex'), theirs.toString('hex'));
  // And protoc reads our bytes back as a Payload with the DataSet, Template and PropertySet in place.
  const text = protocDecode(ours);
  assert.match(text, /dataset_value \{\s+num_of_columns: 7/);
  assert.match(text, /template_ref: "Motor"/);
  assert.match(text, /propertysets_value \{/);
});

test('Sparkplug B: protoc-encoded DataSet, Template, PropertySet, MetaData, arrays, nulls and aliases', () => {
  const bytes = protocEncode(richPayload);
  const decoded = decodePayload(bytes, 'spBv1.0/Plant1/NBIRTH/Edge1');
  assert.equal(decoded.detected, 'sparkplugb');
  const view = decoded.views.sparkplugb;
  assert.ok(view?.ok, view && !view.ok ? view.error : 'no view');
  assert.deepEqual(view.value, expectedRich);
  // Plain JSON all the way down: no bigint, no NaN, nothing lost through JSON.
  assert.deepEqual(JSON.parse(JSON.stringify(view.value)), view.value);
});

test('Sparkplug B: DataSet edge cases (unnamed, duplicate and extra columns, packed types)', () => {
  const dataSet = new ProtoWriter()
    .uint(1, 2)
    .bytes(2, 'v')
    .bytes(2, 'v')
    // types packed into one length-delimited field, as proto3-style encoders write them
    .bytes(3, Buffer.from([T.Int16, T.UInt32]))
    .bytes(
      4,
      new ProtoWriter()
        .bytes(1, new ProtoWriter().uint(1, 0xffff))
        .bytes(1, new ProtoWriter().uint(1, 0xffffffff))
        .bytes(1, new ProtoWriter().bytes(6, 'extra')),
    )
    .bytes(4, new ProtoWriter());
  const payload = new ProtoWriter()
    .uint(1, 1)
    .bytes(2, new ProtoWriter().bytes(1, 'ds').uint(4, T.DataSet).bytes(17, dataSet))
    .finish();
  const metric = decodeSparkplug(payload).metrics[0];
  assert.deepEqual(metric?.value, {
    numOfColumns: 2,
    columns: ['v', 'v'],
    types: ['Int16', 'UInt32'],
    rows: [{ v: -1, 'v #2': 4294967295, 'column 3': 'extra' }, {}],
    warnings: ['row 0 has 3 values for 2 columns', 'row 1 has 0 values for 2 columns'],
  });
});

test('Sparkplug B 3.0 arrays decode from the specification’s own byte examples', () => {
  const hex = (s: string) => Buffer.from(s.replace(/\s/g, ''), 'hex');
  const cases: [number, Buffer, unknown[]][] = [
    // Int8Array: the spec's example bytes for [-23, 123] misprint -23 (0xE9) as 0xEF.
    [22, hex('e9 7b'), [-23, 123]],
    [23, hex('d0 8a 30 75'), [-30000, 30000]],
    [24, hex('ff ff ff ff fa af cb 12'), [-1, 315338746]],
    [
      25,
      hex('ce 06 72 ac 18 9c ba c4 c4 ba 9c 18 ac 72 06 ce'),
      ['-4270929666821191986', '-3601064768563266876'],
    ],
    [26, hex('17 fa'), [23, 250]],
    [27, hex('1e 00 88 cc'), [30, 52360]],
    [28, hex('34 00 00 00 49 fb 55 c4'), [52, 3293969225]],
    [29, hex('34 00 00 00 00 00 00 00 d9 9e 02 d1 b2 76 37 e4'), [52, '16444743074749521625']],
    // Float/DoubleArray: little-endian as the text says (the spec's example bytes are big-endian).
    [30, hex('a4 70 9d 3f 98 ae b2 42'), [1.23, 89.341]],
    [31, hex('d7 a2 05 68 5b b5 28 40 00 00 00 00 00 00 f0 7f'), [12.354213, 'Infinity']],
    // BooleanArray: uint32 LE count, then bits most significant first ('X' bits sent as 0).
    [
      32,
      hex('0c 00 00 00 34 d0'),
      [false, false, true, true, false, true, false, false, true, true, false, true],
    ],
    [33, hex('41 42 43 00 68 65 6c 6c 6f 00'), ['ABC', 'hello']],
    // DateTimeArray: 8 bytes per value (the spec's example leaves out the two zero high bytes of each).
    [34, hex('c7 d0 90 75 24 01 00 00 b8 ba b8 97 81 01 00 00'), [1256102875335, 1656107875000]],
    [24, Buffer.alloc(0), []],
    [33, Buffer.alloc(0), []],
  ];
  for (const [datatype, bytes, expected] of cases) {
    const payload = encodePayload({ timestamp: 1, metrics: [{ name: 'a', datatype, value: { bytes } }] });
    const metric = decodeSparkplug(payload).metrics[0];
    assert.deepEqual(metric?.value, expected, `datatype ${datatype}`);
    assert.equal(metric?.valueError, undefined);
  }
  // The 12.354213 case above is the double 0x4028B55B6805A2D7 little-endian; check our reading of it.
  assert.equal(hex('d7 a2 05 68 5b b5 28 40').readDoubleLE(0), 12.354213);

  // Bytes that do not fit the datatype: the metric keeps its bytes and says why; the payload still decodes.
  const bad: [number, Buffer, RegExp][] = [
    [24, hex('01 02 03'), /Int32Array of 3 bytes: not a multiple of 4/],
    [32, hex('ff ff ff ff 00'), /BooleanArray of 4294967295 values needs 536870912 bytes/],
    [32, hex('01 00'), /BooleanArray of 2 bytes: no 4-byte count/],
    [33, hex('41 42'), /not NUL-terminated/],
    [33, hex('ff 00'), /StringArray element 0 is not valid UTF-8/],
  ];
  for (const [datatype, bytes, error] of bad) {
    const payload = encodePayload({ timestamp: 1, metrics: [{ name: 'a', datatype, value: { bytes } }] });
    const metric = decodeSparkplug(payload).metrics[0];
    assert.match(metric?.valueError ?? '', error);
    assert.deepEqual(metric?.value, { base64: bytes.toString('base64') });
  }
});

test('Sparkplug B: alias-only DATA metrics, is_null and int sign handling', () => {
  const payload = encodePayload({
    timestamp: 5,
    seq: 1,
    metrics: [
      { alias: 7, value: { int: 3 } },
      { alias: 2n ** 60n, datatype: T.Int16, value: { int: -2 } },
      // is_null wins over a value that should not have been sent.
      { alias: 8, datatype: T.Int32, isNull: true, value: { int: 5 } },
      { alias: 9, datatype: T.DateTime, value: { long: 1_700_000_000_000 } },
    ],
  });
  assert.deepEqual(decodeSparkplug(payload).metrics, [
    { alias: 7, value: 3 },
    { alias: '1152921504606846976', datatype: 2, datatypeName: 'Int16', value: -2 },
    { alias: 8, datatype: 3, datatypeName: 'Int32', isNull: true, value: null },
    { alias: 9, datatype: 13, datatypeName: 'DateTime', value: 1_700_000_000_000 },
  ]);
  // An Int32 written as a sign-extended 64-bit varint (some encoders do) reads the same.
  const wide = new ProtoWriter()
    .uint(1, 1)
    .bytes(2, new ProtoWriter().uint(2, 1).uint(4, T.Int32).uint(10, -7))
    .finish();
  assert.equal(decodeSparkplug(wide).metrics[0]?.value, -7);
});

test('Sparkplug B: truncated and malformed payloads give a decode error, never a crash or a hang', () => {
  const bytes = protocEncode(richPayload);
  const started = Date.now();
  let errors = 0;
  for (let len = 0; len < bytes.length; len++) {
    const cut = bytes.subarray(0, len);
    try {
      decodeSparkplug(cut);
    } catch (err) {
      assert.ok(err instanceof ProtoError, `cut at ${len}: ${(err as Error).stack}`);
      assert.ok(err.message.length > 0);
      errors++;
    }
    // The explorer's decode never throws: a short cut may read as text, the rest as a failed view.
    const decoded = decodePayload(cut, 'spBv1.0/Plant1/NBIRTH/Edge1');
    assert.equal(typeof decoded.detected, 'string');
  }
  assert.ok(errors > bytes.length * 0.9, `${errors} of ${bytes.length} cuts were errors`);

  // Every single-byte corruption: a result or a ProtoError (deterministic, no randomness).
  for (let i = 0; i < bytes.length; i++) {
    for (const mask of [0x01, 0x80, 0xff]) {
      const damaged = Buffer.from(bytes);
      damaged[i] = (damaged[i] as number) ^ mask;
      try {
        JSON.stringify(decodeSparkplug(damaged));
      } catch (err) {
        assert.ok(err instanceof ProtoError, `byte ${i} ^ ${mask}: ${(err as Error).stack}`);
      }
    }
  }
  assert.ok(Date.now() - started < 20_000, 'decoding damaged payloads took too long');

  // The error says where it happened.
  const inDataSet = (element: ProtoWriter) =>
    new ProtoWriter()
      .uint(1, 1)
      .bytes(
        2,
        new ProtoWriter()
          .bytes(1, 'x')
          .uint(4, T.DataSet)
          .bytes(
            17,
            new ProtoWriter().bytes(2, 'a').uint(3, T.Double).bytes(4, new ProtoWriter().bytes(1, element)),
          ),
      )
      .finish();
  // A DataSetValue whose double_value (fixed64) has only 2 of its 8 bytes.
  const cutCell = new ProtoWriter().bytes(99, Buffer.alloc(0));
  const cutBytes = inDataSet(cutCell);
  // Replace the placeholder field 99 (key 0x9a 0x06, length 0) by a fixed64 key and two bytes, keeping lengths.
  const at = cutBytes.indexOf(Buffer.from([0x9a, 0x06, 0x00]));
  cutBytes[at] = 0x21;
  cutBytes[at + 1] = 0x00;
  cutBytes[at + 2] = 0x00;
  assert.throws(
    () => decodeSparkplug(cutBytes),
    (err: Error) =>
      err instanceof ProtoError &&
      err.message === 'metrics[0].dataset_value.rows[0].elements[0]: truncated fixed64 field 4',
  );
  assert.throws(
    () => decodeSparkplug(inDataSet(new ProtoWriter().uint(4, 5))),
    (err: Error) =>
      err instanceof ProtoError &&
      err.message === 'metrics[0].dataset_value.rows[0].elements[0]: field 4 is not a double',
  );
  const badUtf8 = new ProtoWriter()
    .uint(1, 1)
    .bytes(2, new ProtoWriter().bytes(1, Buffer.from([0xc3, 0x28])))
    .finish();
  assert.throws(() => decodeSparkplug(badUtf8), /metrics\[0\]\.name: string field 1 is not valid UTF-8$/);
  const huge = Buffer.concat([
    Buffer.from([0x12]),
    Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f]),
    Buffer.from('x'),
  ]);
  assert.throws(() => decodeSparkplug(huge), /truncated length-delimited field 2/);
  const view = decodePayload(huge, 'spBv1.0/G/NDATA/E').views.sparkplugb;
  assert.deepEqual(view?.ok, false);
});

test('Sparkplug B: deeply nested templates and property sets stop at a limit instead of overflowing', () => {
  const depth = 5_000;
  let inner: ProtoWriter = new ProtoWriter().bytes(1, 'leaf').uint(4, T.Int32).uint(10, 1);
  for (let i = 0; i < depth; i++) {
    const template = new ProtoWriter().bytes(2, inner);
    inner = new ProtoWriter().uint(4, T.Template).bytes(18, template);
  }
  const payload = new ProtoWriter().uint(1, 1).bytes(2, inner).finish();
  assert.throws(
    () => decodeSparkplug(payload),
    (err: Error) =>
      err instanceof ProtoError && err.message.endsWith(`nested more than ${MAX_NESTING} levels deep`),
  );
  let set: ProtoWriter = new ProtoWriter();
  for (let i = 0; i < depth; i++)
    set = new ProtoWriter().bytes(1, 'k').bytes(2, new ProtoWriter().uint(1, T.PropertySet).bytes(9, set));
  const props = new ProtoWriter().uint(1, 1).bytes(2, new ProtoWriter().bytes(1, 'm').bytes(9, set)).finish();
  assert.throws(() => decodeSparkplug(props), /nested more than \d+ levels deep/);

  // Nesting within the limit decodes.
  let ok: ProtoWriter = new ProtoWriter().bytes(1, 'leaf').uint(4, T.Int32).uint(10, 1);
  for (let i = 0; i < 10; i++)
    ok = new ProtoWriter().uint(4, T.Template).bytes(18, new ProtoWriter().bytes(2, ok));
  let value: unknown = decodeSparkplug(new ProtoWriter().uint(1, 1).bytes(2, ok).finish()).metrics[0];
  for (let i = 0; i < 10; i++) value = (value as { value: { metrics: unknown[] } }).value.metrics[0];
  assert.deepEqual(value, { name: 'leaf', datatype: 3, datatypeName: 'Int32', value: 1 });
});

test('Sparkplug B end to end: an NDATA with a DataSet published through the embedded broker', async () => {
  const dir = tempDir();
  const store = openStore(dir);
  const broker = createBroker({ hooks: allowAllHooks });
  const server = await serveBroker(broker);
  const explorer = createExplorer({
    db: store.db,
    events: new EventBus(),
    keyProtector: createFileKeyProtector(dir),
    logger: silentLogger,
    dataDir: dir,
    broker,
  });
  const h = viaContract(explorer.handlers);
  const ctx = { transport: 'internal' as const, actor: 'test' };
  const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${server.port}`, {
    reconnectPeriod: 0,
    clientId: 'edge1',
  });
  try {
    await h['explorer.view.open']({ connectionId: 'local' }, ctx);
    const topic = 'spBv1.0/Plant1/NDATA/Edge1';
    const payload = encodePayload({ timestamp: 1_700_000_000_000, seq: 3, metrics: [dataSetMetric] });
    await client.publishAsync(topic, payload, { qos: 1 });
    const history = await waitFor(async () => {
      const page = await h['explorer.history']({ connectionId: 'local', topic, limit: 5 }, ctx);
      return page.messages.length > 0 ? page : undefined;
    }, 'the NDATA in the explorer history');
    const id = history.messages[0]?.id;
    assert.ok(id !== undefined);
    const decoded = await h['explorer.decode']({ id }, ctx);
    assert.equal(decoded.detected, 'sparkplugb');
    const view = decoded.views.sparkplugb;
    assert.ok(view?.ok);
    const sp = view.value as typeof expectedRich;
    assert.equal(sp.seq, 3);
    assert.deepEqual(sp.metrics[0], expectedRich.metrics[1]);
  } finally {
    await client.endAsync(true).catch(() => undefined);
    await explorer.close();
    await broker.close();
    await server.close();
    store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
