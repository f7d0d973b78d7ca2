import { decodeKura, isGzip } from '../../explorer/decoders/kura';

/**
 * One provisioning message, independent of its wire format: named metrics (Kura style) and an
 * optional binary body. JSON variant: `{"metrics": {...}, "body": "<base64>"}`. Kura variant: a
 * kurapayload.proto message (metrics field 5000, body field 5001), never gzip-compressed.
 */
export type MetricValue = string | number | boolean;

export interface ProvisionMessage {
  metrics: Record<string, MetricValue>;
  body?: Buffer;
}

export type WireFormat = 'json' | 'kura';

export class MalformedMessage extends Error {
  override name = 'MalformedMessage';
}

/** A JSON message starts with `{`; a Kura protobuf payload never does (0x7b would be a group start). */
export function detectFormat(payload: Buffer): WireFormat {
  let i = 0;
  while (i < payload.length && (payload[i] === 0x20 || payload[i] === 0x0a || payload[i] === 0x0d)) i++;
  return payload[i] === 0x7b ? 'json' : 'kura';
}

export function encodeMessage(message: ProvisionMessage, format: WireFormat): Buffer {
  return format === 'json' ? encodeJson(message) : encodeKura(message);
}

export function decodeMessage(payload: Buffer): { format: WireFormat; message: ProvisionMessage } {
  const format = detectFormat(payload);
  return { format, message: format === 'json' ? decodeJson(payload) : decodeKuraMessage(payload) };
}

function encodeJson(message: ProvisionMessage): Buffer {
  const out: Record<string, unknown> = { metrics: message.metrics };
  if (message.body !== undefined) out.body = message.body.toString('base64');
  return Buffer.from(JSON.stringify(out));
}

function decodeJson(payload: Buffer): ProvisionMessage {
  let parsed: unknown;
  try {
    parsed = JSON.parse(payload.toString('utf8'));
  } catch (err) {
    throw new MalformedMessage(`not valid JSON: ${(err as Error).message}`);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new MalformedMessage('the JSON message must be an object');
  }
  const { metrics, body } = parsed as { metrics?: unknown; body?: unknown };
  if (!metrics || typeof metrics !== 'object' || Array.isArray(metrics)) {
    throw new MalformedMessage('"metrics" must be an object');
  }
  const out: ProvisionMessage = { metrics: {} };
  for (const [name, value] of Object.entries(metrics)) {
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
      throw new MalformedMessage(`metric "${name}" must be a string, number or boolean`);
    }
    out.metrics[name] = value;
  }
  if (body !== undefined) {
    if (typeof body !== 'string') throw new MalformedMessage('"body" must be a base64 string');
    out.body = Buffer.from(body, 'base64');
  }
  return out;
}

function decodeKuraMessage(payload: Buffer): ProvisionMessage {
  if (isGzip(payload)) throw new MalformedMessage('compressed Kura payloads are not accepted here');
  let decoded: ReturnType<typeof decodeKura>;
  try {
    decoded = decodeKura(payload);
  } catch (err) {
    throw new MalformedMessage(`not a Kura payload: ${(err as Error).message}`);
  }
  const out: ProvisionMessage = { metrics: {} };
  for (const [name, { value }] of Object.entries(decoded.metrics)) {
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
      out.metrics[name] = value;
    } else if (value && typeof value === 'object' && 'base64' in value) {
      out.metrics[name] = Buffer.from(String(value.base64), 'base64').toString('utf8');
    }
  }
  if (decoded.body) out.body = Buffer.from(decoded.body.base64, 'base64');
  return out;
}

// ---- Kura protobuf encoder (kurapayload.proto) ---------------------------------------------------

const KURA_STRING = 5;
const KURA_INT64 = 2;
const KURA_BOOL = 4;
const KURA_DOUBLE = 0;

function varint(value: number | bigint): Buffer {
  let v = BigInt.asUintN(64, BigInt(value));
  const bytes: number[] = [];
  do {
    let byte = Number(v & 0x7fn);
    v >>= 7n;
    if (v !== 0n) byte |= 0x80;
    bytes.push(byte);
  } while (v !== 0n);
  return Buffer.from(bytes);
}

const tag = (field: number, wire: number) => varint((field << 3) | wire);
const lengthDelimited = (field: number, bytes: Buffer) =>
  Buffer.concat([tag(field, 2), varint(bytes.length), bytes]);

function encodeMetric(name: string, value: MetricValue): Buffer {
  const parts: Buffer[] = [lengthDelimited(1, Buffer.from(name))];
  if (typeof value === 'string') {
    parts.push(tag(2, 0), varint(KURA_STRING), lengthDelimited(8, Buffer.from(value)));
  } else if (typeof value === 'boolean') {
    parts.push(tag(2, 0), varint(KURA_BOOL), tag(7, 0), varint(value ? 1 : 0));
  } else if (Number.isSafeInteger(value)) {
    parts.push(tag(2, 0), varint(KURA_INT64), tag(5, 0), varint(value));
  } else {
    const double = Buffer.alloc(8);
    double.writeDoubleLE(value);
    parts.push(tag(2, 0), varint(KURA_DOUBLE), tag(3, 1), double);
  }
  return Buffer.concat(parts);
}

function encodeKura(message: ProvisionMessage): Buffer {
  const parts: Buffer[] = [tag(1, 0), varint(Date.now())];
  for (const [name, value] of Object.entries(message.metrics)) {
    parts.push(lengthDelimited(5000, encodeMetric(name, value)));
  }
  if (message.body !== undefined) parts.push(lengthDelimited(5001, message.body));
  return Buffer.concat(parts);
}
