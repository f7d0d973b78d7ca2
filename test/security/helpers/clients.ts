import net from 'node:net';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import mqttPacket from 'mqtt-packet';

/** mqtt.js over TCP from a chosen loopback source address; resolves on CONNACK. */
export function connectFrom(
  localAddress: string,
  port: number,
  options: IClientOptions = {},
): Promise<MqttClient> {
  return new Promise((resolve, reject) => {
    const client = new mqtt.MqttClient(() => net.connect({ port, host: '127.0.0.1', localAddress }), {
      reconnectPeriod: 0,
      connectTimeout: 10_000,
      ...options,
    });
    client.once('connect', () => resolve(client));
    client.once('error', (err) => {
      client.end(true);
      reject(err);
    });
    client.once('close', () => reject(new Error(`connection from ${localAddress} closed before CONNACK`)));
  });
}

/** A raw TCP socket from `localAddress`, resolved once connected (the server may still close it). */
export function openRaw(port: number, localAddress: string, host = '127.0.0.1'): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host, localAddress }, () => resolve(socket));
    socket.once('error', reject);
  });
}

/** An encoded MQTT 3.1.1 CONNECT. */
export function connectPacket(clientId: string, extra: Partial<mqttPacket.IConnectPacket> = {}): Buffer {
  return mqttPacket.generate({
    cmd: 'connect',
    protocolId: 'MQTT',
    protocolVersion: 4,
    clean: true,
    clientId,
    keepalive: 0,
    ...extra,
  } as mqttPacket.IConnectPacket);
}
