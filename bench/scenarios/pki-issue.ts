import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createPki } from '../../main/pki';
import { createFileKeyProtector } from '../../main/secrets';
import { openStore } from '../../main/store';
import type { Metric, Scenario, ScenarioContext, ScenarioOutcome } from './types';

/*
 * PKI issuing throughput: EC P-256 device certificates with a Fieldbench-generated key pair
 * (key generation + signing + sealing the key + storing in SQLite), one by one and as a CSV batch,
 * plus the worst event-loop stall during the batch. Run alone: `node --import tsx bench/scenarios/pki-issue.ts`.
 */

const SINGLE = Number(process.env.BENCH_PKI_SINGLE ?? 500);
const BATCH = Number(process.env.BENCH_PKI_BATCH ?? 2000);
const RSA = Number(process.env.BENCH_PKI_RSA ?? 8);

function metric(key: string, label: string, unit: string, better: Metric['better'], value: number): Metric {
  return { key, label, unit, better, value: Math.round(value * 10) / 10 };
}

async function run(ctx: Pick<ScenarioContext, 'log'>): Promise<ScenarioOutcome> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-bench-pki-'));
  const store = openStore(dir);
  const pki = await createPki({ db: store.db, dataDir: dir, keyProtector: createFileKeyProtector(dir) });
  try {
    let started = performance.now();
    for (let i = 0; i < SINGLE; i++) await pki.issueDeviceCertificate({ name: `single-${i}` });
    const singleRate = SINGLE / ((performance.now() - started) / 1000);
    ctx.log(`${SINGLE} single EC P-256 issues: ${singleRate.toFixed(0)}/s`);

    const csv = Array.from({ length: BATCH }, (_, i) => `batch-${i}`).join('\n');
    const loop = monitorEventLoopDelay({ resolution: 10 });
    loop.enable();
    started = performance.now();
    await pki.batchIssue({ csv });
    const batchRate = BATCH / ((performance.now() - started) / 1000);
    loop.disable();
    ctx.log(`batch of ${BATCH}: ${batchRate.toFixed(0)}/s, event-loop max ${(loop.max / 1e6).toFixed(1)} ms`);

    started = performance.now();
    await pki.batchIssue({
      csv: Array.from({ length: RSA }, (_, i) => `rsa-${i}`).join('\n'),
      keyAlgorithm: 'rsa-2048',
    });
    const rsaRate = RSA / ((performance.now() - started) / 1000);

    return {
      status: 'ok',
      metrics: [
        metric('pki-ec-single-per-s', 'EC P-256 issue, one by one', 'certs/s', 'higher', singleRate),
        metric('pki-ec-batch-per-s', `EC P-256 batch of ${BATCH}`, 'certs/s', 'higher', batchRate),
        metric('pki-batch-loop-max-ms', 'event-loop max delay in batch', 'ms', 'lower', loop.max / 1e6),
        metric(
          'pki-batch-loop-p99-ms',
          'event-loop p99 delay in batch',
          'ms',
          'lower',
          loop.percentile(99) / 1e6,
        ),
        metric('pki-rsa2048-per-s', 'RSA 2048 issue (batch)', 'certs/s', 'higher', rsaRate),
      ],
    };
  } finally {
    await pki.close();
    store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export const pkiIssue: Scenario = {
  id: 'pki-issue',
  title: 'PKI: device certificate issuing',
  scope: 'standalone',
  order: 5,
  run,
};

if (require.main === module) {
  run({ log: (m) => process.stderr.write(`${m}\n`) }).then(
    (outcome) => {
      console.log(JSON.stringify({ loadAverage: os.loadavg()[0], ...outcome }, null, 2));
    },
    (err: unknown) => {
      console.error(err);
      process.exitCode = 1;
    },
  );
}
