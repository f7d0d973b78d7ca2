import type { Writable } from 'node:stream';
import { makePreview } from '../preview';
import type { StoredRow } from '../history/history-store';
import { splitAccount, topicMatches } from '../topic-match';

const CSV_COLUMNS = [
  'id',
  'time',
  'topic',
  'account',
  'qos',
  'retain',
  'size',
  'truncated',
  'encoding',
  'payload',
];

/**
 * One CSV cell. Text that a spreadsheet would run as a formula (starting with `=`, `+`, `-`, `@`, tab or
 * carriage return) is prefixed with `'` and quoted, as OWASP's CSV-injection guidance says; numbers
 * Fieldbench writes itself are left as they are.
 */
export function csvField(value: string | number): string {
  if (typeof value === 'number') return String(value);
  if (/^[=+\-@\t\r]/.test(value)) return `"'${value.replace(/"/g, '""')}"`;
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

function payloadField(payload: Buffer): { encoding: 'text' | 'base64'; data: string } {
  const preview = makePreview(payload, payload.length);
  return preview.kind === 'text' && payload.length > 0 && !payload.toString('utf8').includes('\uFFFD')
    ? { encoding: 'text', data: payload.toString('utf8') }
    : { encoding: 'base64', data: payload.toString('base64') };
}

/** Writes stored messages matching `filter` (account topics matched as their account sees them). */
export async function exportMessages(
  rows: Iterable<StoredRow>,
  filter: string,
  format: 'csv' | 'json',
  out: Writable,
  limit: number,
): Promise<number> {
  const write = (text: string) =>
    out.write(text) ? Promise.resolve() : new Promise<void>((r) => out.once('drain', () => r()));
  let count = 0;
  await write(format === 'csv' ? `${CSV_COLUMNS.join(',')}\n` : '[\n');
  for (const row of rows) {
    if (count >= limit) break;
    const { account, displayTopic } = splitAccount(row.topic);
    if (!topicMatches(filter, displayTopic) && !topicMatches(filter, row.topic)) continue;
    const payload = payloadField(row.payload);
    if (format === 'csv') {
      const fields = [
        row.id,
        new Date(row.time).toISOString(),
        displayTopic,
        account ?? '',
        row.qos,
        row.retain,
        row.size,
        row.truncated,
        payload.encoding,
        payload.data,
      ];
      await write(`${fields.map(csvField).join(',')}\n`);
    } else {
      const record = {
        id: row.id,
        time: row.time,
        topic: displayTopic,
        ...(account ? { account } : {}),
        qos: row.qos,
        retain: row.retain === 1,
        size: row.size,
        truncated: row.truncated === 1,
        payloadEncoding: payload.encoding,
        payload: payload.data,
        ...(row.properties ? { properties: JSON.parse(row.properties) } : {}),
      };
      await write(`${count > 0 ? ',\n' : ''}${JSON.stringify(record)}`);
    }
    count++;
  }
  if (format === 'json') await write('\n]\n');
  await new Promise<void>((resolve, reject) => {
    out.once('error', reject);
    out.end(resolve);
  });
  return count;
}
