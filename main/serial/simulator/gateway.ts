import crypto from 'node:crypto';
import type { MqttClient } from 'mqtt';
import mqtt from 'mqtt';
import type { SerialPort } from 'serialport';
import { type DeviceIdentity, type ProvisionBundle, runProvisioningAgent } from '../../provisioning/agent';
import { crc32 } from '../../pki/crc32';
import { subtle, x509 } from '../../pki/x509';
import {
  decodeLine,
  encodeFrame,
  type EventFrame,
  isRequest,
  LineSplitter,
  PROTOCOL_VERSION,
  type RequestFrame,
  type ResponseFrame,
} from '../frames';
import { openPort } from '../link';
import { DeviceError, DeviceStore } from './device-store';

export interface GatewayFaults {
  /** Answer with line noise, as a port at the wrong baud rate sees it. */
  noise?: boolean;
  /** The device has no network: it never reaches the broker. */
  offline?: boolean;
  /** Reboot by itself (once) on receiving this operation, without answering it. */
  rebootOnOp?: string;
  /** Never answer these operations (a hung firmware task). */
  ignoreOps?: string[];
  /** Store a different activation key than the one pushed (a corrupted setting). */
  corruptActivationKey?: boolean;
}

export interface GatewayOptions {
  identity: DeviceIdentity;
  stateFile: string;
  bootMs?: number;
  telemetryIntervalMs?: number;
  faults?: GatewayFaults;
  onLog?: (line: string) => void;
}

export const SIMULATOR_CAPABILITIES = ['settings', 'keys', 'files', 'commit', 'reboot', 'status', 'log'];
const CACHED_RESPONSES = 16;

/** Gateway firmware on a serial port: speaks the commissioning protocol, then provisions and reports. */
export class SimulatedGateway {
  store: DeviceStore;
  private port: SerialPort | undefined;
  private readonly splitter = new LineSplitter(
    (line) => this.onLine(line),
    () => {},
  );
  private readonly cache = new Map<number, Buffer>();
  private booting = false;
  private state = 'idle';
  private detail = '';
  private agent: AbortController | undefined;
  private target: MqttClient | undefined;
  private telemetry: NodeJS.Timeout | undefined;
  private stopped = false;
  faults: GatewayFaults;
  private bootId = crypto.randomBytes(6).toString('hex');

  constructor(private readonly options: GatewayOptions) {
    this.store = new DeviceStore(options.stateFile);
    this.faults = { ...options.faults };
  }

  /** Plugs the device into a serial port (one end of a PTY pair). */
  async attach(path: string, baudRate = 115200): Promise<void> {
    const port = await openPort(path, baudRate);
    this.port = port;
    this.splitter.reset();
    this.cache.clear();
    port.on('data', (data: Buffer) => this.splitter.push(data));
    port.on('close', () => {
      if (this.port === port) this.port = undefined;
    });
    port.on('error', () => {});
    this.sendEvent('boot', this.helloResult());
    if (this.store.flash.configuration || this.needsProvisioning()) void this.startNetwork();
  }

  private log(level: string, msg: string): void {
    this.options.onLog?.(`${level} ${msg}`);
    this.sendEvent('log', { level, msg });
  }

  private setState(state: string, detail = ''): void {
    this.state = state;
    this.detail = detail;
    this.sendEvent('status', { state, detail });
  }

  private write(data: Buffer): void {
    if (!this.port?.isOpen) return;
    if (this.faults.noise) data = crypto.randomBytes(data.length).map((b) => b | 0x80) as Buffer;
    this.port.write(data);
  }

  private sendEvent(ev: string, data: Record<string, unknown>): void {
    this.write(encodeFrame({ ev, data } satisfies EventFrame));
  }

  private helloResult() {
    const { identity } = this.options;
    return {
      protocol: PROTOCOL_VERSION,
      model: identity.model,
      serial: identity.serial,
      mac: identity.mac,
      firmware: identity.firmware,
      capabilities: SIMULATOR_CAPABILITIES,
      generation: this.store.flash.generation,
      bootId: this.bootId,
    };
  }

