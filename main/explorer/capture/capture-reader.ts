import readline from 'node:readline';
import type { Readable } from 'node:stream';
import { CAPTURE_FORMAT, type CaptureHeader, type CaptureMessage } from './capture-format';

/**
 * Streams the records of a capture; throws on input that is not a Fieldbench capture. Errors name the
 * file (`label`) and line number, never the line's contents.
 */
export async function* readCapture(
  input: Readable,
  label: string,
): AsyncGenerator<CaptureHeader | CaptureMessage | { type: 'packet' }> {
  const lines = readline.createInterface({
    input,
    crlfDelay: Number.POSITIVE_INFINITY,
  });
  let first = true;
  let lineNo = 0;
  try {
    for await (const line of lines) {
      lineNo++;
      if (line.trim() === '') continue;
      let record: { type?: string; format?: string } | null = null;
      try {
        record = JSON.parse(line);
      } catch {
        // reported below without the line's text
      }
      if (first && (record?.type !== 'header' || record.format !== CAPTURE_FORMAT)) {
        throw new Error(`"${label}" is not a Fieldbench capture (its first line is not a capture header)`);
      }
      if (!record || typeof record !== 'object') {
        throw new Error(`"${label}" line ${lineNo} is not a capture record`);
      }
      first = false;
      yield record as CaptureHeader | CaptureMessage | { type: 'packet' };
    }
  } finally {
    // Also when the caller stops early (a stopped replay): release the file.
    lines.close();
    input.destroy();
  }
}

export async function openCapture(
  input: Readable,
  label: string,
  offset: number,
  limit: number,
): Promise<{
  header: CaptureHeader | null;
  messages: CaptureMessage[];
  totalMessages: number;
  packets: number;
}> {
  let header: CaptureHeader | null = null;
  const messages: CaptureMessage[] = [];
  let totalMessages = 0;
  let packets = 0;
  for await (const record of readCapture(input, label)) {
    if (record.type === 'header') header = record as CaptureHeader;
    else if (record.type === 'packet') packets++;
    else if (record.type === 'message') {
      if (totalMessages >= offset && messages.length < limit) messages.push(record as CaptureMessage);
      totalMessages++;
    }
  }
  return { header, messages, totalMessages, packets };
}
