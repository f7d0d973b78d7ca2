import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { BatchProgress } from '../../main/pki';
import { makePki, type PkiFixture } from './helpers';

describe('batch issuance', () => {
  let f: PkiFixture;
  before(async () => {
    f = await makePki();
  });
  after(() => f.close());

  it('issues 1,000 devices from CSV with progress, without blocking the event loop for long', async () => {
    const csv = [
      'name',
      ...Array.from({ length: 1000 }, (_, i) => `sensor-${String(i).padStart(4, '0')}`),
    ].join('\n');
    const progress: BatchProgress[] = [];
    const histogram = monitorEventLoopDelay({ resolution: 10 });
    histogram.enable();
    const started = performance.now();
    const result = await f.pki.batchIssue(
      { csv, accountId: 'acme', commonNameStyle: 'account-prefixed' },
      (p) => progress.push(p),
    );
    const seconds = (performance.now() - started) / 1000;
    histogram.disable();
    const maxDelayMs = histogram.max / 1e6;
    console.log(
      `batch of 1000: ${seconds.toFixed(2)} s (${(1000 / seconds).toFixed(0)}/s), ` +
        `event-loop delay max ${maxDelayMs.toFixed(1)} ms, p99 ${(histogram.percentile(99) / 1e6).toFixed(1)} ms`,
    );
    assert.ok(maxDelayMs < 250, `event loop blocked for ${maxDelayMs} ms`);

    assert.equal(result.issued.length, 1000);
    assert.equal(result.issued[0]!.commonName, 'acme_sensor-0000');
    assert.equal(new Set(result.issued.map((c) => c.serial)).size, 1000);
    assert.deepEqual(progress[0], { batchId: result.batchId, done: 0, total: 1000 });
    assert.deepEqual(progress.at(-1), { batchId: result.batchId, done: 1000, total: 1000 });
    assert.ok(progress.length > 10, 'progress is reported per chunk');
    assert.ok(progress.every((p, i) => i === 0 || p.done > progress[i - 1]!.done));
    const stored = f.pki.listCertificates({ accountId: 'acme', limit: 5 });
    assert.equal(stored.total, 1000);
    assert.ok(stored.items.every((c) => c.hasPrivateKey && c.batchId === result.batchId));
  });

  it('parses CSV names (quotes, extra columns, blank lines) and rejects duplicates and empty input', async () => {
    const result = await f.pki.batchIssue({ csv: 'device,location\n"pump-1",hall\n\npump-2 , yard\r\n' });
    assert.deepEqual(
      result.issued.map((c) => c.commonName),
      ['pump-1', 'pump-2'],
    );
    await assert.rejects(f.pki.batchIssue({ csv: 'a\nb\na\n' }), /Duplicate device names in CSV: a/);
    await assert.rejects(f.pki.batchIssue({ csv: 'name\n\n' }), /no device names/);
  });
});