  private onLine(line: Buffer): void {
    const decoded = decodeLine(line);
    if (decoded.kind !== 'frame' || !isRequest(decoded.frame) || this.booting) return;
    const request = decoded.frame;
    const cached = this.cache.get(request.id);
    if (cached) {
      this.write(cached);
      return;
    }
    if (this.faults.ignoreOps?.includes(request.op)) return;
    if (this.faults.rebootOnOp === request.op) {
      this.faults.rebootOnOp = undefined;
      void this.reboot();
      return;
    }
    void this.answer(request);
  }

  private async answer(request: RequestFrame): Promise<void> {
    let response: ResponseFrame;
    try {
      response = { id: request.id, ok: true, result: await this.handle(request.op, request.args ?? {}) };
    } catch (err) {
      const code = err instanceof DeviceError ? err.code : 'ERROR';
      response = { id: request.id, ok: false, error: { code, message: (err as Error).message } };
    }
    const frame = encodeFrame(response);
    this.cache.set(request.id, frame);
    if (this.cache.size > CACHED_RESPONSES) this.cache.delete(this.cache.keys().next().value!);
    this.write(frame);
    if (request.op === 'reboot' && response.ok) setTimeout(() => void this.reboot(), 20);
  }

  private async handle(op: string, args: Record<string, unknown>): Promise<Record<string, unknown>> {
    const s = this.store;
    switch (op) {
      case 'hello':
        return this.helloResult();
      case 'status':
        return { state: this.state, detail: this.detail, generation: s.flash.generation };
      case 'settings.get': {
        const settings: Record<string, unknown> = { ...s.flash.settings };
        for (const secret of ['password', 'activation-key']) if (settings[secret]) settings[secret] = '***';
        return { settings, generation: s.flash.generation };
      }
      case 'settings.set': {
        const settings = { ...((args['settings'] ?? {}) as Record<string, unknown>) };
        if (this.faults.corruptActivationKey && typeof settings['activation-key'] === 'string') {
          settings['activation-key'] = `${settings['activation-key']}x`;
        }
        return { staged: s.stageSettings(settings) };
      }
      case 'keys.generate': {
        const { csrPem, privateKeyPem } = await generateCsr(
          String(args['commonName'] ?? this.options.identity.serial),
        );
        s.stagedKey = privateKeyPem;
        return { csrPem };
      }
      case 'file.begin':
        return { offset: s.beginFile(String(args['name']), Number(args['size']), String(args['sha256'])) };
      case 'file.chunk': {
        const data = Buffer.from(String(args['data'] ?? ''), 'base64');
        if (crc32Hex(data) !== args['crc']) throw new DeviceError('CHECKSUM', 'chunk CRC mismatch');
        return { offset: s.writeChunk(String(args['name']), Number(args['offset']), data) };
      }
      case 'file.end':
        s.endFile(String(args['name']));
        return { complete: true };
      case 'commit':
        // Staging lives in RAM: a commit meant for an earlier boot would apply only part of it.
        if (args['bootId'] !== undefined && args['bootId'] !== this.bootId) {
          throw new DeviceError('REBOOTED', 'the device restarted since staging began; stage again');
        }
        return { generation: s.commit() };
      case 'abort':
        s.clearStaging();
        return { aborted: true };
      case 'reboot':
        return { rebooting: true, bootMs: this.options.bootMs ?? 300 };
      default:
        throw new DeviceError('UNKNOWN_OP', `unknown operation ${op}`);
    }
  }

  /** Restarts: RAM (staging, caches) is lost, flash stays; then boots and starts its network side. */
  async reboot(): Promise<void> {
    this.booting = true;
    this.stopNetwork();
    this.store.clearStaging();
    this.cache.clear();
    this.bootId = crypto.randomBytes(6).toString('hex');
    this.state = 'booting';
    await new Promise((resolve) => setTimeout(resolve, this.options.bootMs ?? 300));
    if (this.stopped) return;
    this.booting = false;
    this.store = this.reloaded();
    this.sendEvent('boot', this.helloResult());
    this.setState('idle');
    if (this.store.flash.configuration || this.needsProvisioning()) void this.startNetwork();
  }

