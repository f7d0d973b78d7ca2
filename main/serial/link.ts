import { EventEmitter } from 'node:events';
import { SerialPort } from 'serialport';
import {
  decodeLine,
  type EventFrame,
  encodeFrame,
  isEvent,
  isResponse,
  LineSplitter,
  type ResponseFrame,
} from './frames';

export class SerialLinkError extends Error {
  override name = 'SerialLinkError';
  constructor(
    /** `busy` (open elsewhere), `open-failed`, `closed` (cable pulled), `timeout`, `wrong-baud`, `device`. */
    readonly code: 'busy' | 'open-failed' | 'closed' | 'timeout' | 'wrong-baud' | 'device',
    message: string,
  ) {
    super(message);
  }
}

export interface LinkStats {
  framesIn: number;
  framesOut: number;
  badCrc: number;
  garbageBytes: number;
  overflows: number;
  retries: number;
}

export interface RequestOptions {
  timeoutMs?: number;
  /** Extra attempts after a timeout; the device answers a repeated id from its cache. */
  retries?: number;
}

const MAX_PENDING = 32;
/** Non-text bytes seen without a single valid frame before the baud rate is named as the likely cause. */
const NOISE_THRESHOLD = 16;

/** Bytes that never occur in the protocol's text: a wrong baud rate turns text into these. */
function countNoise(data: Buffer): number {
  let n = 0;
  for (const b of data) if (b >= 0x7f || (b < 0x20 && b !== 0x0a && b !== 0x0d && b !== 0x09)) n++;
  return n;
}

/** Opens a port with `serialport`, reporting a port locked by another program as `busy`. */
export async function openPort(path: string, baudRate: number): Promise<SerialPort> {
  const port = new SerialPort({ path, baudRate, autoOpen: false, lock: true });
  await new Promise<void>((resolve, reject) =>
    port.open((err) => {
      if (!err) return resolve();
      const busy = /lock|busy|temporarily unavailable/i.test(err.message);
      reject(
        new SerialLinkError(
          busy ? 'busy' : 'open-failed',
          busy
            ? `${path} is already open in another program (${err.message})`
            : `cannot open ${path}: ${err.message}`,
        ),
      );
    }),
  );
  return port;
}

/**
 * One end of the commissioning protocol over a serial port: numbered requests with timeouts and retries,
 * responses matched by id, device events, raw bytes for the console, and noise detection (wrong baud rate).
 */
