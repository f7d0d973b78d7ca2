import zlib from 'node:zlib';
import {
  bytesOf,
  doubleOf,
  floatOf,
  int32Value,
  int64Value,
  ProtoError,
  readFields,
  stringOf,
  varintOf,
} from './protobuf-reader';

/** Eclipse Kura payload (kurapayload.proto), optionally gzip-compressed. */
export interface KuraPayload {
  compressed: boolean;
  timestamp?: number | string;
  position?: Record<string, number | string>;
  metrics: Record<string, { type: string; value: unknown }>;
  body?: { text?: string; base64: string };
}

const VALUE_TYPES = ['DOUBLE', 'FLOAT', 'INT64', 'INT32', 'BOOL', 'STRING', 'BYTES'] as const;
const POSITION_DOUBLES: Record<number, string> = {
  1: 'latitude',
  2: 'longitude',
  3: 'altitude',
  4: 'precision',
  5: 'heading',
  6: 'speed',
};

export function isGzip(payload: Buffer): boolean {
  return payload.length > 2 && payload[0] === 0x1f && payload[1] === 0x8b;
}

export function decodeKura(payload: Buffer): KuraPayload {
  const compressed = isGzip(payload);
  const raw = compressed ? zlib.gunzipSync(payload, { maxOutputLength: 64 * 1024 * 1024 }) : payload;
  const result: KuraPayload = { compressed, metrics: {} };
  let known = 0;
  for (const f of readFields(raw)) {
    if (f.field === 1) {
      result.timestamp = int64Value(varintOf(f), true);
      known++;
    } else if (f.field === 2) {
      result.position = decodePosition(bytesOf(f));
      known++;
    } else if (f.field === 5000) {
      const metric = decodeMetric(bytesOf(f));
      result.metrics[metric.name] = { type: metric.type, value: metric.value };
      known++;
    } else if (f.field === 5001) {
      const body = bytesOf(f);
      result.body = { base64: body.toString('base64') };
      const text = tryUtf8(body);
      if (text !== undefined) result.body.text = text;
      known++;
    } else if (f.field < 3 || f.field > 4999) {
      throw new ProtoError(`field ${f.field} is not part of a Kura payload`);
    }
  }
  if (known === 0) throw new ProtoError('no Kura payload fields');
  return result;
}

function decodePosition(buf: Buffer): Record<string, number | string> {
  const position: Record<string, number | string> = {};
  for (const f of readFields(buf)) {
    const name = POSITION_DOUBLES[f.field];
    if (name) position[name] = doubleOf(f);
    else if (f.field === 7) position.timestamp = int64Value(varintOf(f), true);
    else if (f.field === 8) position.satellites = int32Value(varintOf(f));
    else if (f.field === 9) position.status = int32Value(varintOf(f));
  }
  if (position.latitude === undefined || position.longitude === undefined) {
    throw new ProtoError('Kura position without latitude/longitude');
  }
  return position;
}

function decodeMetric(buf: Buffer): { name: string; type: string; value: unknown } {
  let name: string | undefined;
  let type: string | undefined;
  let value: unknown = null;
  for (const f of readFields(buf)) {
    switch (f.field) {
      case 1:
        name = stringOf(f);
        break;
      case 2:
        type = VALUE_TYPES[Number(varintOf(f))] ?? `UNKNOWN(${varintOf(f)})`;
        break;
      case 3:
        value = doubleOf(f);
        break;
      case 4:
        value = floatOf(f);
        break;
      case 5:
        value = int64Value(varintOf(f), true);
        break;
      case 6:
        value = int32Value(varintOf(f));
        break;
      case 7:
        value = varintOf(f) !== 0n;
        break;
      case 8:
        value = stringOf(f);
        break;
      case 9:
        value = { base64: bytesOf(f).toString('base64') };
        break;
    }
  }
  if (name === undefined || type === undefined) throw new ProtoError('Kura metric without name or type');
  return { name, type, value };
}

function tryUtf8(buf: Buffer): string | undefined {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(buf);
  } catch {
    return undefined;
  }
}
