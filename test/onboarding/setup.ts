import assert from 'node:assert/strict';
import path from 'node:path';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { type Core, createCore } from '../../main/core';
import type { MethodName, RequestOf } from '../../preload/contract';
import { callCore } from '../helpers/core-call';
import { listenerPort } from '../helpers/mosquitto-clients';
import { type CertFiles, createCa, issueCert, type OpensslCa, readPem } from '../helpers/openssl-pki';
import { waitFor } from '../helpers/wait-for';

export const PASSWORD = 'correct horse battery';
export type Tenant = 'acme' | 'globex';

/** A headless core with two accounts, each with its own accepted tenant CA and an operator login. */
export class OnboardingBench {
  core!: Core;
  ports = { mqtt: 0, mutual: 0 };
  serverCa = '';
  accounts: Record<Tenant, string> = { acme: '', globex: '' };
  cas = {} as Record<Tenant, OpensslCa>;
  readonly clients: MqttClient[] = [];

  constructor(readonly dir: string) {}

  call<M extends MethodName>(method: M, request: RequestOf<M>) {
    return callCore(this.core, method, request);
  }

  async start(): Promise<void> {
    this.core = await createCore({
      dataDir: path.join(this.dir, 'data'),
      mode: 'headless',
      listeners: { brokerHost: '127.0.0.1', mqttPort: 0, mqttsMutualPort: 0 },
    });
    this.ports = {
      mqtt: listenerPort(this.core.readyDetails(), 'mqtt'),
      mutual: listenerPort(this.core.readyDetails(), 'mqtts-mutual'),
    };
    this.serverCa = (await this.call('pki.listAuthorities', {})).authorities.find(
      (a) => a.role === 'root',
    )!.certificatePem;
  }

  async createTenants(): Promise<void> {
    const root = (await this.call('accounts.list', {})).accounts.find((a) => a.parentId === null)!;
    const local = (await this.call('services.list', {})).services.find((s) => s.kind === 'embedded')!;
    for (const name of ['acme', 'globex'] as const) {
      this.accounts[name] = (
        await this.call('accounts.create', { parentId: root.id, name, serviceId: local.id })
      ).id;
      await this.call('credentials.create', {
        accountId: this.accounts[name],
        username: `${name}-ops`,
        password: PASSWORD,
      });
      const ca = createCa(path.join(this.dir, name), `${name}-ca`, {
        subject: `/O=${name}/CN=${name} Device CA`,
      });
      const registration = await this.call('pki.startTenantCaRegistration', {
        accountId: this.accounts[name],
        caPem: readPem(ca.cert),
      });
      const proof = issueCert(ca, 'proof', { subject: `/CN=${registration.registrationCode}`, days: 1 });
      const accepted = await this.call('pki.completeTenantCaRegistration', {
        id: registration.id,
        verificationCertPem: readPem(proof.cert),
      });
      assert.equal(accepted.status, 'accepted');
      this.cas[name] = ca;
    }
  }

  /** Reuses CA files written by `createTenants` (after a restart). */
  loadTenants(accounts: Record<Tenant, string>, cas: Record<Tenant, OpensslCa>): void {
    this.accounts = accounts;
    this.cas = cas;
  }

  issue(tenant: Tenant, commonName: string): CertFiles {
    return issueCert(this.cas[tenant], commonName.replace(/[^A-Za-z0-9_-]/g, '-'), {
      subject: `/CN=${commonName}`,
    });
  }

  /** mqtt.js over mutual TLS with a tenant certificate; a refused CONNACK rejects with its `code` and `reasonString`. */
  connectAgent(clientId: string, files: CertFiles, extra: IClientOptions = {}): Promise<MqttClient> {
    const client = mqtt.connect(`mqtts://localhost:${this.ports.mutual}`, {
      ca: this.serverCa,
      cert: readPem(files.cert),
      key: readPem(files.key),
      clientId,
      protocolVersion: 5,
      reconnectPeriod: 0,
      connectTimeout: 30_000,
      ...extra,
    });
    this.clients.push(client);
    let reasonString: string | undefined;
    client.on('packetreceive', (packet) => {
      if (packet.cmd === 'connack') reasonString = packet.properties?.reasonString;
    });
    return new Promise((resolve, reject) => {
      client.once('connect', () => resolve(client));
      client.once('error', (err) => {
        client.end(true);
        reject(Object.assign(err, { reasonString }));
      });
    });
  }

  /**
   * Trust changes reach the mutual-TLS listener asynchronously: retries until a handshake with the tenant's
   * certificate passes, proven by a CONNACK refusal (client id ≠ CN), so no agent record is made.
   */
  async waitForTrust(tenant: Tenant): Promise<void> {
    const probe = this.issue(tenant, `${tenant}_probe`);
    await waitFor(
      async () => {
        try {
          (await this.connectAgent('probe-not-the-cn', probe)).end(true);
          return true;
        } catch (err) {
          if (typeof (err as { code?: unknown }).code === 'number') return true;
          throw err;
        }
      },
      `the mutual-TLS listener to trust ${tenant}'s CA`,
      30_000,
    );
  }

  async watcher(tenant: Tenant, filter: string) {
    const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${this.ports.mqtt}`, {
      clientId: `${tenant}-watch-${this.clients.length}`,
      username: `${tenant}-ops`,
      password: PASSWORD,
      protocolVersion: 5,
      reconnectPeriod: 0,
    });
    this.clients.push(client);
    const seen: Array<[string, string]> = [];
    client.on('message', (topic, payload) => seen.push([topic, payload.toString()]));
    await client.subscribeAsync(filter, { qos: 1 });
    return seen;
  }

  async stop(): Promise<void> {
    for (const client of this.clients.splice(0)) client.end(true);
    await this.core.close();
  }
}
