import crypto from 'node:crypto';
import { crc32 } from '../pki/crc32';
import { type EventFrame, PROTOCOL_VERSION } from './frames';
import { type RequestOptions, type SerialLink, SerialLinkError } from './link';

export interface DeviceHello {
  protocol: number;
  model: string;
  serial: string;
  mac: string;
  firmware: string;
  capabilities: string[];
  /** Changes at every boot: a commit carries it so staging from an earlier boot is never applied. */
  bootId: string | null;
}

/** Bytes per file chunk (before base64): keeps every frame far below the line limit. */
export const CHUNK_BYTES = 2048;

const str = (v: unknown, name: string) => {
  if (typeof v !== 'string' || v.length === 0 || v.length > 128) {
    throw new SerialLinkError('device', `the device's hello has no valid ${name}`);
  }
  return v;
};

/** Fieldbench's side of the commissioning protocol (docs/serial-protocol.md) over one link. */
export class GatewayClient {
  constructor(
    readonly link: SerialLink,
    private readonly defaults: RequestOptions = {},
  ) {}

  request(op: string, args?: Record<string, unknown>, options?: RequestOptions) {
    return this.link.request(op, args, { ...this.defaults, ...options });
  }

  async hello(): Promise<DeviceHello> {
    const r = await this.request('hello', { protocol: PROTOCOL_VERSION });
    if (r['protocol'] !== PROTOCOL_VERSION) {
      throw new SerialLinkError(
        'device',
        `the device speaks protocol ${String(r['protocol'])}, not ${PROTOCOL_VERSION}`,
      );
    }
    return {
      protocol: PROTOCOL_VERSION,
      model: str(r['model'], 'model'),
      serial: str(r['serial'], 'serial number'),
      mac: str(r['mac'], 'MAC'),
      firmware: str(r['firmware'], 'firmware'),
      capabilities: Array.isArray(r['capabilities']) ? r['capabilities'].map(String).slice(0, 32) : [],
      bootId: typeof r['bootId'] === 'string' ? r['bootId'] : null,
    };
  }

  async setSettings(settings: Record<string, unknown>): Promise<void> {
    await this.request('settings.set', { settings });
  }

  /** Writes a file in CRC-checked chunks, resuming from what the device already staged. */
  async writeFile(
    name: string,
    content: Buffer,
    onProgress?: (sent: number) => void,
  ): Promise<{ sha256: string; resumedAt: number }> {
    const sha256 = crypto.createHash('sha256').update(content).digest('hex');
    const begun = await this.request('file.begin', { name, size: content.length, sha256 });
    const resumedAt = Number(begun['offset'] ?? 0);
    let offset = resumedAt;
    while (offset < content.length) {
      const data = content.subarray(offset, offset + CHUNK_BYTES);
      const crc = crc32(data).toString(16).padStart(8, '0');
      const r = await this.request('file.chunk', { name, offset, data: data.toString('base64'), crc });
      offset = Number(r['offset']);
      onProgress?.(offset);
    }
    await this.request('file.end', { name });
    return { sha256, resumedAt };
  }

  async commit(bootId?: string | null): Promise<number> {
    const args = bootId ? { bootId } : {};
    return Number((await this.request('commit', args, { timeoutMs: 5000 }))['generation']);
  }

  abort(): Promise<unknown> {
    return this.request('abort', {}, { retries: 0, timeoutMs: 1000 });
  }

  /** Reboots the device and resolves with its hello when it has booted again. */
  async reboot(bootTimeoutMs: number): Promise<Record<string, unknown>> {
    const booted = this.nextEvent('boot', bootTimeoutMs, 'the device did not come back after its reboot');
    await this.request('reboot');
    return (await booted).data ?? {};
  }

  /** The next `ev` event from the device, or a timeout error naming `what`. */
  nextEvent(
    ev: string,
    timeoutMs: number,
    what: string,
    match: (e: EventFrame) => boolean = () => true,
  ): Promise<EventFrame> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => done(new SerialLinkError('timeout', `${what} within ${timeoutMs} ms`)),
        timeoutMs,
      );
      const onEvent = (e: EventFrame) => e.ev === ev && match(e) && done(undefined, e);
      const onClosed = (reason: string) => done(new SerialLinkError('closed', reason));
      const done = (err?: Error, e?: EventFrame) => {
        clearTimeout(timer);
        this.link.off('event', onEvent);
        this.link.off('closed', onClosed);
        if (err) reject(err);
        else resolve(e!);
      };
      this.link.on('event', onEvent);
      this.link.once('closed', onClosed);
    });
  }
}
