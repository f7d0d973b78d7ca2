import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type ExplorerCore, startExplorerCore } from './explorer-core';

/** Splits one CSV line into cells (RFC 4180 quoting). */
function cells(line: string): string[] {
  const out: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      out.push(cell);
      cell = '';
    } else cell += c;
  }
  out.push(cell);
  return out;
}

const PAYLOADS = ["=cmd|' /C calc'!A0", '+SUM(1,2)', '-2+3', '@SUM(A1:A2)', '\t=1+1', 'plain text', '42'];

describe('CSV exports cannot carry spreadsheet formulas', () => {
  let f: ExplorerCore;
  before(async () => {
    f = await startExplorerCore();
    for (const [i, payload] of PAYLOADS.entries()) await f.publishStored(`lab/csv/${i}`, payload);
    await f.publishStored('@lab/topic', 'x');
  });
  after(() => f.close());

  test("formula-leading payloads and topics are prefixed with ' and quoted; other cells stay as they were", async () => {
    await f.call('explorer.export', {
      connectionId: 'local',
      topic: '#',
      format: 'csv',
      file: 'formulas.csv',
    });
    const raw = fs.readFileSync(path.join(f.exportsDir, 'formulas.csv'), 'utf8');
    const lines = raw.trim().split('\n');
    const header = cells(lines[0]!);
    const topicAt = header.indexOf('topic');
    const payloadAt = header.indexOf('payload');
    const rows = new Map(lines.slice(1).map((l) => [cells(l)[topicAt]!, cells(l)]));

    assert.ok(raw.includes(`"'=cmd|' /C calc'!A0"`), 'the calc payload is quoted and prefixed');
    for (const [i, payload] of PAYLOADS.entries()) {
      const row = rows.get(`lab/csv/${i}`);
      assert.ok(row, `row for payload ${i}`);
      const cell = row[payloadAt]!;
      if (/^[=+\-@\t\r]/.test(payload))
        assert.equal(cell, `'${payload}`, `payload ${JSON.stringify(payload)}`);
      else assert.equal(cell, payload);
    }
    // No raw line starts a cell with a formula character outside quotes.
    for (const line of lines.slice(1)) assert.doesNotMatch(line, /(^|,)[=+\-@\t]/, line);
    assert.ok(rows.has("'@lab/topic"), 'a topic starting with @ is escaped too');
  });
});
