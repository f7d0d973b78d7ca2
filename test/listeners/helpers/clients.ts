import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';

/** Connects with mqtt.js and resolves on CONNACK (rejects on error or after `timeoutMs`). */
export function connectMqtt(
  url: string,
  options: IClientOptions = {},
  timeoutMs = 10_000,
): Promise<MqttClient> {
  return new Promise((resolve, reject) => {
    const client = mqtt.connect(url, { reconnectPeriod: 0, connectTimeout: timeoutMs, ...options });
    const timer = setTimeout(
      () => fail(new Error(`no CONNACK from ${url} within ${timeoutMs} ms`)),
      timeoutMs,
    );
    const fail = (err: Error) => {
      clearTimeout(timer);
      client.end(true);
      reject(err);
    };
    client.once('connect', () => {
      clearTimeout(timer);
      client.off('error', fail);
      resolve(client);
    });
    client.once('error', fail);
    client.once('close', () => fail(new Error(`connection to ${url} closed before CONNACK`)));
  });
}

export function endMqtt(client: MqttClient): Promise<void> {
  return new Promise((resolve) => client.end(true, {}, () => resolve()));
}

/** Resolves with the first message received on `topic` after subscribing. */
export async function nextMessage(client: MqttClient, topic: string, timeoutMs = 10_000): Promise<string> {
  const received = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no message on ${topic} within ${timeoutMs} ms`)),
      timeoutMs,
    );
    client.on('message', (t, payload) => {
      if (t !== topic) return;
      clearTimeout(timer);
      resolve(payload.toString());
    });
  });
  return received;
}

export function subscribe(client: MqttClient, topic: string, qos: 0 | 1 = 1): Promise<void> {
  return new Promise((resolve, reject) => {
    client.subscribe(topic, { qos }, (err) => (err ? reject(err) : resolve()));
  });
}

/** Debian's python3 (with python3-paho-mqtt 1.6), not a pyenv shim. */
export const SYSTEM_PYTHON = '/usr/bin/python3';
