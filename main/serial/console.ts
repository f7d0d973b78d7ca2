import { SerialLink } from './link';

export interface ConsoleEntry {
  seq: number;
  at: number;
  direction: 'in' | 'out';
  hex: string;
  /** The bytes as ASCII text, other bytes shown as \xNN. */
  text: string;
}

/** Entries kept per console; older ones are dropped (and counted). */
export const CONSOLE_MAX_ENTRIES = 2000;
/** Bytes per entry: longer reads are split. */
const ENTRY_BYTES = 512;

const printable = (data: Buffer) => {
  let text = '';
  for (const b of data) {
    text +=
      (b >= 0x20 && b < 0x7f) || b === 0x0a || b === 0x0d || b === 0x09
        ? String.fromCharCode(b)
        : `\\x${b.toString(16).padStart(2, '0')}`;
  }
  return text;
};

/** The raw console of one port: a bounded, timestamped log of bytes in and out, paused or not. */
export class SerialConsole {
  private entries: ConsoleEntry[] = [];
  private seq = 0;
  dropped = 0;
  paused = false;

  private constructor(
    readonly path: string,
    readonly link: SerialLink,
    private readonly onEntry: (entry: ConsoleEntry) => void,
  ) {
    link.on('raw', ({ direction, at, data }) => {
      if (this.paused) return;
      for (let i = 0; i < data.length; i += ENTRY_BYTES)
        this.add(direction, at, data.subarray(i, i + ENTRY_BYTES));
    });
  }

  static async open(
    path: string,
    baudRate: number,
    onEntry: (entry: ConsoleEntry) => void,
  ): Promise<SerialConsole> {
    return new SerialConsole(path, await SerialLink.open(path, baudRate), onEntry);
  }

  private add(direction: 'in' | 'out', at: number, data: Buffer): void {
    const entry = { seq: ++this.seq, at, direction, hex: data.toString('hex'), text: printable(data) };
    this.entries.push(entry);
    if (this.entries.length > CONSOLE_MAX_ENTRIES) {
      this.entries.shift();
      this.dropped++;
    }
    this.onEntry(entry);
  }

  /** Entries held now. */
  get size(): number {
    return this.entries.length;
  }

  read(afterSeq = 0, limit = 500): ConsoleEntry[] {
    return this.entries.filter((e) => e.seq > afterSeq).slice(0, limit);
  }

  clear(): void {
    this.entries = [];
  }

  send(data: Buffer): Promise<void> {
    return this.link.writeRaw(data);
  }

  close(): Promise<void> {
    return this.link.close();
  }
}
