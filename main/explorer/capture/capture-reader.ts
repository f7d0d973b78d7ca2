import fs from 'node:fs';
import readline from 'node:readline';
import { CAPTURE_FORMAT, type CaptureHeader, type CaptureMessage } from './capture-format';

/** Streams the records of a capture file; throws on a file that is not a Fieldbench capture. */
export async function* readCapture(
  file: string,
): AsyncGenerator<CaptureHeader | CaptureMessage | { type: 'packet' }> {
  const lines = readline.createInterface({
    input: fs.createReadStream(file),
    crlfDelay: Number.POSITIVE_INFINITY,
  });
  let first = true;
  let lineNo = 0;
  for await (const line of lines) {
    lineNo++;
    if (line.trim() === '') continue;
    let record: { type?: string; format?: string };
    try {
      record = JSON.parse(line);
    } catch {
      throw new Error(`${file}:${lineNo} is not valid JSON`);
    }
    if (first && (record.type !== 'header' || record.format !== CAPTURE_FORMAT)) {
      throw new Error(`${file} is not a Fieldbench capture (missing header)`);
    }
    first = false;
    yield record as CaptureHeader | CaptureMessage | { type: 'packet' };
  }
}

export async function openCapture(
  file: string,
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
  for await (const record of readCapture(file)) {
    if (record.type === 'header') header = record as CaptureHeader;
    else if (record.type === 'packet') packets++;
    else if (record.type === 'message') {
      if (totalMessages >= offset && messages.length < limit) messages.push(record as CaptureMessage);
      totalMessages++;
    }
  }
  return { header, messages, totalMessages, packets };
}
