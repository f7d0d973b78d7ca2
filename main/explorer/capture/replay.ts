import crypto from 'node:crypto';
import type { Readable } from 'node:stream';
import type { CaptureMessage } from './capture-format';
import { readCapture } from './capture-reader';

export interface ReplayTarget {
  publish(m: {
    topic: string;
    payload: Buffer;
    qos: 0 | 1 | 2;
    retain: boolean;
    properties?: Record<string, unknown>;
  }): Promise<void>;
}

export interface ReplayProgress {
  replayId: string;
  connectionId: string;
  sent: number;
  total: number;
  done: boolean;
  error?: string;
}

const PROGRESS_INTERVAL_MS = 250;

/** Publishes the messages of a capture in order, at original (`speed` 1), faster, or full speed (0). */
export class Replay {
  readonly id = crypto.randomUUID();
  private stopped = false;
  sent = 0;
  total = 0;
  done: Promise<void> = Promise.resolve();

  /** `open` returns a fresh stream over the capture each time (it is read twice: count, then replay). */
  constructor(
    private readonly open: () => Readable,
    private readonly label: string,
    private readonly connectionId: string,
    private readonly speed: number,
    private readonly target: ReplayTarget,
    private readonly onProgress: (p: ReplayProgress) => void,
    private readonly topicPrefix = '',
  ) {}

  async countMessages(): Promise<number> {
    let total = 0;
    for await (const record of readCapture(this.open(), this.label)) if (record.type === 'message') total++;
    this.total = total;
    return total;
  }

  start(): void {
    this.done = this.run();
  }

  stop(): void {
    this.stopped = true;
  }

  private async run(): Promise<void> {
    let firstTime: number | undefined;
    const startedAt = Date.now();
    let lastProgress = 0;
    let error: string | undefined;
    try {
      for await (const record of readCapture(this.open(), this.label)) {
        if (this.stopped) break;
        if (record.type !== 'message') continue;
        const m = record as CaptureMessage;
        if (this.speed > 0) {
          firstTime ??= m.time;
          const due = startedAt + (m.time - firstTime) / this.speed;
          const wait = due - Date.now();
          if (wait > 0) await new Promise((r) => setTimeout(r, wait));
          if (this.stopped) break;
        }
        const message: Parameters<ReplayTarget['publish']>[0] = {
          topic: this.topicPrefix + m.topic,
          payload: m.payload === null ? Buffer.alloc(0) : Buffer.from(m.payload, 'base64'),
          qos: m.qos,
          retain: m.retain,
        };
        if (m.properties) message.properties = m.properties;
        await this.target.publish(message);
        this.sent++;
        if (Date.now() - lastProgress >= PROGRESS_INTERVAL_MS) {
          lastProgress = Date.now();
          this.emit(false);
        }
      }
    } catch (err) {
      error = (err as Error).message;
    }
    this.emit(true, error);
  }

  private emit(done: boolean, error?: string): void {
    const progress: ReplayProgress = {
      replayId: this.id,
      connectionId: this.connectionId,
      sent: this.sent,
      total: this.total,
      done,
    };
    if (error !== undefined) progress.error = error;
    this.onProgress(progress);
  }
}