  private reloaded(): DeviceStore {
    return new DeviceStore(this.options.stateFile);
  }

  private needsProvisioning(): boolean {
    const st = this.store.flash.settings;
    return (
      st.enabled === true &&
      st.provisioned !== true &&
      typeof st['broker-url'] === 'string' &&
      st['broker-url'] !== ''
    );
  }

  private async startNetwork(): Promise<void> {
    if (this.faults.offline) {
      this.setState('offline', 'no network link');
      return;
    }
    const flash = this.store.flash;
    try {
      if (!flash.configuration) {
        this.setState('provisioning');
        this.agent = new AbortController();
        const trustedCaPem = flash.files['ca.pem']
          ? Buffer.from(flash.files['ca.pem'].contentBase64, 'base64').toString()
          : undefined;
        const result = await runProvisioningAgent(flash.settings as ProvisionBundle, this.options.identity, {
          trustedCaPem,
          signal: this.agent.signal,
          keepTargetConnection: true,
          csr: (flash.settings as Record<string, unknown>)['x-csr'] === true,
          onStep: (step, detail) => this.log('info', `provisioning ${step}${detail ? `: ${detail}` : ''}`),
        });
        const c = result.configuration;
        this.store.save({
          ...this.store.flash,
          settings: result.bundle,
          configuration: {
            brokerUrl: c.brokerUrl,
            accountName: c.accountName,
            clientId: c.clientId,
            username: c.username,
            password: c.password,
            certificatePem: c.certificatePem,
            privateKeyPem: c.privateKeyPem,
            caChainPem: c.caChainPem,
          },
        });
        this.target = result.target;
      } else {
        const c = flash.configuration;
        this.target = await mqtt.connectAsync(c.brokerUrl, {
          clientId: c.clientId,
          ...(c.certificatePem
            ? { cert: c.certificatePem, key: c.privateKeyPem }
            : { username: c.username, password: c.password }),
          ca: c.caChainPem,
          reconnectPeriod: 0,
        });
      }
      this.setState('online', this.store.flash.configuration!.accountName);
      this.startTelemetry();
    } catch (err) {
      if (this.stopped) return;
      this.log('error', `provisioning failed: ${(err as Error).message}`);
      this.setState('failed', (err as Error).message);
    }
  }

  private startTelemetry(): void {
    const target = this.target;
    const clientId = this.store.flash.configuration?.clientId;
    if (!target || !clientId) return;
    let sequence = 0;
    const send = () => {
      sequence += 1;
      const payload = JSON.stringify({
        seq: sequence,
        uptime: process.uptime(),
        temperature: 20 + (sequence % 5),
      });
      target.publish(`devices/${clientId}/telemetry`, payload, { qos: 0 });
    };
    send();
    this.telemetry = setInterval(send, this.options.telemetryIntervalMs ?? 1000);
  }

  private stopNetwork(): void {
    this.agent?.abort();
    this.agent = undefined;
    clearInterval(this.telemetry);
    this.telemetry = undefined;
    this.target?.end(true);
    this.target = undefined;
  }

  /** Unplugs and powers off. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.stopNetwork();
    const port = this.port;
    this.port = undefined;
    if (port?.isOpen) await new Promise<void>((resolve) => port.close(() => resolve()));
  }
}

export const crc32Hex = (data: Buffer) => crc32(data).toString(16).padStart(8, '0');

async function generateCsr(commonName: string): Promise<{ csrPem: string; privateKeyPem: string }> {
  const keys = (await subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, [
    'sign',
    'verify',
  ])) as { privateKey: never; publicKey: never };
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name: `CN=${commonName}`,
    keys: keys as never,
    signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
  });
  const pkcs8 = Buffer.from(await subtle.exportKey('pkcs8', keys.privateKey));
  const privateKeyPem = crypto
    .createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' })
    .export({ type: 'pkcs8', format: 'pem' }) as string;
  return { csrPem: csr.toString('pem'), privateKeyPem };
}
