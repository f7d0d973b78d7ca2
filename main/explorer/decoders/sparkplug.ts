import {
  bytesOf,
  doubleOf,
  floatOf,
  int64Value,
  ProtoError,
  type ProtoField,
  readFields,
  stringOf,
  varintOf,
} from './protobuf-reader';

/** Sparkplug B payload (sparkplug_b.proto): timestamp, seq, uuid, metrics with typed values. */
export interface SparkplugPayload {
  timestamp?: number | string;
  seq?: number | string;
  uuid?: string;
  metrics: SparkplugMetric[];
  body?: string;
}

export interface SparkplugMetric {
  name?: string;
  alias?: number | string;
  timestamp?: number | string;
  datatype?: number;
  datatypeName?: string;
  isHistorical?: boolean;
  isTransient?: boolean;
  isNull?: boolean;
  value: unknown;
}

const DATA_TYPES = [
  'Unknown',
  'Int8',
  'Int16',
  'Int32',
  'Int64',
  'UInt8',
  'UInt16',
  'UInt32',
  'UInt64',
  'Float',
  'Double',
  'Boolean',
  'String',
  'DateTime',
  'Text',
  'UUID',
  'DataSet',
  'Bytes',
  'File',
  'Template',
];

export function decodeSparkplug(payload: Buffer): SparkplugPayload {
  const result: SparkplugPayload = { metrics: [] };
  for (const f of readFields(payload)) {
    switch (f.field) {
      case 1:
        result.timestamp = int64Value(varintOf(f), false);
        break;
      case 2:
        result.metrics.push(decodeMetric(bytesOf(f)));
        break;
      case 3:
        result.seq = int64Value(varintOf(f), false);
        break;
      case 4:
        result.uuid = stringOf(f);
        break;
      case 5:
        result.body = bytesOf(f).toString('base64');
        break;
      default:
        throw new ProtoError(`field ${f.field} is not part of a Sparkplug B payload`);
    }
  }
  if (result.timestamp === undefined && result.metrics.length === 0)
    throw new ProtoError('no Sparkplug B fields');
  return result;
}

function decodeMetric(buf: Buffer): SparkplugMetric {
  const metric: SparkplugMetric = { value: null };
  let raw: ProtoField | undefined;
  for (const f of readFields(buf)) {
    switch (f.field) {
      case 1:
        metric.name = stringOf(f);
        break;
      case 2:
        metric.alias = int64Value(varintOf(f), false);
        break;
      case 3:
        metric.timestamp = int64Value(varintOf(f), false);
        break;
      case 4:
        metric.datatype = Number(varintOf(f));
        metric.datatypeName = DATA_TYPES[metric.datatype] ?? 'Unknown';
        break;
      case 5:
        metric.isHistorical = varintOf(f) !== 0n;
        break;
      case 6:
        metric.isTransient = varintOf(f) !== 0n;
        break;
      case 7:
        metric.isNull = varintOf(f) !== 0n;
        break;
      default:
        if (f.field >= 10 && f.field <= 19) raw = f;
        else if (f.field !== 8 && f.field !== 9)
          throw new ProtoError(`unknown Sparkplug metric field ${f.field}`);
    }
  }
  if (raw) metric.value = metricValue(raw, metric.datatype ?? 0);
  return metric;
}

function metricValue(f: ProtoField, datatype: number): unknown {
  switch (f.field) {
    case 10: {
      const v = Number(BigInt.asUintN(32, varintOf(f)));
      if (datatype === 1) return (v << 24) >> 24;
      if (datatype === 2) return (v << 16) >> 16;
      if (datatype === 3) return v | 0;
      return v;
    }
    case 11:
      return int64Value(varintOf(f), datatype === 4);
    case 12:
      return floatOf(f);
    case 13:
      return doubleOf(f);
    case 14:
      return varintOf(f) !== 0n;
    case 15:
      return stringOf(f);
    case 16:
      return { base64: bytesOf(f).toString('base64') };
    default:
      return { unsupported: DATA_TYPES[datatype] ?? `field ${f.field}`, base64: f.bytes?.toString('base64') };
  }
}
