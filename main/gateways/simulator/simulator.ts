import { signDeviceJwt } from '../sign';
import { LiteClient } from './mqtt-lite';
import type { Fleet } from './provision';

export interface SimulatorOptions {
  mqtt: { host: string; port: number; ca?: string; servername?: string };
  accountName: string;
  registryId: string;
  fleet: Fleet;
  /** Events per second per device (0 = none). */
  eventsPerSecond: number;
  /** A state message every this many events of a device (0 = never). */
  stateEvery?: number;
  /** Put the device's own JWT into attach payloads (device-token auth methods). */
  attachWithToken?: boolean;
  /** Gateways connecting at once. */
  concurrency?: number;
  log?: (line: string) => void;
}

export interface SimulatorReport {
  gatewaysConnected: number;
  devicesAttached: number;
  attachFailures: number;
  eventsSent: number;
  statesSent: number;
  configsReceived: number;
  commandsReceived: number;
  errorsReceived: number;
  /** Latest config payload per device, as applied. */
  configs: Record<string, string>;
  commands: { deviceId: string; topic: string; payload: string }[];
  attachLatencyMs: { p50: number; p99: number; max: number };
}

interface SimGateway {
  id: string;
  client: LiteClient;
  devices: string[];
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/**
 * N gateways, each attaching its devices, subscribing to their config and commands, publishing
 * events and state at a rate, and recording what it receives. `start()`, then `stop()` for the report.
 */
export class GatewaySimulator {
  private readonly gateways: SimGateway[] = [];
  private readonly latencies: number[] = [];
  private timer: NodeJS.Timeout | null = null;
  private readonly report: Omit<
    SimulatorReport,
    'attachLatencyMs' | 'gatewaysConnected' | 'devicesAttached'
  > = {
    attachFailures: 0,
    eventsSent: 0,
    statesSent: 0,
    configsReceived: 0,
    commandsReceived: 0,
    errorsReceived: 0,
    configs: {},
    commands: [],
  };
  private attached = 0;

  constructor(private readonly options: SimulatorOptions) {}

  private clientId(deviceId: string): string {
    return `subscriptions/${this.options.accountName}/registries/${this.options.registryId}/devices/${deviceId}`;
  }

  private async connectGateway(id: string, devices: string[]): Promise<void> {
    const { mqtt, fleet, accountName, registryId } = this.options;
    const password = await signDeviceJwt(fleet.keys.get(id)!, {
      audience: accountName,
      lifetimeSeconds: 3600,
    });
    const client = await LiteClient.connect({
      ...mqtt,
      clientId: this.clientId(id),
      username: 'unused',
      password,
    });
    const gateway: SimGateway = { id, client, devices: [] };
    client.on('message', (topic, payload) => this.received(topic, payload));
    await client.subscribe([`/${registryId}/${id}/errors`, `/${registryId}/${id}/config`], 1);
    for (const deviceId of devices) {
      const key = fleet.keys.get(deviceId);
      const payload =
        this.options.attachWithToken && key
          ? JSON.stringify({ authorization: await signDeviceJwt(key, { audience: accountName }) })
          : '';
      const started = performance.now();
      await client.publish(`/${registryId}/${deviceId}/attach`, payload, 1);
      this.latencies.push(performance.now() - started);
      const granted = await client.subscribe(
        [`/${registryId}/${deviceId}/config`, `/${registryId}/${deviceId}/commands/#`],
        1,
      );
      // 3.1.1 cannot refuse an attach in its PUBACK: a refused subscription shows it was not attached.
      if (granted.some((g) => g >= 0x80)) this.report.attachFailures++;
      else {
        gateway.devices.push(deviceId);
        this.attached++;
      }
    }
    this.gateways.push(gateway);
  }

  private received(topic: string, payload: Buffer): void {
    const [, , deviceId, kind] = topic.split('/');
    if (kind === 'errors') this.report.errorsReceived++;
    else if (kind === 'config') {
      this.report.configsReceived++;
      this.report.configs[deviceId!] = payload.toString();
    } else if (kind === 'commands') {
      this.report.commandsReceived++;
      if (this.report.commands.length < 1000) {
        this.report.commands.push({ deviceId: deviceId!, topic, payload: payload.toString() });
      }
    }
  }

  /** Connects and attaches everything, then starts publishing. */
  async start(): Promise<void> {
    const entries = [...this.options.fleet.gateways];
    const concurrency = this.options.concurrency ?? 10;
    let next = 0;
    const worker = async () => {
      while (next < entries.length) {
        const [id, devices] = entries[next++]!;
        await this.connectGateway(id, devices);
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, entries.length) }, worker));
    this.options.log?.(`${this.gateways.length} gateways connected, ${this.attached} devices attached`);
    if (this.options.eventsPerSecond > 0) this.startPublishing();
  }

  private startPublishing(): void {
    const tickMs = 100;
    const perTick = (this.options.eventsPerSecond * tickMs) / 1000;
    let credit = 0;
    const counts = new Map<string, number>();
    this.timer = setInterval(() => {
      credit += perTick;
      const rounds = Math.floor(credit);
      credit -= rounds;
      for (let r = 0; r < rounds; r++) {
        for (const gateway of this.gateways) {
          if (!gateway.client.writable) continue;
          for (const deviceId of gateway.devices) {
            const n = (counts.get(deviceId) ?? 0) + 1;
            counts.set(deviceId, n);
            const event = { seq: n, temperature: 20 + 5 * Math.sin(n / 10), at: Date.now() };
            void gateway.client.publish(
              `/${this.options.registryId}/${deviceId}/events`,
              JSON.stringify(event),
              0,
            );
            this.report.eventsSent++;
            const every = this.options.stateEvery ?? 0;
            if (every > 0 && n % every === 0) {
              void gateway.client.publish(
                `/${this.options.registryId}/${deviceId}/state`,
                JSON.stringify({ ok: true, n }),
                0,
              );
              this.report.statesSent++;
            }
          }
        }
      }
    }, tickMs);
  }

  snapshot(): SimulatorReport {
    const sorted = [...this.latencies].sort((a, b) => a - b);
    const round = (v: number) => Math.round(v * 100) / 100;
    return {
      ...this.report,
      configs: { ...this.report.configs },
      commands: [...this.report.commands],
      gatewaysConnected: this.gateways.filter((g) => !g.client.closed).length,
      devicesAttached: this.attached,
      attachLatencyMs: {
        p50: round(percentile(sorted, 50)),
        p99: round(percentile(sorted, 99)),
        max: round(sorted.at(-1) ?? 0),
      },
    };
  }

  /** Stops publishing, disconnects every gateway and returns the report. */
  async stop(): Promise<SimulatorReport> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    const report = this.snapshot();
    await Promise.all(this.gateways.map((g) => g.client.end()));
    return report;
  }
}
