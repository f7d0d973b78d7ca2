import mqttPacket, { type Packet } from 'mqtt-packet';

/**
 * Packet encoding through mqtt-packet's `writeToStream` into one reused accumulator, then a single
 * copy into an exact-size buffer. Same bytes as `generate()`, minus the EventEmitter that
 * `generate()` constructs for every packet (measurable at hundreds of thousands of messages/s).
 */
class Accumulator {
  chunks: (Buffer | string)[] = [];
  length = 0;
  error: Error | undefined = undefined;

  write(chunk: Buffer | string): boolean {
    this.chunks.push(chunk);
    this.length += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length;
    return true;
  }

  destroy(err?: Error): void {
    this.error = err ?? new Error('encoding failed');
  }
}

const acc = new Accumulator();

export function encodePacket(packet: Record<string, unknown>, protocolVersion: 3 | 4 | 5): Buffer {
  acc.chunks.length = 0;
  acc.length = 0;
  acc.error = undefined;
  mqttPacket.writeToStream(packet as unknown as Packet, acc as unknown as NodeJS.WritableStream, {
    protocolVersion,
  });
  const chunks = acc.chunks;
  if (acc.error !== undefined) {
    chunks.length = 0;
    throw acc.error;
  }
  const out = Buffer.allocUnsafe(acc.length);
  let pos = 0;
  for (let i = 0; i < chunks.length; i++) {
    const chunk = chunks[i]!;
    if (typeof chunk === 'string') pos += out.write(chunk, pos);
    else {
      chunk.copy(out, pos);
      pos += chunk.length;
    }
  }
  chunks.length = 0;
  return out;
}
