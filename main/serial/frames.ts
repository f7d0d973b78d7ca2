import { crc32 } from '../pki/crc32';

// Line-delimited JSON frames: `<json> <crc32 as 8 lower-case hex digits>\n`. The CRC covers the JSON
// text's UTF-8 bytes. See docs/serial-protocol.md.

export const PROTOCOL_VERSION = 1;
/** Longest accepted line (bytes, without the newline); longer lines are dropped and counted. */
export const MAX_LINE_BYTES = 16 * 1024;

export interface RequestFrame {
  id: number;
  op: string;
  args?: Record<string, unknown>;
}
export interface ResponseFrame {
  id: number;
  ok: boolean;
  result?: Record<string, unknown>;
  error?: { code: string; message: string };
}
export interface EventFrame {
  ev: string;
  data?: Record<string, unknown>;
}
export type Frame = RequestFrame | ResponseFrame | EventFrame;

const hex8 = (n: number) => n.toString(16).padStart(8, '0');

export function encodeFrame(frame: Frame): Buffer {
  const json = JSON.stringify(frame);
  const body = Buffer.from(json, 'utf8');
  return Buffer.concat([body, Buffer.from(` ${hex8(crc32(body))}\n`, 'latin1')]);
}

export type DecodeResult =
  | { kind: 'frame'; frame: Frame }
  | { kind: 'bad-crc' }
  | { kind: 'garbage'; bytes: number }
  | { kind: 'bad-json' };

/** True when a line looks like noise rather than text: what a wrong baud rate produces. */
function looksLikeNoise(line: Buffer): boolean {
  let odd = 0;
  for (const b of line) if (b >= 0x7f || (b < 0x20 && b !== 0x09 && b !== 0x0d)) odd++;
  return line.length > 0 && odd / line.length > 0.2;
}

/** Decodes one line (without its `\n`). */
export function decodeLine(raw: Buffer): DecodeResult {
  const line = raw.length > 0 && raw[raw.length - 1] === 0x0d ? raw.subarray(0, -1) : raw;
  if (looksLikeNoise(line)) return { kind: 'garbage', bytes: line.length };
  const space = line.lastIndexOf(0x20);
  if (space < 0 || line.length - space !== 9) return { kind: 'garbage', bytes: line.length };
  const body = line.subarray(0, space);
  const crcText = line.subarray(space + 1).toString('latin1');
  if (!/^[0-9a-f]{8}$/i.test(crcText)) return { kind: 'garbage', bytes: line.length };
  if (Number.parseInt(crcText, 16) !== crc32(body)) return { kind: 'bad-crc' };
  try {
    const frame = JSON.parse(body.toString('utf8')) as Frame;
    if (typeof frame !== 'object' || frame === null || Array.isArray(frame)) return { kind: 'bad-json' };
    return { kind: 'frame', frame };
  } catch {
    return { kind: 'bad-json' };
  }
}

/**
 * Splits a byte stream into lines, holding at most `maxLine` bytes: a longer line is discarded up to its
 * newline and reported with `onOverflow`.
 */
export class LineSplitter {
  private parts: Buffer[] = [];
  private held = 0;
  private skipping = false;

  constructor(
    private readonly onLine: (line: Buffer) => void,
    private readonly onOverflow: (bytes: number) => void,
    private readonly maxLine = MAX_LINE_BYTES,
  ) {}

  push(chunk: Buffer): void {
    let start = 0;
    while (start < chunk.length) {
      const nl = chunk.indexOf(0x0a, start);
      const end = nl < 0 ? chunk.length : nl;
      const piece = chunk.subarray(start, end);
      if (!this.skipping) {
        if (this.held + piece.length > this.maxLine) {
          this.onOverflow(this.held + piece.length);
          this.parts = [];
          this.held = 0;
          this.skipping = true;
        } else if (piece.length > 0) {
          this.parts.push(Buffer.from(piece));
          this.held += piece.length;
        }
      }
      if (nl < 0) break;
      if (!this.skipping) this.onLine(Buffer.concat(this.parts));
      this.parts = [];
      this.held = 0;
      this.skipping = false;
      start = nl + 1;
    }
  }

  reset(): void {
    this.parts = [];
    this.held = 0;
    this.skipping = false;
  }
}

export const isResponse = (f: Frame): f is ResponseFrame => 'ok' in f && typeof f.id === 'number';
export const isRequest = (f: Frame): f is RequestFrame => 'op' in f && typeof f.id === 'number';
export const isEvent = (f: Frame): f is EventFrame => 'ev' in f;
