import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import WebSocket from 'ws';
import { type Core, createCore } from '../../main/core';
import type { FileConfig } from '../../main/core/config-file';
import type { ApiKeyType } from '../../preload/contract/tenancy';
import { callCore } from '../helpers/core-call';
import { listenerPort } from '../helpers/mosquitto-clients';
import { tempDir } from '../helpers/temp-dir';
import { waitFor } from '../helpers/wait-for';

/** The whole core with mqtt, ws and rest listeners on free loopback ports. */
export interface ResourceFixture {
  core: Core;
  ports: { mqtt: number; ws: number; rest: number };
  close(): Promise<void>;
}

export async function startResourceCore(config?: FileConfig): Promise<ResourceFixture> {
  const core = await createCore({
    dataDir: tempDir(),
    mode: 'headless',
    ...(config ? { config } : {}),
    listeners: { brokerHost: '127.0.0.1', mqttPort: 0, wsPort: 0, restPort: 0 },
  });
  const details = core.readyDetails();
  return {
    core,
    ports: {
      mqtt: listenerPort(details, 'mqtt'),
      ws: listenerPort(details, 'ws'),
      rest: listenerPort(details, 'rest'),
    },
    close: () => core.close(),
  };
}

/** A level-one account on the embedded service, returned with its id. */
export async function createAccount(core: Core, name: string): Promise<string> {
  const services = await callCore(core, 'services.list', {});
  const local = services.services.find((s) => s.kind === 'embedded')!;
  const root = (await callCore(core, 'accounts.list', {})).accounts.find((a) => a.parentId === null)!;
  return (await callCore(core, 'accounts.create', { parentId: root.id, name, serviceId: local.id })).id;
}

/** An API key usable over MQTT, WebSocket and REST. */
export async function createKey(core: Core, accountId: string, type: ApiKeyType, name = `${type}-key`) {
  const created = await callCore(core, 'apiKeys.create', {
    accountId,
    name,
    type,
    scopes: ['mqtt', 'api.read', 'api.write'],
    permissions: [],
    expiresAt: null,
  });
  return { id: created.apiKey.id, key: created.key };
}

/** A tiny REST client: JSON in and out, the key in `Authorization`. */
export function restClient(port: number, key: string | undefined) {
  return async (method: string, path: string, body?: unknown, raw?: string) => {
    const headers: Record<string, string> = {};
    if (key !== undefined) headers['authorization'] = key;
    if (body !== undefined || raw !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`http://127.0.0.1:${port}${path}`, {
      method,
      headers,
      ...(raw !== undefined ? { body: raw } : body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as unknown) : undefined };
  };
}

export interface Received {
  topic: string;
  payload: unknown;
  retain: boolean;
}

/** mqtt.js logged in with an API key; every message is collected. */
export async function mqttWithKey(port: number, key: string, opts: IClientOptions = {}) {
  const client: MqttClient = mqtt.connect(`mqtt://127.0.0.1:${port}`, {
    username: 'authorization',
    password: key,
    protocolVersion: 5,
    reconnectPeriod: 0,
    connectTimeout: 10_000,
    ...opts,
  });
  const received: Received[] = [];
  client.on('message', (topic, payload, packet) =>
    received.push({ topic, payload: JSON.parse(payload.toString()), retain: packet.retain }),
  );
  const connack = await new Promise<{ sessionPresent?: boolean; properties?: { serverKeepAlive?: number } }>(
    (resolve, reject) => {
      client.once('connect', (packet) => resolve(packet));
      client.once('error', reject);
    },
  );
  return { client, received, connack };
}

/** A native resource WebSocket; resolves once open, or rejects with the handshake status. */
export function openSocket(port: number, path: string, key?: string, viaQuery = false) {
  const url = `ws://127.0.0.1:${port}${path}${viaQuery && key ? `${path.includes('?') ? '&' : '?'}access_token=${key}` : ''}`;
  const ws = new WebSocket(url, !viaQuery && key ? { headers: { authorization: key } } : {});
  const received: unknown[] = [];
  ws.on('message', (data) => received.push(JSON.parse(String(data))));
  return new Promise<{ ws: WebSocket; received: unknown[] }>((resolve, reject) => {
    ws.once('open', () => resolve({ ws, received }));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`handshake ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

export async function eventually<T>(what: string, condition: () => T) {
  return waitFor(condition, what, 10_000);
}

/** The SUBACK codes of a subscription, also when mqtt.js reports failures as an error. */
export async function subackCodes(client: MqttClient, filters: string[]): Promise<number[]> {
  try {
    return (await client.subscribeAsync(filters)).map((g) => g.qos);
  } catch (err) {
    const packet = (err as { packet?: { granted?: number[] } }).packet;
    if (!packet?.granted) throw err;
    return packet.granted;
  }
}
