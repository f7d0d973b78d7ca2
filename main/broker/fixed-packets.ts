import mqttPacket, { type Packet } from 'mqtt-packet';

// Packets whose bytes never vary, encoded once by mqtt-packet and shared by every connection.

const encode = (packet: Record<string, unknown>) =>
  mqttPacket.generate(packet as unknown as Packet, { protocolVersion: 4 });

export const PINGRESP = encode({ cmd: 'pingresp' });

/** Successful 3.1/3.1.1 CONNACK, indexed by session present (0/1). */
export const CONNACK_ACCEPTED_V4 = [
  encode({ cmd: 'connack', sessionPresent: false, returnCode: 0 }),
  encode({ cmd: 'connack', sessionPresent: true, returnCode: 0 }),
] as const;
