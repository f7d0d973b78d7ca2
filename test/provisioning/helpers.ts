import assert from 'node:assert/strict';
import mqtt from 'mqtt';
import { type Core, createCore } from '../../main/core';
import type { DeviceIdentity, ProvisionBundle } from '../../main/provisioning/agent';
import { defaultBundle } from '../../main/provisioning/agent';
import type { MethodName, RequestOf, ResponseOf } from '../../preload/contract';
import { callCore } from '../helpers/core-call';
import { listenerPort } from '../helpers/mosquitto-clients';
import { tempDir } from '../helpers/temp-dir';

export const PASSWORD = 'throw-away-secret';

export interface ProvisioningLab {
  core: Core;
  dataDir: string;
  ca: string;
  ports: { mqtt: number; mqtts: number; mutual: number };
  accountId: string;
  call<M extends MethodName>(method: M, request: RequestOf<M>): Promise<ResponseOf<M>>;
  close(): Promise<void>;
}

/** A real core with mqtt, mqtts and mutual-TLS listeners on loopback and a target account `acme`. */
export async function startLab(
  dataDir = tempDir('fb-prov-'),
  fixedPorts?: { mqtt: number; mqtts: number; mutual: number },
): Promise<ProvisioningLab> {
  const core = await createCore({
    dataDir,
    mode: 'headless',
    listeners: {
      brokerHost: '127.0.0.1',
      mqttPort: fixedPorts?.mqtt ?? 0,
      mqttsPort: fixedPorts?.mqtts ?? 0,
      mqttsMutualPort: fixedPorts?.mutual ?? 0,
    },
  });
  const call = <M extends MethodName>(method: M, request: RequestOf<M>) => callCore(core, method, request);
  const details = core.readyDetails();
  const { authorities } = await call('pki.listAuthorities', {});
  const ca = authorities.find((a) => a.role === 'root')!.certificatePem;
  const accounts = (await call('accounts.list', {})).accounts;
  let acme = accounts.find((a) => a.name === 'acme');
  if (!acme) {
    const root = accounts.find((a) => a.parentId === null)!;
    const local = (await call('services.list', {})).services.find((s) => s.kind === 'embedded')!;
    acme = await call('accounts.create', { parentId: root.id, name: 'acme', serviceId: local.id });
  }
  return {
    core,
    dataDir,
    ca,
    ports: {
      mqtt: listenerPort(details, 'mqtt'),
      mqtts: listenerPort(details, 'mqtts'),
      mutual: listenerPort(details, 'mqtts-mutual'),
    },
    accountId: acme.id,
    call,
    close: () => core.close(),
  };
}

let deviceCounter = 0;

/** A fresh simulated identity (unique MAC and serial per call). */
export function nextIdentity(): DeviceIdentity {
  deviceCounter += 1;
  const hex = (process.pid * 1000 + deviceCounter).toString(16).padStart(6, '0').slice(-6).toUpperCase();
  return {
    mac: `02:FB:AA:${hex.slice(0, 2)}:${hex.slice(2, 4)}:${hex.slice(4, 6)}`,
    serial: `SN${deviceCounter}`,
    model: 'FB-TEST',
    firmware: '2.1.0',
  };
}

/** Creates a request for `identity` with the seed's default client id and username; returns its bundle. */
export async function createRequest(
  lab: ProvisioningLab,
  identity: DeviceIdentity,
  extra: Partial<RequestOf<'provisioning.create'>> = {},
): Promise<{ id: string; bundle: ProvisionBundle; activationKey: string | null }> {
  const bundle = defaultBundle(identity, {
    'broker-url': `mqtts://localhost:${lab.ports.mqtts}`,
    password: PASSWORD,
    timeout: 10,
    'retry-interval': 0,
    'retry-max-attempts': 1,
  });
  const created = await lab.call('provisioning.create', {
    targetAccountId: lab.accountId,
    clientId: bundle['client-id'],
    username: bundle.username,
    password: PASSWORD,
    ...extra,
  });
  return {
    id: created.request.id,
    activationKey: created.activationKey,
    bundle: { ...bundle, 'activation-key': created.activationKey ?? '' },
  };
}

export async function requestOf(lab: ProvisioningLab, id: string) {
  return lab.call('provisioning.get', { id });
}

/** CONNECT with the given login to the provision broker (mqtts) and return the CONNACK error code, or 0. */
export async function connackCode(
  lab: ProvisioningLab,
  login: { clientId: string; username: string; password: string },
): Promise<number> {
  try {
    const client = await mqtt.connectAsync(`mqtts://localhost:${lab.ports.mqtts}`, {
      ...login,
      ca: lab.ca,
      protocolVersion: 5,
      reconnectPeriod: 0,
      connectTimeout: 10_000,
    });
    await client.endAsync();
    return 0;
  } catch (err) {
    const code = (err as { code?: number }).code;
    assert.equal(typeof code, 'number', `expected a CONNACK refusal, got ${(err as Error).message}`);
    return code as number;
  }
}
