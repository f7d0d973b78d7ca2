import { connectRaw, type RawClient } from '../lib/raw-client';
import type { IdleJob, IdleResult } from './jobs';

/** Opens `count` idle MQTT connections (keep-alive 0), `concurrency` handshakes at a time, and holds them. */
export async function runIdle(job: IdleJob): Promise<{ result: IdleResult; clients: RawClient[] }> {
  const started = performance.now();
  const clients: RawClient[] = [];
  let failed = 0;
  let firstError: string | undefined;
  let nextIndex = 0;
  const lane = async () => {
    while (nextIndex < job.count) {
      const i = nextIndex++;
      try {
        clients.push(await connectRaw(job.port, `${job.clientIdPrefix}-${i}`));
      } catch (err) {
        failed++;
        firstError ??= (err as Error).message;
        // Stop early when the broker has clearly stopped accepting.
        if (failed > 200 && clients.length === 0) return;
      }
    }
  };
  await Promise.all(Array.from({ length: job.concurrency }, lane));
  return {
    clients,
    result: {
      kind: 'idle',
      connected: clients.length,
      failed,
      ...(firstError ? { firstError } : {}),
      seconds: (performance.now() - started) / 1000,
    },
  };
}
