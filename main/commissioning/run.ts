import crypto, { X509Certificate } from 'node:crypto';
import { defaultClientId, defaultUsername } from '../provisioning/agent';
import { type DeviceHello, GatewayClient, SerialLink } from '../serial';
import type { CommissioningRecord, RecordStep } from './record';
import { redactSettings } from './record';

export interface RunTemplate {
  coupling?: 'loose' | 'strict';
  retryMaxAttempts?: number;
  /** Seconds the device waits for each provisioning reply. */
  deviceTimeoutSeconds?: number;
  credential?: 'password' | 'certificate';
}

export interface RunInput {
  path: string;
  baudRate: number;
  targetAccount: { id: string; name: string };
  template: RunTemplate;
  operator: string;
  onlineTimeoutMs: number;
  /** Frame timeout and retries of every serial step. */
  frameTimeoutMs: number;
  frameRetries: number;
  bootTimeoutMs: number;
}

/** What a run needs from the rest of Fieldbench. */
export interface RunServices {
  createRequest(input: {
    targetAccountId: string;
    clientId: string;
    username: string;
    password: string;
    coupling: 'loose' | 'strict';
    retryMaxAttempts: number;
  }): Promise<{ id: string; activationKey: string }>;
  provisionBrokerUrl(): string;
  provisionAccountName(): string;
  caChainPem(): string;
  requestStatus(id: string): { status: string; reason: string | null } | undefined;
  /** The certificate issued for a request from the device's CSR, if any. */
  issuedCertificate(requestId: string): { subject: string; sha256Fingerprint: string } | undefined;
  /** Resolves on the first message published by `clientId` in `accountId`; the returned function stops watching. */
  watchTelemetry(accountId: string, clientId: string, onFirst: (topic: string) => void): () => void;
  /** Claims a device for this run; returns the port already commissioning it, if any. */
  claimDevice(serial: string, port: string): string | null;
  releaseDevice(serial: string, port: string): void;
}

export type RunState = 'running' | 'succeeded' | 'failed';

