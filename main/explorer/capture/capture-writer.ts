import crypto from 'node:crypto';
import type fs from 'node:fs';
import type { ExplorerPacket } from '../../../preload/contract/explorer';
import { jsonBinary } from '../history/history-store';
import { splitAccount } from '../topic-match';
import type { FlowMessage } from '../types';
import { CAPTURE_FORMAT, type CaptureHeader, type CaptureMessage, redactCredentials } from './capture-format';

/** Above this much unwritten data the capture drops lines (counted) instead of growing memory. */
const MAX_BUFFERED_BYTES = 16 * 1024 * 1024;

export interface CaptureOptions {
  connectionId: string;
  /** The file's name in the exports folder. */
  file: string;
  redactPayloads: boolean;
  redactCredentials: boolean;
  includePackets: boolean;
}

/** Writes messages (and optionally packets) of one connection to a JSON-lines file. */
export class CaptureWriter {
  readonly id = crypto.randomUUID();
  readonly startedAt = Date.now();
  messages = 0;
  packets = 0;
  bytes = 0;
  dropped = 0;
  active = true;
  constructor(
    readonly options: CaptureOptions,
    private readonly stream: fs.WriteStream,
  ) {
    this.stream.on('error', () => {
      this.active = false;
    });
    const header: CaptureHeader = {
      type: 'header',
      format: CAPTURE_FORMAT,
      version: 1,
      connectionId: options.connectionId,
      startedAt: this.startedAt,
      redactPayloads: options.redactPayloads,
      redactCredentials: options.redactCredentials,
    };
    this.write(header);
  }

  addMessage(m: FlowMessage): void {
    if (!this.active) return;
    const { account } = splitAccount(m.topic);
    const line: CaptureMessage = {
      type: 'message',
      time: m.time,
      topic: m.topic,
      qos: m.qos,
      retain: m.retain,
      size: m.payload.length,
      payload: this.options.redactPayloads ? null : m.payload.toString('base64'),
    };
    if (account !== undefined) line.account = account;
    if (m.properties)
      line.properties = this.options.redactCredentials ? redactCredentials(m.properties) : m.properties;
    if (m.clientId) line.clientId = m.clientId;
    if (this.write(line)) this.messages++;
  }

  addPacket(p: ExplorerPacket): void {
    if (!this.active || !this.options.includePackets) return;
    if (this.write({ type: 'packet', packet: p })) this.packets++;
  }

  async stop(): Promise<void> {
    if (!this.active && this.stream.closed) return;
    this.active = false;
    await new Promise<void>((resolve) => this.stream.end(resolve));
  }

  private write(line: object): boolean {
    if (this.stream.writableLength > MAX_BUFFERED_BYTES) {
      this.dropped++;
      return false;
    }
    const text = `${JSON.stringify(line, jsonBinary)}\n`;
    this.bytes += Buffer.byteLength(text);
    this.stream.write(text);
    return true;
  }
}
