import crypto from 'node:crypto';
import path from 'node:path';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { type Core, createCore } from '../../main/core';
import { signDeviceJwt } from '../../main/gateways';
import type { MethodName, RequestOf, ResponseOf } from '../../preload/contract';
import { callCore } from '../helpers/core-call';
import { listenerPort } from '../helpers/mosquitto-clients';
import { tempDir } from '../helpers/temp-dir';

export const ACCOUNT = 'acme';
export const REGISTRY = 'plant-a';

export interface GatewayLab {
  core: Core;
  dataDir: string;
  accountId: string;
  ports: { mqtt: number; mqtts: number };
  /** The root CA the mqtts listener's certificate chains to. */
  ca: string;
  call<M extends MethodName>(method: M, request: RequestOf<M>): Promise<ResponseOf<M>>;
}

/** A real core (SQLite, PKI, TLS) with account `acme` on the embedded service and registry `plant-a`. */
export async function startLab(dataDir = tempDir(), fresh = true): Promise<GatewayLab> {
  const core = await createCore({
    dataDir: path.join(dataDir, 'data'),
    mode: 'headless',
    listeners: { brokerHost: '127.0.0.1', mqttPort: 0, mqttsPort: 0 },
  });
  const call = <M extends MethodName>(method: M, request: RequestOf<M>) => callCore(core, method, request);
  const details = core.readyDetails();
  const ca = core.store.db
    .prepare("SELECT cert_pem FROM pki_authorities WHERE role = 'root'")
    .pluck()
    .get() as string;
  let accountId: string;
  if (fresh) {
    const root = (await call('accounts.list', {})).accounts.find((a) => a.parentId === null)!;
    const local = (await call('services.list', {})).services.find((s) => s.kind === 'embedded')!;
    accountId = (await call('accounts.create', { parentId: root.id, name: ACCOUNT, serviceId: local.id })).id;
    await call('gateways.createRegistry', { accountId, registryId: REGISTRY });
  } else {
    accountId = (await call('accounts.list', {})).accounts.find((a) => a.name === ACCOUNT)!.id;
  }
  return {
    core,
    dataDir,
    accountId,
    ports: { mqtt: listenerPort(details, 'mqtt'), mqtts: listenerPort(details, 'mqtts') },
    ca,
    call,
  };
}

export function clientIdOf(deviceId: string, registryId = REGISTRY, account = ACCOUNT): string {
  return `subscriptions/${account}/registries/${registryId}/devices/${deviceId}`;
}

/** Creates a device or gateway with a generated key; returns its private key. */
export async function createWithKey(
  lab: GatewayLab,
  deviceId: string,
  kind: 'gateway' | 'device',
  extra: Partial<RequestOf<'gateways.createDevice'>> = {},
  algorithm: 'ES256' | 'RS256' = 'ES256',
): Promise<string> {
  await lab.call('gateways.createDevice', {
    accountId: lab.accountId,
    registryId: REGISTRY,
    deviceId,
    kind,
    ...extra,
  });
  const generated = await lab.call('gateways.generateKey', {
    accountId: lab.accountId,
    registryId: REGISTRY,
    deviceId,
    algorithm,
  });
  return generated.privateKeyPem;
}

export function jwtFor(privateKeyPem: string, lifetimeSeconds = 3600, audience = ACCOUNT, issuedAt?: number) {
  return signDeviceJwt(privateKeyPem, { audience, lifetimeSeconds, issuedAt });
}

export type Outcome =
  | { ok: true; client: MqttClient }
  | { ok: false; reasonCode: number | undefined; message: string };

/** Connects (MQTT 5 over plain TCP unless told otherwise) and reports the CONNACK outcome. */
export function connect(
  lab: GatewayLab,
  clientId: string,
  password: string,
  opts: IClientOptions = {},
): Promise<Outcome> {
  const client = mqtt.connect(`mqtt://127.0.0.1:${lab.ports.mqtt}`, {
    clientId,
    username: 'unused',
    password,
    protocolVersion: 5,
    reconnectPeriod: 0,
    connectTimeout: 10_000,
    ...opts,
  });
  return new Promise((resolve) => {
    client.once('connect', () => resolve({ ok: true, client }));
    client.once('error', (err) => {
      client.end(true);
      resolve({ ok: false, reasonCode: (err as { code?: number }).code, message: err.message });
    });
  });
}

export async function connected(
  lab: GatewayLab,
  clientId: string,
  password: string,
  opts: IClientOptions = {},
) {
  const outcome = await connect(lab, clientId, password, opts);
  if (!outcome.ok) throw new Error(`connect refused: ${outcome.message}`);
  return outcome.client;
}

/** A fresh P-256 private key (not registered anywhere). */
export function strayKey(): string {
  return crypto
    .generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
    .privateKey.export({ type: 'pkcs8', format: 'pem' })
    .toString();
}

/** Resolves with the first argument of the next `name` event of an MQTT client. */
export function nextEvent<T = unknown>(
  client: MqttClient,
  name: 'close' | 'disconnect' | 'message' | 'error',
): Promise<T> {
  return new Promise((resolve) => client.once(name, (arg: unknown) => resolve(arg as T)));
}
