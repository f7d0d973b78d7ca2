import mqttPacket from 'mqtt-packet';

export const PUBLISH = 3;
export const PUBACK = 4;
export const CONNACK = 2;
export const SUBACK = 9;

export function encodeConnect(clientId: string, keepalive = 0): Buffer {
  return mqttPacket.generate({
    cmd: 'connect',
    protocolId: 'MQTT',
    protocolVersion: 4,
    clean: true,
    clientId,
    keepalive,
  });
}

/** A 3.1.1 CONNECT with a username and password. */
export function connectPacket(clientId: string, username: string, password: string): Buffer {
  return mqttPacket.generate({
    cmd: 'connect',
    protocolId: 'MQTT',
    protocolVersion: 4,
    clean: true,
    clientId,
    keepalive: 0,
    username,
    password: Buffer.from(password),
  });
}

export function encodeSubscribe(topic: string, qos: 0 | 1, messageId = 1): Buffer {
  return mqttPacket.generate({ cmd: 'subscribe', messageId, subscriptions: [{ topic, qos }] });
}

export function encodePublish(topic: string, payload: Buffer, qos: 0 | 1 = 0, messageId = 1): Buffer {
  return mqttPacket.generate({ cmd: 'publish', topic, payload, qos, messageId, retain: false, dup: false });
}

/** `count` copies of a QoS 0 publish in one buffer, so one `write` carries a whole batch. */
export function encodePublishBatch(topic: string, payload: Buffer, count: number): Buffer {
  const one = encodePublish(topic, payload);
  return Buffer.concat(Array.from({ length: count }, () => one));
}

/**
 * A QoS 1 batch template: packet ids are patched in place before each write (`setPacketIds`).
 * Returns the buffer and the offset of each packet id.
 */
export function encodeQos1Batch(
  topic: string,
  payload: Buffer,
  count: number,
): { buffer: Buffer; idOffsets: number[] } {
  const one = encodePublish(topic, payload, 1, 1);
  const idOffsetInPacket = one.length - payload.length - 2;
  const buffer = Buffer.concat(Array.from({ length: count }, () => one));
  const idOffsets = Array.from({ length: count }, (_, i) => i * one.length + idOffsetInPacket);
  return { buffer, idOffsets };
}

export type FrameHandler = (header: number, buf: Buffer, bodyStart: number, bodyEnd: number) => void;

/**
 * Splits a byte stream into MQTT packets without decoding them: the handler gets the first header
 * byte and the body's position. Only a packet split across chunks is copied.
 */
export class FrameScanner {
  private rest: Buffer | null = null;

  constructor(private readonly onFrame: FrameHandler) {}

  push(chunk: Buffer): void {
    const buf = this.rest ? Buffer.concat([this.rest, chunk]) : chunk;
    this.rest = null;
    let pos = 0;
    const end = buf.length;
    while (pos + 2 <= end) {
      let length = 0;
      let multiplier = 1;
      let i = pos + 1;
      let complete = false;
      while (i < end && i < pos + 5) {
        const byte = buf[i++]!;
        length += (byte & 0x7f) * multiplier;
        multiplier *= 128;
        if ((byte & 0x80) === 0) {
          complete = true;
          break;
        }
      }
      if (!complete || i + length > end) break;
      this.onFrame(buf[pos]!, buf, i, i + length);
      pos = i + length;
    }
    if (pos < end) this.rest = buf.subarray(pos);
  }
}
