/** A minimal protobuf wire-format reader: enough for Kura and Sparkplug B payloads. */

export const WIRE_VARINT = 0;
export const WIRE_FIXED64 = 1;
export const WIRE_LEN = 2;
export const WIRE_FIXED32 = 5;

export interface ProtoField {
  field: number;
  wire: number;
  /** Varints as bigint (64-bit safe); fixed types as their raw bytes; length-delimited as bytes. */
  varint?: bigint;
  bytes?: Buffer;
}

/** A malformed payload. `path` says where in the message tree (e.g. `metrics[2].dataset_value`). */
export class ProtoError extends Error {
  readonly reason: string;
  readonly path: readonly string[];
  constructor(reason: string, path: readonly string[] = []) {
    super(path.length > 0 ? `${path.join('.')}: ${reason}` : reason);
    this.reason = reason;
    this.path = path;
  }
}

/** Runs `decode` for one part of a message, so a ProtoError raised inside says where it happened. */
export function within<T>(label: string, decode: () => T): T {
  try {
    return decode();
  } catch (err) {
    if (err instanceof ProtoError) throw new ProtoError(err.reason, [label, ...err.path]);
    throw err;
  }
}

export function readVarint(buf: Buffer, pos: number): { value: bigint; next: number } {
  let value = 0n;
  let shift = 0n;
  for (let i = pos; i < buf.length && i < pos + 10; i++) {
    const byte = buf[i] as number;
    value |= BigInt(byte & 0x7f) << shift;
    if ((byte & 0x80) === 0) return { value, next: i + 1 };
    shift += 7n;
  }
  throw new ProtoError(`bad varint at byte ${pos}`);
}

/** Parses one message level into its fields; throws ProtoError on malformed input. */
export function readFields(buf: Buffer): ProtoField[] {
  const fields: ProtoField[] = [];
  let pos = 0;
  while (pos < buf.length) {
    const keyAt = pos;
    const key = readVarint(buf, pos);
    pos = key.next;
    if (key.value > 0xffffffffn) throw new ProtoError(`bad field key at byte ${keyAt}`);
    const field = Number(key.value >> 3n);
    const wire = Number(key.value & 7n);
    if (field === 0) throw new ProtoError(`field number 0 at byte ${keyAt}`);
    switch (wire) {
      case WIRE_VARINT: {
        const v = readVarint(buf, pos);
        fields.push({ field, wire, varint: v.value });
        pos = v.next;
        break;
      }
      case WIRE_FIXED64:
        if (pos + 8 > buf.length) throw new ProtoError(`truncated fixed64 field ${field}`);
        fields.push({ field, wire, bytes: buf.subarray(pos, pos + 8) });
        pos += 8;
        break;
      case WIRE_FIXED32:
        if (pos + 4 > buf.length) throw new ProtoError(`truncated fixed32 field ${field}`);
        fields.push({ field, wire, bytes: buf.subarray(pos, pos + 4) });
        pos += 4;
        break;
      case WIRE_LEN: {
        const len = readVarint(buf, pos);
        const start = len.next;
        if (len.value > BigInt(buf.length - start))
          throw new ProtoError(
            `truncated length-delimited field ${field}: ${len.value} bytes announced, ${buf.length - start} left`,
          );
        const end = start + Number(len.value);
        fields.push({ field, wire, bytes: buf.subarray(start, end) });
        pos = end;
        break;
      }
      default:
        throw new ProtoError(`unsupported wire type ${wire} for field ${field}`);
    }
  }
  return fields;
}

/** A 64-bit integer as a number when exact, otherwise as a decimal string (JSON-safe). */
export function int64Value(v: bigint, signed: boolean): number | string {
  const value = signed ? BigInt.asIntN(64, v) : BigInt.asUintN(64, v);
  return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
    ? Number(value)
    : value.toString();
}

export function int32Value(v: bigint): number {
  return Number(BigInt.asIntN(32, v));
}

export function doubleOf(f: ProtoField): number {
  if (f.wire !== WIRE_FIXED64 || !f.bytes) throw new ProtoError(`field ${f.field} is not a double`);
  return f.bytes.readDoubleLE(0);
}

export function floatOf(f: ProtoField): number {
  if (f.wire !== WIRE_FIXED32 || !f.bytes) throw new ProtoError(`field ${f.field} is not a float`);
  return f.bytes.readFloatLE(0);
}

export function varintOf(f: ProtoField): bigint {
  if (f.wire !== WIRE_VARINT || f.varint === undefined)
    throw new ProtoError(`field ${f.field} is not a varint`);
  return f.varint;
}

export function bytesOf(f: ProtoField): Buffer {
  if (f.wire !== WIRE_LEN || !f.bytes) throw new ProtoError(`field ${f.field} is not length-delimited`);
  return f.bytes;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Strict UTF-8; invalid bytes are a ProtoError, not a TypeError. */
export function utf8Of(bytes: Uint8Array, what: string): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw new ProtoError(`${what} is not valid UTF-8`);
  }
}

export function stringOf(f: ProtoField): string {
  return utf8Of(bytesOf(f), `string field ${f.field}`);
}

/**
 * A float32 as the shortest decimal that reads back as the same float32 (1.1, not 1.100000023841858).
 * See `jsonNumber` for NaN and infinities.
 */
export function float32Number(value: number): number {
  if (!Number.isFinite(value)) return value;
  for (let digits = 1; digits <= 9; digits++) {
    const shorter = Number(value.toPrecision(digits));
    if (Math.fround(shorter) === value) return shorter;
  }
  return value;
}

/** JSON has no NaN or infinities: those become the strings "NaN", "Infinity" and "-Infinity". */
export function jsonNumber(value: number): number | string {
  return Number.isFinite(value) ? value : String(value);
}
