import assert from 'node:assert/strict';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { after, before, describe, test } from 'node:test';
import { type Core, createCore } from '../../main/core';
import { fileConfigSchema } from '../../main/core/config-file';
import { DEFAULT_MAX_BATCH_ROWS } from '../../main/pki/device-issuer';
import { callCore } from '../helpers/core-call';
import { tempDir } from '../helpers/temp-dir';

const names = (count: number, prefix = 'dev') =>
  Array.from({ length: count }, (_, i) => `${prefix}-${String(i).padStart(6, '0')}`);

async function refusal(core: Core, csv: string): Promise<{ code: string; message: string }> {
  const outcome = await core.dispatch('pki.batchIssue', { csv }, { transport: 'internal', actor: 'test' });
  assert.equal(outcome.ok, false, 'the batch is refused');
  if (outcome.ok) throw new Error('unreachable');
  return outcome.error;
}

const deviceCount = async (core: Core) =>
  (await callCore(core, 'pki.listCertificates', { kind: 'device', limit: 1 })).total;

describe('pki.batchIssue is bounded', () => {
  let core: Core;
  let small: Core;
  before(async () => {
    core = await createCore({ dataDir: tempDir('fb-batch-'), mode: 'headless' });
    small = await createCore({
      dataDir: tempDir('fb-batch-small-'),
      mode: 'headless',
      config: fileConfigSchema.parse({ pki: { maxBatchRows: 200 } }),
    });
  });
  after(async () => {
    await core.close();
    await small.close();
  });

  test('by default a CSV of more than 10,000 names is refused before anything is issued', async () => {
    assert.equal(DEFAULT_MAX_BATCH_ROWS, 10_000);
    const error = await refusal(core, ['name', ...names(10_001)].join('\n'));
    assert.equal(error.code, 'BAD_REQUEST');
    assert.match(error.message, /at most 10000 rows/);
    assert.equal(await deviceCount(core), 0, 'no certificate was issued');
  });

  test('the cap comes from --config (pki.maxBatchRows): one row over is refused, exactly the cap is issued', async () => {
    const progress: number[] = [];
    const stop = small.events.subscribe((name, data) => {
      if (name === 'pki.batchProgress') progress.push((data as { done: number }).done);
    });
    const over = await refusal(small, names(201).join('\n'));
    assert.equal(over.code, 'BAD_REQUEST');
    assert.match(over.message, /more than 200 device names; a batch may hold at most 200 rows/);
    assert.equal(await deviceCount(small), 0, 'nothing issued for the refused batch');
    assert.deepEqual(progress, [], 'no progress was reported: the refusal came before any work');

    const histogram = monitorEventLoopDelay({ resolution: 5 });
    histogram.enable();
    const result = await callCore(small, 'pki.batchIssue', { csv: names(200).join('\n') });
    histogram.disable();
    stop();
    assert.equal(result.issued.length, 200);
    assert.equal(await deviceCount(small), 200);
    console.log(
      `# 200-row batch: longest event-loop stall ${(histogram.max / 1e6).toFixed(1)} ms, p99 ${(histogram.percentile(99) / 1e6).toFixed(1)} ms`,
    );
  });

  test('duplicates in a full-size CSV are refused with their row numbers, nothing issued', async () => {
    const rows = names(DEFAULT_MAX_BATCH_ROWS);
    rows[9_998] = rows[1]!; // row 9,999 repeats row 2
    rows[9_999] = rows[1]!;
    rows[5_000] = rows[4_000]!;
    const started = performance.now();
    const error = await refusal(core, rows.join('\n'));
    const elapsedMs = performance.now() - started;
    assert.equal(error.code, 'BAD_REQUEST');
    assert.equal(
      error.message,
      'Duplicate device names in CSV: dev-004000 (rows 4001, 5001), dev-000001 (rows 2, 9999, 10000)',
    );
    assert.equal(await deviceCount(core), 0);
    console.log(`# 10,000-row CSV with duplicates refused in ${elapsedMs.toFixed(1)} ms`);
  });
});
