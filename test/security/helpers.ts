import net from 'node:net';
import type { MqttClient } from 'mqtt';
import mqttPacket from 'mqtt-packet';
import { call, localServiceId, openTenancy, rootId, type TenancyFixture } from '../tenancy/helpers';
import { startTenancyBroker, type TenancyBroker } from '../tenancy/broker-fixture';
import type { TenancyOptions } from '../../main/tenancy';
import { type Core, createCore } from '../../main/core';
import type { FileConfig } from '../../main/core/config-file';
import type { MethodName, RequestOf, ResponseOf } from '../../preload/contract';
import { callCore } from '../helpers/core-call';
import { listenerPort } from '../helpers/mosquitto-clients';
import { tempDir } from '../helpers/temp-dir';

export interface SecurityFixture {
  fx: TenancyFixture;
  tb: TenancyBroker;
  accountId: string;
  close(): Promise<void>;
}

/** Tenancy over a real SQLite file, the real broker on loopback, and one account `acme` served by it. */
export async function openSecured(overrides: Partial<TenancyOptions> = {}): Promise<SecurityFixture> {
  const fx = openTenancy(overrides);
  const tb = await startTenancyBroker(fx);
  const account = await call(fx, 'accounts.create', {
    name: 'acme',
    parentId: rootId(fx),
    serviceId: localServiceId(fx),
  });
  return {
    fx,
    tb,
    accountId: account.id,
    async close() {
      await tb.close();
      fx.close();
    },
  };
}

export async function addCredential(
  sf: SecurityFixture,
  username: string,
  password: string,
  rules?: { filter: string; action: 'publish' | 'subscribe' | 'both' }[],
): Promise<string> {
  const created = await call(sf.fx, 'credentials.create', { accountId: sf.accountId, username, password });
  if (rules)
    await call(sf.fx, 'accessRules.set', { accountId: sf.accountId, credentialId: created.id, rules });
  return created.id;
}

export interface RawConnack {
  reasonCode: number | 'closed';
  reasonString?: string;
}

/**
 * A bare MQTT 5 CONNECT over a raw socket bound to `localAddress`, as a flood tool would send it;
 * resolves with the CONNACK's reason code (or `closed`). Much lighter than an mqtt.js client each.
 */
export function rawConnect(
  port: number,
  localAddress: string,
  login: { clientId: string; username: string; password: string },
): Promise<RawConnack> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port, localAddress });
    const parser = mqttPacket.parser({ protocolVersion: 5 });
    let done = false;
    const finish = (result: RawConnack) => {
      if (done) return;
      done = true;
      socket.destroy();
      resolve(result);
    };
    parser.on('packet', (packet) => {
      if (packet.cmd !== 'connack') return;
      const reasonString = packet.properties?.reasonString;
      finish({ reasonCode: packet.reasonCode ?? 0, ...(reasonString ? { reasonString } : {}) });
    });
    socket.on('data', (chunk) => parser.parse(chunk));
    socket.on('error', () => finish({ reasonCode: 'closed' }));
    socket.on('close', () => finish({ reasonCode: 'closed' }));
    socket.on('connect', () =>
      socket.write(
        mqttPacket.generate({
          cmd: 'connect',
          protocolId: 'MQTT',
          protocolVersion: 5,
          clean: true,
          keepalive: 0,
          clientId: login.clientId,
          username: login.username,
          password: Buffer.from(login.password),
        }),
      ),
    );
  });
}

/** The value below which `share` of the sorted samples fall (nearest rank). */
export function percentile(samples: number[], share: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(share * sorted.length) - 1)] ?? Number.NaN;
}

/** Publishes at QoS 1 and resolves with the PUBACK reason code (0 = accepted). */
export function pubackCode(
  client: MqttClient,
  topic: string,
  payload = 'x',
  retain = false,
): Promise<number> {
  return new Promise((resolve) => {
    client.publish(topic, payload, { qos: 1, retain }, (err, packet) => {
      const code = (packet as { reasonCode?: number } | undefined)?.reasonCode;
      resolve(err ? ((err as Error & { code?: number }).code ?? code ?? -1) : (code ?? 0));
    });
  });
}

/** Subscribes at QoS 1 and resolves with the SUBACK code (1 = granted QoS 1, 0x80+ = refused). */
export async function subackCode(client: MqttClient, filter: string): Promise<number> {
  try {
    const granted = await client.subscribeAsync(filter, { qos: 1 });
    return granted[0]?.qos ?? -1;
  } catch (err) {
    return (err as { packet?: { granted?: number[] } }).packet?.granted?.[0] ?? -1;
  }
}

export interface SecuredCore {
  core: Core;
  url: string;
  call<M extends MethodName>(method: M, request: RequestOf<M>): Promise<ResponseOf<M>>;
  /** Creates an account served by the embedded broker; returns its id. */
  account(name: string, rules?: AccessRuleInput[]): Promise<string>;
}

type AccessRuleInput = { filter: string; action: 'publish' | 'subscribe' | 'both' };

/** The whole core as `fieldbench serve` builds it (real SQLite file, platform hooks), MQTT on a free port. */
export async function openCore(config: FileConfig = {}, allowAnonymous = false): Promise<SecuredCore> {
  const core = await createCore({
    dataDir: tempDir(),
    mode: 'headless',
    config,
    allowAnonymous,
    listeners: { brokerHost: '127.0.0.1', mqttPort: 0 },
  });
  const call = <M extends MethodName>(method: M, request: RequestOf<M>) => callCore(core, method, request);
  const services = await call('services.list', {});
  const local = services.services.find((s) => s.kind === 'embedded');
  const root = (await call('accounts.list', {})).accounts.find((a) => a.parentId === null);
  if (!local || !root) throw new Error('no embedded service or root account');
  return {
    core,
    url: `mqtt://127.0.0.1:${listenerPort(core.readyDetails(), 'mqtt')}`,
    call,
    async account(name, rules) {
      const account = await call('accounts.create', { parentId: root.id, name, serviceId: local.id });
      if (rules) await call('accessRules.set', { accountId: account.id, credentialId: null, rules });
      return account.id;
    },
  };
}
