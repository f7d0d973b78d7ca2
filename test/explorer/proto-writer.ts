/** A tiny protobuf writer for building test payloads. */
export class ProtoWriter {
  private readonly parts: Buffer[] = [];

  private varint(value: bigint | number): void {
    let v = BigInt.asUintN(64, BigInt(value));
    const bytes: number[] = [];
    do {
      let byte = Number(v & 0x7fn);
      v >>= 7n;
      if (v > 0n) byte |= 0x80;
      bytes.push(byte);
    } while (v > 0n);
    this.parts.push(Buffer.from(bytes));
  }

  private key(field: number, wire: number): void {
    this.varint((BigInt(field) << 3n) | BigInt(wire));
  }

  uint(field: number, value: bigint | number): this {
    this.key(field, 0);
    this.varint(value);
    return this;
  }

  bool(field: number, value: boolean): this {
    return this.uint(field, value ? 1 : 0);
  }

  double(field: number, value: number): this {
    this.key(field, 1);
    const b = Buffer.alloc(8);
    b.writeDoubleLE(value);
    this.parts.push(b);
    return this;
  }

  float(field: number, value: number): this {
    this.key(field, 5);
    const b = Buffer.alloc(4);
    b.writeFloatLE(value);
    this.parts.push(b);
    return this;
  }

  bytes(field: number, value: Buffer | string | ProtoWriter): this {
    const buf =
      value instanceof ProtoWriter
        ? value.finish()
        : Buffer.isBuffer(value)
          ? value
          : Buffer.from(value, 'utf8');
    this.key(field, 2);
    this.varint(buf.length);
    this.parts.push(buf);
    return this;
  }

  finish(): Buffer {
    return Buffer.concat(this.parts);
  }
}
