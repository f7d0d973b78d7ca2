/** A minimal CBOR (RFC 8949) decoder producing JSON-safe values. Byte strings become `{ base64 }`. */
export class CborError extends Error {}

const MAX_DEPTH = 64;
const BREAK = Symbol('break');

export function decodeCbor(buf: Buffer): unknown {
  const reader = { buf, pos: 0 };
  const value = readItem(reader, 0);
  if (value === BREAK) throw new CborError('unexpected break');
  if (reader.pos !== buf.length) throw new CborError(`${buf.length - reader.pos} trailing bytes`);
  return value;
}

interface Reader {
  buf: Buffer;
  pos: number;
}

function need(r: Reader, n: number): void {
  if (r.pos + n > r.buf.length) throw new CborError('truncated input');
}

function readArgument(r: Reader, info: number): number | bigint {
  if (info < 24) return info;
  switch (info) {
    case 24:
      need(r, 1);
      return r.buf.readUInt8(r.pos++);
    case 25:
      need(r, 2);
      r.pos += 2;
      return r.buf.readUInt16BE(r.pos - 2);
    case 26:
      need(r, 4);
      r.pos += 4;
      return r.buf.readUInt32BE(r.pos - 4);
    case 27: {
      need(r, 8);
      const v = r.buf.readBigUInt64BE(r.pos);
      r.pos += 8;
      return v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
    }
    default:
      throw new CborError(`invalid additional info ${info}`);
  }
}

function lengthOf(arg: number | bigint): number {
  if (typeof arg === 'bigint') throw new CborError('length too large');
  return arg;
}

function readItem(r: Reader, depth: number): unknown {
  if (depth > MAX_DEPTH) throw new CborError('nesting too deep');
  need(r, 1);
  const initial = r.buf.readUInt8(r.pos++);
  const major = initial >> 5;
  const info = initial & 0x1f;
  if (info === 31) return readIndefinite(r, major, depth);
  switch (major) {
    case 0: {
      const v = readArgument(r, info);
      return typeof v === 'bigint' ? v.toString() : v;
    }
    case 1: {
      const v = readArgument(r, info);
      return typeof v === 'bigint' ? (-1n - v).toString() : -1 - v;
    }
    case 2: {
      const len = lengthOf(readArgument(r, info));
      need(r, len);
      r.pos += len;
      return { base64: r.buf.subarray(r.pos - len, r.pos).toString('base64') };
    }
    case 3: {
      const len = lengthOf(readArgument(r, info));
      need(r, len);
      r.pos += len;
      return new TextDecoder('utf-8', { fatal: true }).decode(r.buf.subarray(r.pos - len, r.pos));
    }
    case 4: {
      const len = lengthOf(readArgument(r, info));
      if (len > r.buf.length - r.pos) throw new CborError('array longer than input');
      const items: unknown[] = [];
      for (let i = 0; i < len; i++) items.push(readValue(r, depth));
      return items;
    }
    case 5: {
      const len = lengthOf(readArgument(r, info));
      if (len > r.buf.length - r.pos) throw new CborError('map longer than input');
      const map: Record<string, unknown> = {};
      for (let i = 0; i < len; i++) {
        const key = readValue(r, depth);
        map[typeof key === 'string' ? key : JSON.stringify(key)] = readValue(r, depth);
      }
      return map;
    }
    case 6: {
      const tag = readArgument(r, info);
      const value = readValue(r, depth);
      return { tag: typeof tag === 'bigint' ? tag.toString() : tag, value };
    }
    default:
      return readSimple(r, info);
  }
}

function readValue(r: Reader, depth: number): unknown {
  const v = readItem(r, depth + 1);
  if (v === BREAK) throw new CborError('unexpected break');
  return v;
}

function readSimple(r: Reader, info: number): unknown {
  switch (info) {
    case 20:
      return false;
    case 21:
      return true;
    case 22:
      return null;
    case 23:
      return null;
    case 25:
      need(r, 2);
      r.pos += 2;
      return halfToNumber(r.buf.readUInt16BE(r.pos - 2));
    case 26:
      need(r, 4);
      r.pos += 4;
      return r.buf.readFloatBE(r.pos - 4);
    case 27:
      need(r, 8);
      r.pos += 8;
      return r.buf.readDoubleBE(r.pos - 8);
    case 31:
      return BREAK;
    default:
      if (info < 24) return { simple: info };
      if (info === 24) {
        need(r, 1);
        return { simple: r.buf.readUInt8(r.pos++) };
      }
      throw new CborError(`invalid simple value ${info}`);
  }
}

function readIndefinite(r: Reader, major: number, depth: number): unknown {
  if (major === 7) return BREAK;
  if (major === 2 || major === 3) {
    const chunks: Buffer[] = [];
    for (;;) {
      need(r, 1);
      if (r.buf[r.pos] === 0xff) {
        r.pos++;
        break;
      }
      const chunk = readItem(r, depth + 1);
      if (major === 2) chunks.push(Buffer.from((chunk as { base64: string }).base64, 'base64'));
      else if (typeof chunk === 'string') chunks.push(Buffer.from(chunk, 'utf8'));
      else throw new CborError('bad indefinite text chunk');
    }
    const all = Buffer.concat(chunks);
    return major === 2 ? { base64: all.toString('base64') } : all.toString('utf8');
  }
  if (major === 4) {
    const items: unknown[] = [];
    for (;;) {
      const v = readItem(r, depth + 1);
      if (v === BREAK) return items;
      items.push(v);
    }
  }
  if (major === 5) {
    const map: Record<string, unknown> = {};
    for (;;) {
      const key = readItem(r, depth + 1);
      if (key === BREAK) return map;
      map[typeof key === 'string' ? key : JSON.stringify(key)] = readValue(r, depth);
    }
  }
  throw new CborError(`indefinite length not allowed for major type ${major}`);
}

function halfToNumber(half: number): number {
  const exp = (half >> 10) & 0x1f;
  const mant = half & 0x3ff;
  const sign = half & 0x8000 ? -1 : 1;
  if (exp === 0) return sign * 2 ** -14 * (mant / 1024);
  if (exp === 31) return mant ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * 2 ** (exp - 15) * (1 + mant / 1024);
}