export class SerialLink extends EventEmitter<{
  event: [EventFrame];
  raw: [{ direction: 'in' | 'out'; at: number; data: Buffer }];
  closed: [string];
}> {
  // A random start: a device's reply cache from an earlier session never answers a new request.
  private nextId = 1 + Math.floor(Math.random() * 1_000_000_000);
  private readonly pending = new Map<number, (frame: ResponseFrame) => void>();
  private readonly splitter: LineSplitter;
  private noiseSinceFrame = 0;
  private closedReason: string | null = null;
  readonly stats: LinkStats = {
    framesIn: 0,
    framesOut: 0,
    badCrc: 0,
    garbageBytes: 0,
    overflows: 0,
    retries: 0,
  };

  constructor(
    readonly port: SerialPort,
    readonly baudRate: number,
  ) {
    super();
    this.splitter = new LineSplitter(
      (line) => this.onLine(line),
      (bytes) => {
        this.stats.overflows++;
        this.stats.garbageBytes += bytes;
      },
    );
    port.on('data', (data: Buffer) => {
      this.emit('raw', { direction: 'in', at: Date.now(), data });
      this.noiseSinceFrame += countNoise(data);
      this.splitter.push(data);
    });
    port.on('close', () => this.markClosed('the serial port closed (cable pulled or device gone)'));
    port.on('error', (err) => this.markClosed(`serial port error: ${err.message}`));
  }

  static async open(path: string, baudRate = 115200): Promise<SerialLink> {
    return new SerialLink(await openPort(path, baudRate), baudRate);
  }

  get closed(): string | null {
    return this.closedReason;
  }

  private markClosed(reason: string): void {
    if (this.closedReason) return;
    this.closedReason = reason;
    this.splitter.reset();
    this.emit('closed', reason);
  }

  private onLine(line: Buffer): void {
    const decoded = decodeLine(line);
    if (decoded.kind === 'garbage') {
      this.stats.garbageBytes += decoded.bytes;
      return;
    }
    if (decoded.kind !== 'frame') {
      this.stats.badCrc++;
      return;
    }
    this.stats.framesIn++;
    this.noiseSinceFrame = 0;
    const frame = decoded.frame;
    if (isResponse(frame)) {
      this.pending.get(frame.id)?.(frame);
    } else if (isEvent(frame)) {
      this.emit('event', frame);
    }
  }

  /** Writes raw bytes (the console's send); does not wait for a reply. */
  writeRaw(data: Buffer): Promise<void> {
    if (this.closedReason) return Promise.reject(new SerialLinkError('closed', this.closedReason));
    this.emit('raw', { direction: 'out', at: Date.now(), data });
    return new Promise((resolve, reject) =>
      this.port.write(data, (err) =>
        err ? reject(new SerialLinkError('closed', `write failed: ${err.message}`)) : resolve(),
      ),
    );
  }

  /** Sends one request and waits for its response, retrying on timeout with the same id. */
  async request(
    op: string,
    args: Record<string, unknown> = {},
    options: RequestOptions = {},
  ): Promise<Record<string, unknown>> {
    const timeoutMs = options.timeoutMs ?? 2000;
    const retries = options.retries ?? 2;
    if (this.pending.size >= MAX_PENDING) throw new SerialLinkError('device', 'too many requests in flight');
    const id = this.nextId++;
    const frame = encodeFrame({ id, op, args });
    try {
      for (let attempt = 0; attempt <= retries; attempt++) {
        if (this.closedReason) throw new SerialLinkError('closed', `${this.closedReason} during ${op}`);
        if (attempt > 0) this.stats.retries++;
        const reply = await new Promise<ResponseFrame | 'timeout'>((resolve, reject) => {
          const timer = setTimeout(() => finish('timeout'), timeoutMs);
          const onClosed = (reason: string) => {
            clearTimeout(timer);
            this.pending.delete(id);
            reject(new SerialLinkError('closed', `${reason} during ${op}`));
          };
          const finish = (value: ResponseFrame | 'timeout') => {
            clearTimeout(timer);
            this.off('closed', onClosed);
            this.pending.delete(id);
            resolve(value);
          };
          this.once('closed', onClosed);
          this.pending.set(id, finish);
          this.stats.framesOut++;
          // A write that fails means the port is gone, as when it closes (the 'closed' event rejects).
          this.writeRaw(frame).catch((err: Error) => {
            if (this.closedReason) onClosed(this.closedReason);
            else this.markClosed(`the serial port closed (cable pulled or device gone): ${err.message}`);
          });
        });
        if (reply === 'timeout') continue;
        if (!reply.ok) {
          throw new SerialLinkError(
            'device',
            `the device refused ${op}: ${reply.error?.code ?? 'ERROR'} ${reply.error?.message ?? ''}`.trim(),
          );
        }
        return reply.result ?? {};
      }
    } finally {
      this.pending.delete(id);
    }
    if (this.noiseSinceFrame >= NOISE_THRESHOLD) {
      throw new SerialLinkError(
        'wrong-baud',
        `no answer to ${op}, only ${this.noiseSinceFrame} bytes of noise at ${this.baudRate} baud: wrong baud rate?`,
      );
    }
    throw new SerialLinkError(
      'timeout',
      `no answer to ${op} after ${retries + 1} attempts of ${timeoutMs} ms`,
    );
  }

  async close(): Promise<void> {
    this.markClosed('closed by Fieldbench');
    if (!this.port.isOpen) return;
    await new Promise<void>((resolve) => this.port.close(() => resolve()));
  }
}