export interface Progress {
  step: string;
  state: RunState;
  detail: string;
  device: DeviceHello | null;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

class StepFailure extends Error {}

/**
 * One gateway on one port: identify → provision request → push settings and CA chain → commit →
 * reboot → watch it provision → first telemetry. Returns the (unsigned) record, failed or not.
 */
export async function commissionOnePort(
  input: RunInput,
  services: RunServices,
  onProgress: (p: Progress) => void,
): Promise<CommissioningRecord> {
  const steps: RecordStep[] = [];
  const record: CommissioningRecord = {
    format: 'fieldbench-commissioning-record/1',
    id: crypto.randomUUID(),
    port: input.path,
    device: null,
    targetAccount: input.targetAccount,
    provisionRequestId: null,
    clientId: null,
    settingsPushed: {},
    files: [],
    certificates: [],
    steps,
    operator: input.operator,
    result: 'failed',
    error: null,
    startedAt: Date.now(),
    endedAt: 0,
  };
  let link: SerialLink | undefined;
  let committed = false;
  let client: GatewayClient | undefined;
  let claimed: string | undefined;
  let deviceFailure: string | null = null;

  const step = async <T>(
    name: string,
    fn: () => Promise<T>,
    detailOf: (v: T) => string = () => '',
  ): Promise<T> => {
    onProgress({ step: name, state: 'running', detail: '', device: record.device });
    const startedAt = Date.now();
    try {
      const value = await fn();
      steps.push({ name, startedAt, endedAt: Date.now(), result: 'ok', detail: detailOf(value) });
      return value;
    } catch (err) {
      const message = `${name}: ${(err as Error).message}`;
      steps.push({ name, startedAt, endedAt: Date.now(), result: 'failed', detail: (err as Error).message });
      throw new StepFailure(message);
    }
  };

  try {
    link = await step(
      'open port',
      () => SerialLink.open(input.path, input.baudRate),
      () => `${input.baudRate} baud`,
    );
    client = new GatewayClient(link, { timeoutMs: input.frameTimeoutMs, retries: input.frameRetries });
    const gateway = client;
    link.on('event', (e) => {
      if (e.ev === 'status' && e.data?.['state'] === 'failed')
        deviceFailure = String(e.data['detail'] ?? 'failed');
    });
    let device = await step(
      'identify',
      () => gateway.hello(),
      (h) => `${h.model} ${h.serial} (${h.mac}), firmware ${h.firmware}`,
    );
    record.device = device;
    const holder = services.claimDevice(device.serial, input.path);
    if (holder)
      throw new StepFailure(`identify: device ${device.serial} is already being commissioned on ${holder}`);
    claimed = device.serial;

    const clientId = defaultClientId(device);
    const username = defaultUsername(device);
    const password = crypto.randomBytes(18).toString('base64url');
    record.clientId = clientId;
    const request = await step(
      'create provision request',
      () =>
        services.createRequest({
          targetAccountId: input.targetAccount.id,
          clientId,
          username,
          password,
          coupling: input.template.coupling ?? 'loose',
          retryMaxAttempts: input.template.retryMaxAttempts ?? 3,
        }),
      (r) => `request ${r.id} in account ${input.targetAccount.name}`,
    );
    record.provisionRequestId = request.id;
    const settings = {
      enabled: true,
      provisioned: false,
      'ca-authentication': true,
      'broker-url': services.provisionBrokerUrl(),
      'account-name': services.provisionAccountName(),
      username,
      password,
      'activation-key': request.activationKey,
      'client-id': clientId,
      timeout: input.template.deviceTimeoutSeconds ?? 10,
      'retry-interval': 1,
      'retry-max-attempts': input.template.retryMaxAttempts ?? 3,
      // Device-specific (x-) setting: provision with a CSR made on the device.
      ...(input.template.credential === 'certificate' ? { 'x-csr': true } : {}),
    };
    record.settingsPushed = redactSettings(settings);
    const caChain = Buffer.from(services.caChainPem());
    record.certificates = (
      caChain.toString().match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []
    ).map((pem, i, all) => {
      const cert = new X509Certificate(pem);
      return {
        role: i === all.length - 1 ? 'root CA' : 'issuing CA',
        subject: cert.subject,
        sha256Fingerprint: cert.fingerprint256,
      };
    });

    // Staged on the device; a reboot before the commit loses the staging, so the push starts over once.
    for (let attempt = 1; ; attempt++) {
      try {
        await step(
          'push settings',
          () => gateway.setSettings(settings),
          () => Object.keys(settings).join(', '),
        );
        const written = await step(
          'write CA chain',
          () => gateway.writeFile('ca.pem', caChain),
          (w) => (w.resumedAt > 0 ? `resumed at byte ${w.resumedAt}` : `${caChain.length} bytes`),
        );
        record.files = [{ name: 'ca.pem', sha256: written.sha256, size: caChain.length }];
        const generation = await step(
          'commit',
          () => gateway.commit(device.bootId),
          (g) => `configuration generation ${g}`,
        );
        committed = generation > 0;
        break;
      } catch (err) {
        const rebooted = /REBOOTED|NO_FILE|INCOMPLETE|restarted/.test((err as Error).message);
        if (attempt >= 2 || !rebooted || link.closed) throw err;
        device = await step(
          're-identify after device restart',
          () => gateway.hello(),
          (h) => h.serial,
        );
        if (device.serial !== record.device?.serial)
          throw new StepFailure('identify: a different device answered');
      }
    }

    let stopTelemetry: () => void = () => {};
    const telemetry = new Promise<string>((resolve) => {
      stopTelemetry = services.watchTelemetry(input.targetAccount.id, clientId, resolve);
    });
    try {
      await step(
        'reboot',
        () => gateway.reboot(input.bootTimeoutMs),
        () => 'device booted with the new settings',
      );
      const deadline = Date.now() + input.onlineTimeoutMs;
      await step(
        'provision',
        async () => {
          for (;;) {
            const status = services.requestStatus(request.id);
            if (status?.status === 'COMPLETED') return status;
            if (status?.status === 'FAILED' || status?.status === 'ABANDONED') {
              throw new Error(`the provision request ${status.status}: ${status.reason ?? ''}`);
            }
            if (deviceFailure) throw new Error(`the device reports: ${deviceFailure}`);
            if (link?.closed) throw new Error(link.closed);
            if (Date.now() > deadline) {
              throw new Error(
                `the device never came online within ${input.onlineTimeoutMs / 1000} s (provision request ${status?.status ?? 'gone'})`,
              );
            }
            await sleep(100);
          }
        },
        (s) => `request ${s.status}`,
      );
      await step(
        'first telemetry',
        async () => {
          const timeout = new Promise<never>((_, reject) =>
            setTimeout(
              () =>
                reject(new Error(`no telemetry from ${clientId} within ${input.onlineTimeoutMs / 1000} s`)),
              Math.max(1000, deadline - Date.now()),
            ).unref(),
          );
          return Promise.race([telemetry, timeout]);
        },
        (topic) => `first message on ${topic}`,
      );
    } finally {
      stopTelemetry();
    }
    const issued = services.issuedCertificate(request.id);
    if (issued) record.certificates.push({ role: 'device certificate', ...issued });
    record.result = 'succeeded';
  } catch (err) {
    record.error = (err as Error).message;
    // Nothing half-applied: drop what is staged on the device (best effort, the cable may be gone).
    if (client && !committed && !link?.closed) await client.abort().catch(() => {});
  } finally {
    if (claimed) services.releaseDevice(claimed, input.path);
    await link?.close().catch(() => {});
    record.endedAt = Date.now();
  }
  const last = steps[steps.length - 1];
  onProgress({
    step: record.result === 'succeeded' ? 'done' : (last?.name ?? 'open port'),
    state: record.result,
    detail: record.error ?? `online in account ${input.targetAccount.name}`,
    device: record.device,
  });
  return record;
}
